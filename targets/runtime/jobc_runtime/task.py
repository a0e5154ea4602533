"""run_task: the single entry point every engine adapter calls."""

from __future__ import annotations

import copy
import datetime
import logging
import pathlib
import types
from collections.abc import Mapping
from typing import Any

from .alerts import TaskFailure, error_text, send_failure_alerts
from .definition import TaskDefinition
from .errors import TaskConfigurationError
from .project import find_project_root, load_function, load_function_base
from .secret_store import resolve_secret

# The process is being stopped: not a failed attempt, so no alert (as Function.run runs no hook).
_NOT_A_TASK_FAILURE = (KeyboardInterrupt, SystemExit, GeneratorExit)


def run_task(
    definition: TaskDefinition,
    *,
    run_id: str,
    execution_date: datetime.datetime,
    attempt: int,
    params: Mapping[str, Any] | None = None,
    item: Any = None,
    logger: logging.Logger | None = None,
    project_root: pathlib.Path | str | None = None,
    function_folder: str | None = None,
    secret_folder: str | None = None,
) -> Any:
    """Run one attempt (of ``definition.max_attempts``) of a task's function and return its result.

    ``execution_date`` is the run's logical date and must be timezone-aware.
    ``params`` are the run's resolved parameter values (see :func:`jobc_runtime.resolve_params`),
    visible to the function as ``ctx.params``. ``item`` is a fan-out task's item for this run,
    passed as the kwarg ``definition.for_each`` (ignored for other tasks). When this attempt fails
    and is the last one, the definition's ``on_failure`` alerts are sent before the error propagates.
    ``project_root`` defaults to :func:`jobc_runtime.find_project_root`. ``function_folder`` and
    ``secret_folder`` (relative to the root) are the project's when its jobc.yaml names others than
    ``orchestration/function`` and ``secret``.
    Exceptions raised while running the task (loading the function, resolving its secret, the
    function itself) propagate unchanged so the engine can apply its retry policy. Invalid
    arguments raise TaskConfigurationError before anything runs, without alerts.
    """
    if not isinstance(definition, TaskDefinition):
        raise TaskConfigurationError(f"definition must be a TaskDefinition, got {type(definition).__name__}")
    attempt = _positive_int("attempt", attempt)
    if not isinstance(execution_date, datetime.datetime):
        raise TaskConfigurationError(
            f"execution_date must be a datetime.datetime, got {type(execution_date).__name__}"
        )
    if execution_date.tzinfo is None or execution_date.utcoffset() is None:
        raise TaskConfigurationError(f"execution_date must be timezone-aware, got {execution_date!r}")
    if params is not None and not isinstance(params, Mapping):
        raise TaskConfigurationError(f"params must be a mapping, got {type(params).__name__}")

    log = logger if logger is not None else logging.getLogger(f"jobc.task.{definition.job_id}.{definition.task_id}")
    try:
        return _run_attempt(
            definition, run_id, execution_date, attempt, params, item, log, project_root, function_folder, secret_folder
        )
    except _NOT_A_TASK_FAILURE:
        raise
    except BaseException as error:
        # BaseException: engines signal timeouts with BaseException subclasses, and a timed-out
        # last attempt is a failure to report like any other.
        if attempt >= definition.max_attempts and not definition.on_failure.is_empty:
            failure = TaskFailure(
                job_id=definition.job_id,
                task_id=definition.task_id,
                run_id=run_id,
                logical_date=execution_date.date(),
                attempt=attempt,
                max_attempts=definition.max_attempts,
                error=error_text(error),
            )
            try:
                send_failure_alerts(definition.on_failure, failure, log)
            except _NOT_A_TASK_FAILURE:
                raise
            except BaseException as alert_error:  # e.g. the engine's timeout firing while sending
                log.error("sending the failure alerts was interrupted: %s", type(alert_error).__name__)
        raise


def _run_attempt(
    definition: TaskDefinition,
    run_id: str,
    execution_date: datetime.datetime,
    attempt: int,
    params: Mapping[str, Any] | None,
    item: Any,
    log: logging.Logger,
    project_root: pathlib.Path | str | None,
    function_folder: str | None,
    secret_folder: str | None,
) -> Any:
    job_id, task_id, secret_key = definition.job_id, definition.task_id, definition.secret_key
    module, class_name = definition.function_module, definition.function_class
    if project_root is None:
        root = find_project_root(function_folder=function_folder)
    else:
        root = pathlib.Path(project_root).resolve()
    function_class = load_function(module, class_name, project_root=root, function_folder=function_folder)
    base = load_function_base(root, function_folder)

    if function_class.requires_secret and not secret_key:
        raise TaskConfigurationError(
            f"{module}.{class_name} requires a secret but task {task_id!r} of job {job_id!r} has no secret_key"
        )
    secret = resolve_secret(secret_key, project_root=root, secret_folder=secret_folder) if secret_key else None

    ctx = base.ExecutionContext(
        job_id=job_id,
        task_id=task_id,
        run_id=run_id,
        execution_date=_plain_datetime(execution_date),
        attempt=attempt,
        max_attempts=definition.max_attempts,
        project_root=root,
        secret=secret,
        params=types.MappingProxyType(dict(params or {})),
        logger=log,
    )
    # A deep copy per attempt: a function that changes its kwargs cannot change the next attempt's.
    kwargs = copy.deepcopy(dict(definition.function_kwargs))
    if definition.for_each is not None:
        kwargs[definition.for_each] = copy.deepcopy(item)
    function = function_class(**kwargs)
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


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise TaskConfigurationError(f"{name} must be a positive integer, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise TaskConfigurationError(f"{name} must be a positive integer, got {value!r}") from None
    if number < 1:
        raise TaskConfigurationError(f"{name} must be a positive integer, got {value!r}")
    return number


def _plain_datetime(value: datetime.datetime) -> datetime.datetime:
    # Engines hand over datetime subclasses (pendulum.DateTime in Airflow);
    # functions get a plain datetime so they never depend on an engine's types.
    return datetime.datetime.combine(value.date(), value.timetz(), tzinfo=value.tzinfo)
