"""jobc_op: one jobc task as a Dagster op (the counterpart of Airflow's JobcFunctionOperator)."""

from __future__ import annotations

import keyword
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import jobc_runtime

from .logical_date import run_logical_date
from .outcomes import FAILED, SUCCESS, outcome_output, task_state
from .run_params import RUN_PARAMS_RESOURCE_KEY, run_param_values
from .timeout import time_limit

# The data input a fan-out task's op receives its item on. Task keys never end with "_", so no
# upstream task's input can take this name.
ITEM_INPUT = "jobc_item_"


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
    run_params: bool = False,
    on_failure: Mapping[str, Sequence[str]] | None = None,
    for_each: str | None = None,
    trigger_rule: str | None = None,
    tags: Mapping[str, str] | None = None,
    function_folder: str | None = None,
    secret_folder: str | None = None,
) -> dg.OpDefinition:
    """Return an op that runs ``function_module.function_class(**function_kwargs)`` via jobc_runtime.

    ``upstream`` names the op's ``Nothing`` inputs: pure ordering, no data flows
    between jobc tasks. The op's single output is ``Nothing`` too, so Dagster
    never hands the function's result to an IO manager. Nothing is templated:
    kwargs reach the function verbatim (jobc_runtime hands each attempt a deep
    copy, so a function that mutates its kwargs cannot affect a retry in the
    same process). The arguments every target shares become a
    ``jobc_runtime.TaskDefinition``, checked when the module loads.

    ``run_params``: the job declares run parameters; the op reads them from the
    ``jobc_params`` resource (:func:`jobc_params_resource`) and hands the resolved
    values to the function (``ctx.params``). ``on_failure``: the task's alerts
    (``{"webhooks": [...], "emails": [...]}``), sent by jobc_runtime when the last
    attempt fails. ``for_each``: the task is a fan-out task; the op is mapped over
    :func:`jobc_items` and gets each item on its ``jobc_item_`` input, passed to the
    function as the kwarg named ``for_each``.

    ``function_folder`` and ``secret_folder``: the project's folders when its jobc.yaml
    names others than ``orchestration/function`` and ``secret`` (None: those).

    ``trigger_rule`` (None, or "all_success" / "all_done" / "one_failed") switches
    the op to *outcome passing*, the lowering of jobs that use trigger rules: Dagster
    never starts an op after an upstream op failed, so there every op always runs,
    receives its upstream tasks' outcomes ("success", "failed", "upstream_failed",
    "skipped"; a list of them from a fan-out task) as inputs, decides with
    ``jobc_runtime.trigger_decision`` whether to run the function, and returns its
    own outcome (also shown as the output's ``jobc/outcome`` metadata). A failing
    attempt that will be retried still raises (so the RetryPolicy applies); a failed
    last attempt is logged at ERROR and returned as "failed", and the job's
    ``jobc_run_outcome`` op (:func:`jobc_run_outcome_op`) then fails the run.
    """
    _check_dagster_arguments(name, upstream, retry_policy, tags)
    definition = jobc_runtime.TaskDefinition(
        job_id=job_id,
        task_id=name,
        function_module=function_module,
        function_class=function_class,
        function_kwargs=function_kwargs,
        secret_key=secret_key,
        # Only the op's own policy is known here; Dagster counts retries from 0.
        retries=retry_policy.max_retries if retry_policy is not None else 0,
        timeout_seconds=timeout_seconds,
        on_failure=on_failure,
        for_each=for_each,
        trigger_rule=trigger_rule,
    )
    # The generated module normally lives inside the project: remember where it
    # is, as a last resort for finding the project root at run time.
    module_file = sys._getframe(1).f_globals.get("__file__")

    passes_outcomes = definition.trigger_rule is not None
    # Outcome passing: upstream outcomes are data (a str, or a list from a fan-out task).
    upstream_type = dg.Any if passes_outcomes else dg.Nothing
    ins = {input_name: dg.In(upstream_type) for input_name in upstream}
    if definition.for_each is not None:
        ins[ITEM_INPUT] = dg.In(dg.Any)

    def run_attempt(context, logger, item) -> None:
        logical_date, source = run_logical_date(context)
        logger.info("logical date %s (from %s)", logical_date.isoformat(), source)
        with time_limit(definition.timeout_seconds, f"jobc task {job_id}/{name}", logger):
            jobc_runtime.run_task(
                definition,
                run_id=context.run_id,
                execution_date=logical_date,
                attempt=context.retry_number + 1,
                params=run_param_values(context) if run_params else None,
                item=item,
                logger=logger,
                project_root=jobc_runtime.project_root_for_generated_code(
                    module_file, function_folder=function_folder
                ),
                function_folder=function_folder,
                secret_folder=secret_folder,
            )
        # The function's result is not part of the contract: it is dropped.

    @dg.op(
        name=name,
        description=description,
        ins=ins,
        out=dg.Out(dg.String if passes_outcomes else dg.Nothing),
        retry_policy=retry_policy,
        required_resource_keys={RUN_PARAMS_RESOURCE_KEY} if run_params else None,
        tags=dict(tags) if tags else None,
    )
    def _jobc_task(context, **inputs):
        # A stdlib logger under "dagster.builtin": Dagster captures it into the
        # run's event log with no instance configuration.
        logger = dg.get_dagster_logger(f"jobc.task.{job_id}.{name}")
        item = inputs.get(ITEM_INPUT)
        if not passes_outcomes:
            run_attempt(context, logger, item)
            return None
        upstream_states = [task_state(inputs[key]) for key in upstream]
        decision = jobc_runtime.trigger_decision(definition.trigger_rule, upstream_states)
        if decision != "run":
            logger.info("not run: %s (trigger rule %s, upstream tasks: %s)", decision, definition.trigger_rule,
                        ", ".join(f"{key} {state}" for key, state in zip(upstream, upstream_states)))
            return outcome_output(decision)
        try:
            run_attempt(context, logger, item)
        except Exception:
            if context.retry_number + 1 < definition.max_attempts:
                raise  # the RetryPolicy tries again
            # Dagster would abandon every downstream op of a failed op: the failure is
            # recorded as this task's outcome instead, so one_failed/all_done tasks run.
            logger.error("jobc task %s/%s failed at its last attempt (%d of %d); its outcome is 'failed'",
                         job_id, name, context.retry_number + 1, definition.max_attempts, exc_info=True)
            return outcome_output(FAILED)
        return outcome_output(SUCCESS)

    return _jobc_task


def _check_dagster_arguments(name, upstream, retry_policy, tags) -> None:
    """What only an op has; jobc_runtime.TaskDefinition checks the rest."""
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
    if tags is not None and (not isinstance(tags, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in tags.items())):
        raise ValueError(f"tags must be a mapping of strings to strings, got {tags!r}")
