"""What a job asks for that this target cannot run faithfully: one error diagnostic per use.

jobc refuses these features itself from the capabilities; the plugin checks again so that no IR
it is handed is ever compiled into a flow that runs something else than the job says.
"""

from __future__ import annotations

from .ir import DEFAULT_TRIGGER_RULE, JobGraph

# The flow's own parameter: a run parameter of that name could not be told apart from it.
FLOW_PARAMETER = "logical_date"
_OTHER_TARGETS = "airflow, dagster or cloud-workflows"


def refusals(graph: JobGraph) -> list[dict]:
    diagnostics = []
    for param in graph.job.params:
        if param.name == FLOW_PARAMETER:
            diagnostics.append(error_diagnostic(
                f"Prefect target cannot express run parameter '{param.name}': the generated flow's own "
                f"'{FLOW_PARAMETER}' parameter sets the date the run is for",
                suggestion="rename the run parameter"))
    for task in graph.tasks:
        if task.trigger_rule != DEFAULT_TRIGGER_RULE:
            diagnostics.append(error_diagnostic(
                f"Prefect target cannot express trigger_rule '{task.trigger_rule}' on task '{task.key}'",
                task=task.key,
                suggestion=f"Prefect runs a task only when all its upstream tasks completed: remove trigger_rule, "
                           f"or compile this job for {_OTHER_TARGETS}"))
    return diagnostics


def error_diagnostic(message: str, *, task: str | None = None, suggestion: str | None = None) -> dict:
    diagnostic = {"severity": "error", "message": message}
    if task is not None:
        diagnostic["task"] = task
    if suggestion is not None:
        diagnostic["suggestion"] = suggestion
    return diagnostic
