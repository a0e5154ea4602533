"""Engine-free jobc runtime: find the project, load functions, resolve secrets, run tasks."""

from .errors import (
    FunctionLoadError,
    JobcRuntimeError,
    ProjectRootNotFoundError,
    SecretError,
    TaskConfigurationError,
)
from .logical_date import as_utc, parse_logical_date
from .project import (PROJECT_ROOT_ENV, ensure_function_path, find_project_root, load_function, load_function_base,
                      project_root_for_generated_code)
from .secret_store import SECRET_DIR_ENV, resolve_secret, secret_dir
from .task import run_task

__all__ = [
    "PROJECT_ROOT_ENV",
    "SECRET_DIR_ENV",
    "FunctionLoadError",
    "JobcRuntimeError",
    "ProjectRootNotFoundError",
    "SecretError",
    "TaskConfigurationError",
    "as_utc",
    "ensure_function_path",
    "find_project_root",
    "project_root_for_generated_code",
    "load_function",
    "load_function_base",
    "parse_logical_date",
    "resolve_secret",
    "run_task",
    "secret_dir",
]

__version__ = "0.1.0"
