"""What jobc-generated Prefect flows import: one Prefect task per jobc task, run through
``jobc_runtime.run_task`` (the contract every target shares), and the flow's own helpers.

- ``jobc_task``: the Prefect task of one jobc task (retries, retry delay, timeout, tags);
- ``run_logical_date``, ``is_scheduled_before``, ``skipped_before``: the date a run is for, and
  holding back scheduled runs before the job's start date (``logical_date.py``);
- ``finish_run``: the flow's final state from its tasks' states;
- ``serve``: the flow as a deployment with its schedule (``deployment.py``).

Importing this module imports Prefect, but neither the task functions nor their dependencies
(psycopg2): only running a task does.
"""

from __future__ import annotations

import copy
import datetime
import logging
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import jobc_runtime
from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.futures import PrefectFuture, wait
from prefect.states import Completed, Failed, State

from .deployment import serve
from .logical_date import is_scheduled_before, run_logical_date, skipped_before

__all__ = ["finish_run", "is_scheduled_before", "jobc_task", "run_logical_date", "serve", "skipped_before"]


def jobc_task(
    *,
    task_id: str,
    job_id: str,
    function_module: str,
    function_class: str,
    function_kwargs: Mapping[str, Any] | None = None,
    secret_key: str | None = None,
    retries: int = 0,
    retry_delay_seconds: int = 300,
    timeout_seconds: float | None = None,
    tags: Sequence[str] = (),
) -> Task:
    """A Prefect task running ``function_module.function_class(**function_kwargs)`` via jobc_runtime.

    The task takes the run's logical date and returns nothing. Nothing is cached or persisted
    (every run and every retry calls the function again), and kwargs reach the function verbatim:
    a deep copy per attempt, never task parameters, so Prefect neither stores nor renders them.
    """
    _check_arguments(task_id, job_id, function_module, function_class, function_kwargs, secret_key,
                     retries, retry_delay_seconds, timeout_seconds, tags)
    kwargs_snapshot = copy.deepcopy(dict(function_kwargs or {}))
    max_attempts = retries + 1
    # The generated module normally lives inside the project: a last resort for finding its root.
    module_file = sys._getframe(1).f_globals.get("__file__")

    def run_jobc_function(logical_date: datetime.datetime) -> None:
        task_run = TaskRunContext.get().task_run
        jobc_runtime.run_task(
            job_id=job_id,
            task_id=task_id,
            run_id=str(task_run.flow_run_id),
            execution_date=logical_date,
            attempt=task_run.run_count,  # 1 on the first attempt
            max_attempts=max_attempts,
            module=function_module,
            class_name=function_class,
            kwargs=copy.deepcopy(kwargs_snapshot),
            secret_key=secret_key,
            # Under prefect.task_runs: Prefect sends these lines to the task run's logs.
            logger=logging.getLogger(f"prefect.task_runs.jobc.{job_id}.{task_id}"),
            project_root=jobc_runtime.project_root_for_generated_code(module_file),
        )

    # Prefect derives a task's key (how the UI groups its runs) from the function's name.
    run_jobc_function.__name__ = run_jobc_function.__qualname__ = task_id
    return task(
        run_jobc_function,
        name=task_id,
        task_run_name=task_id.replace("{", "{{").replace("}", "}}"),  # a format string to Prefect
        retries=retries,
        retry_delay_seconds=retry_delay_seconds,
        timeout_seconds=timeout_seconds,
        tags=list(tags),
        cache_policy=NO_CACHE,
        persist_result=False,
        cache_result_in_memory=False,
    )


def finish_run(futures: Mapping[str, PrefectFuture]) -> State:
    """The flow's final state once every task is done: Failed, naming the failed tasks and those that
    never ran (an upstream task failed), unless every task completed."""
    wait(list(futures.values()))
    failed = [task_id for task_id, future in futures.items() if _ended_badly(future.state)]
    not_run = [task_id for task_id, future in futures.items() if not future.state.is_final()]
    if not failed and not not_run:
        return Completed(message=f"all {len(futures)} tasks completed")
    message = f"failed: {', '.join(failed) or 'none'}; not run (an upstream task failed): {', '.join(not_run) or 'none'}"
    return Failed(message=message)


def _ended_badly(state: State) -> bool:
    return state.is_failed() or state.is_crashed() or state.is_cancelled()


def _check_arguments(task_id, job_id, function_module, function_class, function_kwargs, secret_key,
                     retries, retry_delay_seconds, timeout_seconds, tags) -> None:
    # Cheap checks only, so a bad module fails when it is imported; the function itself is imported
    # at run time (whoever loads the flow need not have the function's dependencies).
    required = {"task_id": task_id, "job_id": job_id, "function_module": function_module,
                "function_class": function_class}
    for argument, value in required.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{argument} must be a non-empty string, got {value!r}")
    if secret_key is not None and (not isinstance(secret_key, str) or not secret_key):
        raise ValueError(f"secret_key must be a non-empty string or None, got {secret_key!r}")
    if function_kwargs is not None and not isinstance(function_kwargs, Mapping):
        raise TypeError(f"function_kwargs must be a mapping, got {type(function_kwargs).__name__}")
    for argument, value in {"retries": retries, "retry_delay_seconds": retry_delay_seconds}.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{argument} must be a whole number >= 0, got {value!r}")
    if timeout_seconds is not None and (
        isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, (int, float))
        or not math.isfinite(timeout_seconds) or timeout_seconds <= 0
    ):
        raise ValueError(f"timeout_seconds must be a positive number of seconds or None, got {timeout_seconds!r}")
    # A str is a Sequence too: "etl" would silently become three tags.
    if isinstance(tags, (str, bytes)) or not all(isinstance(tag, str) for tag in tags):
        raise TypeError(f"tags must be a list of strings, got {tags!r}")
