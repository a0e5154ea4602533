"""Measures a generated Cloud Workflows program against the job's DAG, reading only the emitted
YAML (not jobc's own header figures, which it is checked against).

Billed steps: the steps one successful execution runs, every task succeeding at its first attempt.
Each named step counts 1; a `try` holding a call adds 1 for the call, one holding `steps` adds those
steps; a nested `steps` block adds its steps; a `switch` adds the steps of the first condition that
holds (conditions are evaluated for that execution); a `for` loop adds its steps once per item; a
`parallel` step adds 1 per branch plus the branch's steps, or its loop's steps per item; a call of
a subworkflow adds the subworkflow's steps; `except` blocks do not run.

Makespan: the program read as a series-parallel schedule. A list of steps runs in order (nested
`steps` blocks and subworkflow calls included); a `parallel` step ends when its slowest branch ends; a task's step lasts that task's duration and
every other step takes no time. The critical-path ratio is makespan ÷ the DAG's own critical path
(the longest path, summing task durations), so 1.0 means the program loses no parallelism.
"""

from __future__ import annotations

import collections
import re
import types

import yaml

BILLED_STEPS_HEADER = re.compile(r"^# Billed steps when every task succeeds at its first attempt: (\d+) ", re.M)

# The names a condition can read in an execution where every task succeeds and the run sets no
# parameters: conditions are Workflows expressions that are also Python expressions.
_SUCCESSFUL_RUN = {
    "states": collections.defaultdict(lambda: "success"),
    "failed_tasks": [],
    "args": {},
    "task": {"key": ""},
    "default": lambda value, fallback: fallback if value is None else value,
    "map": types.SimpleNamespace(get=lambda mapping, key: mapping.get(key)),
}


def _holds(condition: str) -> bool:
    expression = condition.removeprefix("${").removesuffix("}")
    return bool(eval(expression, {"__builtins__": {"len": len}}, dict(_SUCCESSFUL_RUN)))  # noqa: S307 (jobc's own output)


def billed_steps(steps: list, subworkflows: dict) -> int:
    """Steps one execution runs when every task succeeds at its first attempt."""
    total = 0
    for step in steps:
        ((_, body),) = step.items()
        total += 1
        if "try" in body:
            attempt = body["try"]
            total += billed_steps(attempt["steps"], subworkflows) if "steps" in attempt else 1
        if "steps" in body:
            total += billed_steps(body["steps"], subworkflows)
        if "switch" in body:
            # Cloud Workflows runs the first condition that holds.
            chosen = next((case for case in body["switch"] if _holds(case["condition"])), {})
            total += billed_steps(chosen.get("steps", []), subworkflows)
        if "for" in body:
            loop = body["for"]
            total += len(loop["in"]) * billed_steps(loop["steps"], subworkflows)
        if "parallel" in body:
            parallel = body["parallel"]
            for branch in parallel.get("branches", []):
                ((_, branch_body),) = branch.items()
                total += 1 + billed_steps(branch_body["steps"], subworkflows)
            if "for" in parallel:
                loop = parallel["for"]
                total += len(loop["in"]) * billed_steps(loop["steps"], subworkflows)
        if body.get("call") in subworkflows:
            total += billed_steps(subworkflows[body["call"]]["steps"], subworkflows)
    return total


def makespan(steps: list, duration: dict[str, float], subworkflows: dict) -> float:
    total = 0.0
    for step in steps:
        ((name, body),) = step.items()
        if name.startswith("task_"):
            total += duration[name.removeprefix("task_")]
        elif "steps" in body:
            total += makespan(body["steps"], duration, subworkflows)
        elif "parallel" in body and "branches" in body["parallel"]:
            total += max(makespan(next(iter(branch.values()))["steps"], duration, subworkflows)
                         for branch in body["parallel"]["branches"])
        elif body.get("call") in subworkflows:
            total += makespan(subworkflows[body["call"]]["steps"], duration, subworkflows)
    return total


def critical_path(upstream: dict[str, list[str]], duration: dict[str, float]) -> float:
    finish: dict[str, float] = {}

    def finish_of(task: str) -> float:
        if task not in finish:
            finish[task] = duration[task] + max((finish_of(parent) for parent in upstream[task]), default=0.0)
        return finish[task]

    return max(finish_of(task) for task in upstream)


class Program:
    """One `<job_id>.workflows.yaml`."""

    def __init__(self, text: str):
        self.header_billed_steps = int(BILLED_STEPS_HEADER.search(text).group(1))
        document = yaml.safe_load(text)
        self.steps = document["main"]["steps"]
        self.subworkflows = {name: body for name, body in document.items() if name != "main"}

    def billed_steps(self) -> int:
        return billed_steps(self.steps, self.subworkflows)

    def critical_path_ratio(self, upstream: dict[str, list[str]], duration: dict[str, float]) -> float:
        return makespan(self.steps, duration, self.subworkflows) / critical_path(upstream, duration)
