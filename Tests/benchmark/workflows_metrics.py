"""Measures a generated Cloud Workflows program against the job's DAG, reading only the emitted
YAML (not jobc's own header figures, which it is checked against).

Billed steps: the steps one successful execution runs, every task succeeding at its first attempt.
Each named step counts 1; a `try` holding a call adds 1 for the call, one holding `steps` adds those
steps; a `parallel` step adds 1 per branch plus the branch's steps; `except` blocks do not run.

Makespan: the program read as a series-parallel schedule. A list of steps runs in order; a
`parallel` step ends when its slowest branch ends; a task's step lasts that task's duration and
every other step takes no time. The critical-path ratio is makespan ÷ the DAG's own critical path
(the longest path, summing task durations), so 1.0 means the program loses no parallelism.
"""

from __future__ import annotations

import re

import yaml

BILLED_STEPS_HEADER = re.compile(r"^# Billed steps when every task succeeds at its first attempt: (\d+) ", re.M)


def billed_steps(steps: list) -> int:
    total = 0
    for step in steps:
        ((_, body),) = step.items()
        total += 1
        if "try" in body:
            attempt = body["try"]
            total += billed_steps(attempt["steps"]) if "steps" in attempt else 1
        if "parallel" in body:
            for branch in body["parallel"]["branches"]:
                ((_, branch_body),) = branch.items()
                total += 1 + billed_steps(branch_body["steps"])
    return total


def makespan(steps: list, duration: dict[str, float]) -> float:
    total = 0.0
    for step in steps:
        ((name, body),) = step.items()
        if name.startswith("task_"):
            total += duration[name.removeprefix("task_")]
        elif "parallel" in body:
            total += max(makespan(next(iter(branch.values()))["steps"], duration)
                         for branch in body["parallel"]["branches"])
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
        self.steps = yaml.safe_load(text)["main"]["steps"]

    def billed_steps(self) -> int:
        return billed_steps(self.steps)

    def critical_path_ratio(self, upstream: dict[str, list[str]], duration: dict[str, float]) -> float:
        return makespan(self.steps, duration) / critical_path(upstream, duration)
