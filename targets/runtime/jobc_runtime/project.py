"""Project root discovery and loading of function classes from it."""

from __future__ import annotations

import importlib
import inspect
import os
import pathlib
import re
import sys
import threading
from collections.abc import Iterable

from .errors import FunctionLoadError, ProjectRootNotFoundError

PROJECT_ROOT_ENV = "JOBC_PROJECT_ROOT"
FUNCTION_DIR = pathlib.PurePosixPath("orchestration", "function")
# The module defining Function and ExecutionContext inside FUNCTION_DIR.
FUNCTION_BASE_MODULE = "function_abstract"

_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_sys_path_lock = threading.Lock()


def _is_project_root(path: pathlib.Path) -> bool:
    return (path / FUNCTION_DIR).is_dir()


def project_root_for_generated_code(generated_file: str | os.PathLike | None) -> pathlib.Path:
    """The project root as every target's generated code finds it: ``JOBC_PROJECT_ROOT``, then the
    working directory and its parents, then the generated file's folder and its parents (it
    normally lives inside the project)."""
    search_from = [pathlib.Path.cwd()]
    if generated_file:
        search_from.append(pathlib.Path(generated_file).parent)
    return find_project_root(search_from=search_from)


def find_project_root(search_from: Iterable[pathlib.Path | str] | None = None) -> pathlib.Path:
    """Return the jobc project root as an absolute path.

    ``JOBC_PROJECT_ROOT`` wins when set (and must point at a project). Otherwise
    each directory of ``search_from`` (default: the current working directory)
    and its parents are searched for a folder containing ``orchestration/function/``.
    """
    configured = os.environ.get(PROJECT_ROOT_ENV)
    if configured:
        root = pathlib.Path(configured).expanduser().resolve()
        if not _is_project_root(root):
            raise ProjectRootNotFoundError(
                f"{PROJECT_ROOT_ENV}={configured!r} is not a jobc project root: {root / FUNCTION_DIR} does not exist"
            )
        return root

    starts = [pathlib.Path(p) for p in search_from] if search_from is not None else [pathlib.Path.cwd()]
    for start in starts:
        start = start.expanduser().resolve()
        for candidate in (start, *start.parents):
            if _is_project_root(candidate):
                return candidate
    searched = ", ".join(str(pathlib.Path(p).resolve()) for p in starts) or "(nothing)"
    raise ProjectRootNotFoundError(
        f"no jobc project root found: no folder containing {FUNCTION_DIR}/ at or above {searched}; "
        f"set {PROJECT_ROOT_ENV} to the project root"
    )


def function_dir(project_root: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(project_root) / FUNCTION_DIR


def ensure_function_path(project_root: pathlib.Path) -> pathlib.Path:
    """Put ``<root>/orchestration/function`` first on sys.path (idempotent)."""
    directory = function_dir(project_root).resolve()
    if not directory.is_dir():
        raise FunctionLoadError(f"function folder {directory} does not exist")
    entry = str(directory)
    with _sys_path_lock:
        if entry not in sys.path:
            sys.path.insert(0, entry)
    return directory


def load_function_base(project_root: pathlib.Path | None = None):
    """Import and return the project's ``function_abstract`` module."""
    root = _root(project_root)
    ensure_function_path(root)
    return _import(FUNCTION_BASE_MODULE, root)


def load_function(module: str, class_name: str, project_root: pathlib.Path | None = None) -> type:
    """Import ``module`` from the project's function folder and return ``class_name``.

    The class must be a concrete subclass of the project's ``Function``.
    ``project_root`` defaults to :func:`find_project_root`.
    """
    if not isinstance(module, str) or not _MODULE_NAME.fullmatch(module):
        raise FunctionLoadError(f"invalid function module name {module!r}: expected a Python module name")
    if not isinstance(class_name, str) or not class_name.isidentifier():
        raise FunctionLoadError(f"invalid function class name {class_name!r}")
    root = _root(project_root)
    base = load_function_base(root)
    loaded = _import(module, root)
    cls = getattr(loaded, class_name, None)
    if cls is None:
        raise FunctionLoadError(f"module {module!r} ({loaded.__file__}) has no class {class_name!r}")
    if not isinstance(cls, type) or not issubclass(cls, base.Function):
        raise FunctionLoadError(f"{module}.{class_name} is not a subclass of {FUNCTION_BASE_MODULE}.Function")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise FunctionLoadError(f"{module}.{class_name} is abstract (does not implement: {missing})")
    return cls


def _root(project_root: pathlib.Path | str | None) -> pathlib.Path:
    return find_project_root() if project_root is None else pathlib.Path(project_root).resolve()


def _import(module: str, project_root: pathlib.Path):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        # Distinguish "the function module does not exist" from "it exists
        # but one of its own imports is missing" (e.g. psycopg2 not installed).
        if error.name is not None and (module == error.name or module.startswith(error.name + ".")):
            raise FunctionLoadError(
                f"function module {module!r} not found in {function_dir(project_root)}"
            ) from None
        raise FunctionLoadError(f"function module {module!r} failed to import: {error}") from error
    except Exception as error:
        raise FunctionLoadError(f"function module {module!r} failed to import: {error!r}") from error
