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


def _function_folder(function_folder: str | None) -> pathlib.PurePosixPath:
    """The functions folder relative to the project root: the one jobc.yaml's ``paths:`` named
    (generated code passes it when it is not the standard one), else ``orchestration/function``."""
    return FUNCTION_DIR if function_folder is None else pathlib.PurePosixPath(function_folder)


def _is_project_root(path: pathlib.Path, function_folder: str | None = None) -> bool:
    return (path / _function_folder(function_folder)).is_dir()


def project_root_for_generated_code(
    generated_file: str | os.PathLike | None, function_folder: str | None = None
) -> pathlib.Path:
    """The project root as every target's generated code finds it: ``JOBC_PROJECT_ROOT``, then the
    working directory and its parents, then the generated file's folder and its parents (it
    normally lives inside the project). ``function_folder``: the project's functions folder when
    it is not ``orchestration/function``."""
    search_from = [pathlib.Path.cwd()]
    if generated_file:
        search_from.append(pathlib.Path(generated_file).parent)
    return find_project_root(search_from=search_from, function_folder=function_folder)


def find_project_root(
    search_from: Iterable[pathlib.Path | str] | None = None, function_folder: str | None = None
) -> pathlib.Path:
    """Return the jobc project root as an absolute path.

    ``JOBC_PROJECT_ROOT`` wins when set (and must point at a project). Otherwise
    each directory of ``search_from`` (default: the current working directory)
    and its parents are searched for a folder containing the functions folder
    (``function_folder``, default ``orchestration/function/``).
    """
    folder = _function_folder(function_folder)
    configured = os.environ.get(PROJECT_ROOT_ENV)
    if configured:
        root = pathlib.Path(configured).expanduser().resolve()
        if not _is_project_root(root, function_folder):
            raise ProjectRootNotFoundError(
                f"{PROJECT_ROOT_ENV}={configured!r} is not a jobc project root: {root / folder} does not exist"
            )
        return root

    starts = [pathlib.Path(p) for p in search_from] if search_from is not None else [pathlib.Path.cwd()]
    for start in starts:
        start = start.expanduser().resolve()
        for candidate in (start, *start.parents):
            if _is_project_root(candidate, function_folder):
                return candidate
    searched = ", ".join(str(pathlib.Path(p).resolve()) for p in starts) or "(nothing)"
    raise ProjectRootNotFoundError(
        f"no jobc project root found: no folder containing {folder}/ at or above {searched}; "
        f"set {PROJECT_ROOT_ENV} to the project root"
    )


def function_dir(project_root: pathlib.Path, function_folder: str | None = None) -> pathlib.Path:
    return pathlib.Path(project_root) / _function_folder(function_folder)


def ensure_function_path(project_root: pathlib.Path, function_folder: str | None = None) -> pathlib.Path:
    """Put ``<root>/<functions folder>`` first on sys.path (idempotent)."""
    directory = function_dir(project_root, function_folder).resolve()
    if not directory.is_dir():
        raise FunctionLoadError(f"function folder {directory} does not exist")
    entry = str(directory)
    with _sys_path_lock:
        if entry not in sys.path:
            sys.path.insert(0, entry)
    return directory


def load_function_base(project_root: pathlib.Path | None = None, function_folder: str | None = None):
    """Import and return the project's ``function_abstract`` module."""
    root = _root(project_root, function_folder)
    ensure_function_path(root, function_folder)
    return _import(FUNCTION_BASE_MODULE, root, function_folder)


def load_function(
    module: str, class_name: str, project_root: pathlib.Path | None = None, function_folder: str | None = None
) -> type:
    """Import ``module`` from the project's function folder and return ``class_name``.

    The class must be a concrete subclass of the project's ``Function``.
    ``project_root`` defaults to :func:`find_project_root`.
    """
    if not isinstance(module, str) or not _MODULE_NAME.fullmatch(module):
        raise FunctionLoadError(f"invalid function module name {module!r}: expected a Python module name")
    if not isinstance(class_name, str) or not class_name.isidentifier():
        raise FunctionLoadError(f"invalid function class name {class_name!r}")
    root = _root(project_root, function_folder)
    base = load_function_base(root, function_folder)
    loaded = _import(module, root, function_folder)
    cls = getattr(loaded, class_name, None)
    if cls is None:
        raise FunctionLoadError(f"module {module!r} ({loaded.__file__}) has no class {class_name!r}")
    if not isinstance(cls, type) or not issubclass(cls, base.Function):
        raise FunctionLoadError(f"{module}.{class_name} is not a subclass of {FUNCTION_BASE_MODULE}.Function")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise FunctionLoadError(f"{module}.{class_name} is abstract (does not implement: {missing})")
    return cls


def _root(project_root: pathlib.Path | str | None, function_folder: str | None = None) -> pathlib.Path:
    if project_root is None:
        return find_project_root(function_folder=function_folder)
    return pathlib.Path(project_root).resolve()


def _import(module: str, project_root: pathlib.Path, function_folder: str | None = None):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        # Distinguish "the function module does not exist" from "it exists
        # but one of its own imports is missing" (e.g. psycopg2 not installed).
        if error.name is not None and (module == error.name or module.startswith(error.name + ".")):
            raise FunctionLoadError(
                f"function module {module!r} not found in {function_dir(project_root, function_folder)}"
            ) from None
        raise FunctionLoadError(f"function module {module!r} failed to import: {error}") from error
    except Exception as error:
        raise FunctionLoadError(f"function module {module!r} failed to import: {error!r}") from error
