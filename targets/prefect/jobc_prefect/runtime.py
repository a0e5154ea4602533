"""What jobc-generated Prefect flows import: one Prefect task per jobc task, run through
``jobc_runtime.run_task`` (the contract every target shares), and the flow's own helpers.

- ``jobc_task``: the Prefect task of one jobc task (retries, retry delay, timeout, tags, failure alerts);
- ``run_params``: the run parameters' values for this run, checked by jobc_runtime;
- ``run_logical_date``, ``is_scheduled_before``, ``skipped_before``: the date a run is for, and
  holding back scheduled runs before the job's start date (``logical_date.py``);
- ``fan_out``: one run of a fan-out task per item;
- ``finish_run``: the flow's final state from its tasks' states;
- ``serve``: the flow as a deployment with its schedule (``deployment.py``).

Importing this module imports Prefect, but neither the task functions nor their dependencies
(psycopg2): only running a task does.
"""

from __future__ import annotations

import copy
import datetime
import logging
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import jobc_runtime
from prefect import Task, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.futures import PrefectFuture, PrefectFutureList, wait
from prefect.states import Completed, Failed, State

from .deployment import serve
from .logical_date import is_scheduled_before, run_logical_date, skipped_before

__all__ = ["fan_out", "finish_run", "is_scheduled_before", "jobc_task", "run_logical_date", "run_params", "serve",
           "skipped_before"]


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
    on_failure: Mapping[str, Any] | None = None,
    for_each_parameter: str | None = None,
    for_each_items: Sequence[Any] | None = None,
    function_folder: str | None = None,
    secret_folder: str | None = None,
) -> Task:
    """A Prefect task running ``function_module.function_class(**function_kwargs)`` via jobc_runtime.

    The task takes the run's logical date and its run parameters' values (``run_params``) and
    returns nothing. ``on_failure`` (the IR's ``onFailure``) goes to jobc_runtime.run_task, which
    sends the alerts when the last attempt fails. A fan-out task (``for_each_parameter`` and
    ``for_each_items``) runs through ``fan_out``: each run gets its item as that kwarg and is retried
    on its own. Nothing is cached or persisted (every run and every retry calls the function
    again), and kwargs and items reach the function verbatim: a deep copy per attempt, never task
    parameters, so Prefect neither stores nor renders them. The arguments every target shares become
    a ``jobc_runtime.TaskDefinition``, checked when the module is imported. ``function_folder``
    and ``secret_folder``: the project's folders when its jobc.yaml names other ones.
    """
    definition = jobc_runtime.TaskDefinition(
        job_id=job_id,
        task_id=task_id,
        function_module=function_module,
        function_class=function_class,
        function_kwargs=function_kwargs,
        secret_key=secret_key,
        retries=retries,
        timeout_seconds=timeout_seconds,
        on_failure=on_failure,
        for_each=for_each_parameter,
    )
    _check_prefect_arguments(retry_delay_seconds, tags)
    items = _fan_out_items(for_each_parameter, for_each_items)
    # The generated module normally lives inside the project: a last resort for finding its root.
    module_file = sys._getframe(1).f_globals.get("__file__")

    def run_jobc_function(logical_date: datetime.datetime, params: Mapping[str, Any] | None = None,
                          item_index: int | None = None) -> None:
        task_run = TaskRunContext.get().task_run
        jobc_runtime.run_task(
            definition,
            run_id=str(task_run.flow_run_id),
            execution_date=logical_date,
            attempt=task_run.run_count,  # 1 on the first attempt
            params=params,
            # The item is looked up here, not passed in: Prefect never stores or renders it.
            item=items[item_index] if items is not None else None,
            # Under prefect.task_runs: Prefect sends these lines to the task run's logs.
            logger=logging.getLogger(f"prefect.task_runs.jobc.{job_id}.{task_id}"),
            project_root=jobc_runtime.project_root_for_generated_code(module_file, function_folder=function_folder),
            function_folder=function_folder,
            secret_folder=secret_folder,
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


def run_params(declared: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> dict[str, Any]:
    """The value of every declared run parameter (the flow's arguments ``values``), checked by
    jobc_runtime as on every target: a value of the wrong type raises RunParameterError, which fails
    the flow run before any task starts. Prefect itself refuses unknown parameter names."""
    return jobc_runtime.resolve_params(declared, values)


def fan_out(fan_out_task: Task, item_count: int, *arguments: Any,
            wait_for: Sequence[PrefectFuture] = ()) -> PrefectFutureList:
    """Run a fan-out task (a ``jobc_task`` with ``for_each_items``) once per item, concurrently,
    each run after ``wait_for``; the runs' futures, which a task after it waits for (fan-in)."""
    if isinstance(item_count, bool) or not isinstance(item_count, int) or item_count < 1:
        raise ValueError(f"item_count must be a whole number >= 1, got {item_count!r}")
    # Only item_index is mapped: Prefect would iterate over any other iterable argument.
    return fan_out_task.map(*(unmapped(argument) for argument in arguments), item_index=range(item_count),
                            wait_for=list(wait_for))


def finish_run(futures: Mapping[str, PrefectFuture | Sequence[PrefectFuture]]) -> State:
    """The flow's final state once every task is done: Failed, naming the failed tasks and those that
    never ran (an upstream task failed), unless every task completed. A fan-out task (its runs'
    futures) failed if any of its runs failed."""
    runs = {task_id: list(value) if isinstance(value, Sequence) else [value] for task_id, value in futures.items()}
    wait([future for task_runs in runs.values() for future in task_runs])
    failed = [task_id for task_id, task_runs in runs.items() if any(_ended_badly(run.state) for run in task_runs)]
    not_run = [task_id for task_id, task_runs in runs.items()
               if task_id not in failed and not all(run.state.is_final() for run in task_runs)]
    if not failed and not not_run:
        return Completed(message=f"all {len(futures)} tasks completed")
    message = f"failed: {', '.join(failed) or 'none'}; not run (an upstream task failed): {', '.join(not_run) or 'none'}"
    return Failed(message=message)


def _ended_badly(state: State) -> bool:
    return state.is_failed() or state.is_crashed() or state.is_cancelled()


def _fan_out_items(parameter: str | None, items: Sequence[Any] | None) -> list[Any] | None:
    # The parameter itself is checked by jobc_runtime.TaskDefinition (for_each).
    if parameter is None and items is None:
        return None
    if parameter is None:
        raise ValueError(f"for_each_parameter must be a non-empty string, got {parameter!r}")
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence) or not items:
        raise ValueError(f"for_each_items must be a non-empty list, got {items!r}")
    return copy.deepcopy(list(items))


def _check_prefect_arguments(retry_delay_seconds, tags) -> None:
    """What only a Prefect task has; jobc_runtime.TaskDefinition checks the rest."""
    if isinstance(retry_delay_seconds, bool) or not isinstance(retry_delay_seconds, int) or retry_delay_seconds < 0:
        raise ValueError(f"retry_delay_seconds must be a whole number >= 0, got {retry_delay_seconds!r}")
    # A str is a Sequence too: "etl" would silently become three tags.
    if isinstance(tags, (str, bytes)) or not all(isinstance(tag, str) for tag in tags):
        raise TypeError(f"tags must be a list of strings, got {tags!r}")
