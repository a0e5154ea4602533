"""run_task: the single entry point every engine adapter calls."""

from __future__ import annotations

import datetime
import logging
import pathlib
import types
from collections.abc import Mapping
from typing import Any

from .errors import TaskConfigurationError
from .project import find_project_root, load_function, load_function_base
from .secret_store import resolve_secret


def run_task(
    *,
    job_id: str,
    task_id: str,
    run_id: str,
    execution_date: datetime.datetime,
    attempt: int,
    max_attempts: int,
    module: str,
    class_name: str,
    kwargs: Mapping[str, Any] | None,
    secret_key: str | None,
    params: Mapping[str, Any] | None = None,
    logger: logging.Logger | None = None,
    project_root: pathlib.Path | str | None = None,
) -> Any:
    """Run one attempt of a task's function and return its result.

    ``execution_date`` is the run's logical date and must be timezone-aware.
    ``project_root`` defaults to :func:`jobc_runtime.find_project_root`.
    Exceptions raised by the function propagate unchanged so the engine can
    apply its retry policy.
    """
    if not isinstance(execution_date, datetime.datetime):
        raise TaskConfigurationError(
            f"execution_date must be a datetime.datetime, got {type(execution_date).__name__}"
        )
    if execution_date.tzinfo is None or execution_date.utcoffset() is None:
        raise TaskConfigurationError(f"execution_date must be timezone-aware, got {execution_date!r}")
    if kwargs is not None and not isinstance(kwargs, Mapping):
        raise TaskConfigurationError(f"kwargs must be a mapping, got {type(kwargs).__name__}")

    root = find_project_root() if project_root is None else pathlib.Path(project_root).resolve()
    log = logger if logger is not None else logging.getLogger(f"jobc.task.{job_id}.{task_id}")
    function_class = load_function(module, class_name, project_root=root)
    base = load_function_base(root)

    if function_class.requires_secret and not secret_key:
        raise TaskConfigurationError(
            f"{module}.{class_name} requires a secret but task {task_id!r} of job {job_id!r} has no secret_key"
        )
    secret = resolve_secret(secret_key, project_root=root) if secret_key else None

    ctx = base.ExecutionContext(
        job_id=job_id,
        task_id=task_id,
        run_id=run_id,
        execution_date=_plain_datetime(execution_date),
        attempt=int(attempt),
        max_attempts=int(max_attempts),
        project_root=root,
        secret=secret,
        params=types.MappingProxyType(dict(params or {})),
        logger=log,
    )
    function = function_class(**dict(kwargs or {}))
    log.info(
        "jobc task %s/%s run %s attempt %d/%d: %s.%s (kwargs: %s; secret: %s)",
        job_id,
        task_id,
        run_id,
        ctx.attempt,
        ctx.max_attempts,
        module,
        class_name,
        ", ".join(sorted(function.kwargs)) or "none",
        secret_key or "none",  # the name only, never the value
    )
    return function.run(ctx)


def _plain_datetime(value: datetime.datetime) -> datetime.datetime:
    # Engines hand over datetime subclasses (pendulum.DateTime in Airflow);
    # functions get a plain datetime so they never depend on an engine's types.
    return datetime.datetime.combine(value.date(), value.timetz(), tzinfo=value.tzinfo)
