"""jobc_op: one jobc task as a Dagster op (the counterpart of Airflow's JobcFunctionOperator)."""

from __future__ import annotations

import copy
import keyword
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import jobc_runtime

from .logical_date import run_logical_date
from .timeout import time_limit


def jobc_op(
    *,
    name: str,
    job_id: str,
    function_module: str,
    function_class: str,
    function_kwargs: Mapping[str, Any] | None = None,
    secret_key: str | None = None,
    upstream: Sequence[str] = (),
    retry_policy: dg.RetryPolicy | None = None,
    timeout_seconds: float | None = None,
    description: str | None = None,
) -> dg.OpDefinition:
    """Return an op that runs ``function_module.function_class(**function_kwargs)`` via jobc_runtime.

    ``upstream`` names the op's ``Nothing`` inputs: pure ordering, no data flows
    between jobc tasks. The op's single output is ``Nothing`` too, so Dagster
    never hands the function's result to an IO manager. Nothing is templated:
    kwargs reach the function verbatim (a deep copy per attempt, so a function
    that mutates its kwargs cannot affect a retry in the same process).
    """
    _check_arguments(name, job_id, function_module, function_class, function_kwargs, secret_key,
                     upstream, retry_policy, timeout_seconds)
    kwargs_snapshot: dict[str, Any] = copy.deepcopy(dict(function_kwargs or {}))
    # Only the op's own policy is known here; Dagster counts retries from 0.
    max_attempts = (retry_policy.max_retries if retry_policy is not None else 0) + 1
    # The generated module normally lives inside the project: remember where it
    # is, as a last resort for finding the project root at run time.
    module_file = sys._getframe(1).f_globals.get("__file__")

    @dg.op(
        name=name,
        description=description,
        ins={input_name: dg.In(dg.Nothing) for input_name in upstream},
        out=dg.Out(dg.Nothing),
        retry_policy=retry_policy,
    )
    def _jobc_task(context) -> None:
        # A stdlib logger under "dagster.builtin": Dagster captures it into the
        # run's event log with no instance configuration.
        logger = dg.get_dagster_logger(f"jobc.task.{job_id}.{name}")
        logical_date, source = run_logical_date(context)
        logger.info("logical date %s (from %s)", logical_date.isoformat(), source)
        with time_limit(timeout_seconds, f"jobc task {job_id}/{name}", logger):
            jobc_runtime.run_task(
                job_id=job_id,
                task_id=name,
                run_id=context.run_id,
                execution_date=logical_date,
                attempt=context.retry_number + 1,
                max_attempts=max_attempts,
                module=function_module,
                class_name=function_class,
                kwargs=copy.deepcopy(kwargs_snapshot),
                secret_key=secret_key,
                logger=logger,
                project_root=jobc_runtime.project_root_for_generated_code(module_file),
            )
        # The function's result is not part of the contract: return nothing.

    return _jobc_task


def _check_arguments(name, job_id, function_module, function_class, function_kwargs, secret_key,
                     upstream, retry_policy, timeout_seconds) -> None:
    # Cheap checks only, so a bad definition fails when Dagster loads it; the
    # function itself is imported at run time (the code server need not have
    # the function's dependencies, e.g. psycopg2).
    required = {"name": name, "job_id": job_id, "function_module": function_module, "function_class": function_class}
    for argument, value in required.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{argument} must be a non-empty string, got {value!r}")
    if secret_key is not None and (not isinstance(secret_key, str) or not secret_key):
        raise ValueError(f"secret_key must be a non-empty string or None, got {secret_key!r}")
    if function_kwargs is not None and not isinstance(function_kwargs, Mapping):
        raise TypeError(f"function_kwargs must be a mapping, got {type(function_kwargs).__name__}")
    # A str is a Sequence too: "extract" would silently become seven inputs.
    if isinstance(upstream, (str, bytes)) or not isinstance(upstream, Sequence):
        raise TypeError(f"upstream must be a list of task keys, got {upstream!r}")
    for key in upstream:
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
            raise ValueError(f"upstream entries must be Python identifiers, got {key!r}")
    if len(set(upstream)) != len(upstream):
        raise ValueError(f"upstream of {name!r} lists a task twice: {list(upstream)!r}")
    if retry_policy is not None and not isinstance(retry_policy, dg.RetryPolicy):
        raise TypeError(f"retry_policy must be a dagster.RetryPolicy or None, got {type(retry_policy).__name__}")
    if timeout_seconds is not None and (
        isinstance(timeout_seconds, bool)
        or not isinstance(timeout_seconds, (int, float))
        or not math.isfinite(timeout_seconds)
        or timeout_seconds <= 0
    ):
        raise ValueError(f"timeout_seconds must be a positive number of seconds or None, got {timeout_seconds!r}")
