"""Engine-free jobc runtime: check task definitions, find the project, load functions, resolve secrets
and run parameters, run tasks (sending failure alerts), decide trigger rules."""

from .errors import (
    FunctionLoadError,
    JobcRuntimeError,
    ProjectRootNotFoundError,
    SecretError,
    TaskConfigurationError,
    TaskDefinitionError,
)
from .definition import TaskDefinition
from .alerts import ALERT_FROM_ENV, SMTP_HOST_ENV, SMTP_PORT_ENV
from .logical_date import as_utc, parse_logical_date
from .project import (PROJECT_ROOT_ENV, ensure_function_path, find_project_root, load_function, load_function_base,
                      project_root_for_generated_code)
from .run_params import PARAMETER_TYPES, RunParameterError, resolve_params
from .secret_store import SECRET_DIR_ENV, resolve_secret, secret_dir
from .task import run_task
from .trigger_rules import TASK_STATES, TRIGGER_RULES, trigger_decision
from .version import VERSION

__all__ = [
    "ALERT_FROM_ENV",
    "PARAMETER_TYPES",
    "PROJECT_ROOT_ENV",
    "SECRET_DIR_ENV",
    "SMTP_HOST_ENV",
    "SMTP_PORT_ENV",
    "TASK_STATES",
    "TRIGGER_RULES",
    "FunctionLoadError",
    "JobcRuntimeError",
    "ProjectRootNotFoundError",
    "RunParameterError",
    "SecretError",
    "TaskConfigurationError",
    "TaskDefinition",
    "TaskDefinitionError",
    "as_utc",
    "ensure_function_path",
    "find_project_root",
    "project_root_for_generated_code",
    "load_function",
    "load_function_base",
    "parse_logical_date",
    "resolve_params",
    "resolve_secret",
    "run_task",
    "secret_dir",
    "trigger_decision",
]

__version__ = VERSION
