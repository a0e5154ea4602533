"""Cloud Workflows executor for jobc: ``jobc_executor``, the HTTP function every task calls."""

from .executor import CALL_LOG_ENV, ExecutorRequestError, jobc_executor, parse_request

__all__ = ["CALL_LOG_ENV", "ExecutorRequestError", "jobc_executor", "parse_request"]
