"""Cloud Workflows executor for jobc: ``jobc_executor``, the HTTP function a generated program calls
(protocol version 2: start_run, run_task, finish_run, abandon_task)."""

from .call_log import CALL_LOG_ENV
from .executor import jobc_executor
from .protocol import PROTOCOL_VERSION, ExecutorRequestError, parse_request
from .run_state import LOST_AFTER_ENV
from .state_dir import STATE_DIR_ENV

__all__ = ["CALL_LOG_ENV", "LOST_AFTER_ENV", "PROTOCOL_VERSION", "STATE_DIR_ENV", "ExecutorRequestError",
           "jobc_executor", "parse_request"]
