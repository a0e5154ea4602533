"""Outcome passing: how a job with trigger rules runs on Dagster.

Dagster abandons every op downstream of a failed op, so ``one_failed`` / ``all_done``
tasks could never run. In a job that uses trigger rules every op therefore always
runs and passes on its task's outcome (``success``, ``failed``, ``upstream_failed``,
``skipped``) as its output; see :func:`jobc_dagster.jobc_op`. A handled failure makes
the op's step succeed (with ``jobc/outcome: failed`` in its output metadata), so the
job's last op, ``jobc_run_outcome``, fails the run when any task failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg
import jobc_runtime

SUCCESS = "success"
FAILED = "failed"
OUTCOME_METADATA_KEY = "jobc/outcome"
RUN_OUTCOME_OP = "jobc_run_outcome"


def outcome_output(outcome: str) -> dg.Output:
    return dg.Output(outcome, metadata={OUTCOME_METADATA_KEY: outcome})


def task_state(value) -> str:
    """A task's state from its op's output: an outcome, or a fan-out task's list of outcomes.

    A fan-out task failed if any of its runs failed, succeeded if all did; otherwise none of
    its runs ran, for one reason (they all had the same upstream tasks).
    """
    if isinstance(value, str):
        states = [value]
    elif isinstance(value, (list, tuple)) and value and all(isinstance(state, str) for state in value):
        states = list(value)
    else:
        raise ValueError(f"not a jobc task outcome: {value!r}")
    unknown = [state for state in states if state not in jobc_runtime.TASK_STATES]
    if unknown:
        raise ValueError(f"not a jobc task outcome: {unknown[0]!r}")
    if FAILED in states:
        return FAILED
    if all(state == SUCCESS for state in states):
        return SUCCESS
    return next(state for state in states if state != SUCCESS)


def jobc_run_outcome_op(*, job_id: str, tasks: Mapping[str, str]) -> dg.OpDefinition:
    """The op that fails the run when any task failed; ``tasks`` maps every task key to its task id.

    It waits for every task (an input per task key), so it runs last.
    """
    if not isinstance(tasks, Mapping) or not tasks:
        raise ValueError(f"tasks must be a non-empty mapping of task keys to task ids, got {tasks!r}")
    task_ids = dict(tasks)

    @dg.op(
        name=RUN_OUTCOME_OP,
        description="Fails the run when any task failed (tasks with trigger rules may have handled it).",
        ins={key: dg.In(dg.Any) for key in task_ids},
        out=dg.Out(dg.Nothing),
    )
    def _run_outcome(context, **outcomes) -> None:
        states = {task_ids[key]: task_state(value) for key, value in outcomes.items()}
        failed = [task_id for task_id, state in states.items() if state == FAILED]
        summary = ", ".join(f"{task_id} {state}" for task_id, state in states.items())
        if failed:
            raise dg.Failure(
                description=f"jobc job {job_id}: task(s) failed: {', '.join(failed)}",
                metadata={"failed_tasks": failed, "outcomes": summary},
                allow_retries=False,
            )
        context.log.info(f"jobc job {job_id}: no task failed ({summary})")

    return _run_outcome
