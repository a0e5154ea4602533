"""Trigger rules: whether a task runs, given the states of its upstream tasks (docs/orchestration-features.md).

Airflow applies these rules itself; runtimes whose engine has none (Dagster, the Cloud Workflows
executor) call :func:`trigger_decision` so that every target decides exactly the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

TRIGGER_RULES = ("all_success", "all_done", "one_failed")
TASK_STATES = ("success", "failed", "upstream_failed", "skipped")

RUN = "run"
UPSTREAM_FAILED = "upstream_failed"
SKIPPED = "skipped"

_FAILURE_STATES = frozenset({"failed", "upstream_failed"})


def trigger_decision(rule: str, upstream_states: Iterable[str]) -> str:
    """``"run"``, ``"upstream_failed"`` or ``"skipped"`` for a task with trigger rule ``rule`` whose
    upstream tasks (all of them done) ended in ``upstream_states``.

    ============  ==========================================  =========================================
    rule          runs when                                   otherwise
    ============  ==========================================  =========================================
    all_success   every upstream task succeeded               upstream_failed if one failed or is
                                                              upstream_failed, else skipped
    all_done      always                                      —
    one_failed    one upstream is failed or upstream_failed   skipped
    ============  ==========================================  =========================================

    A task without upstream tasks always runs. Raises ``ValueError`` for an unknown rule or state.
    """
    if rule not in TRIGGER_RULES:
        raise ValueError(f"unknown trigger rule {rule!r} (expected one of: {', '.join(TRIGGER_RULES)})")
    if isinstance(upstream_states, (str, bytes)):
        raise ValueError(f"upstream_states must be a collection of task states, not the string {upstream_states!r}")
    states = list(upstream_states)
    unknown = [state for state in states if state not in TASK_STATES]
    if unknown:
        raise ValueError(
            f"unknown upstream task state(s) {', '.join(map(repr, unknown))} (expected: {', '.join(TASK_STATES)})"
        )
    if not states or rule == "all_done":
        return RUN
    any_failure = any(state in _FAILURE_STATES for state in states)
    if rule == "one_failed":
        return RUN if any_failure else SKIPPED
    if all(state == "success" for state in states):
        return RUN
    return UPSTREAM_FAILED if any_failure else SKIPPED
