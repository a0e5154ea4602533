"""The IR (docs/ir.md) as the executor schedules it: each task's jobc_runtime.TaskDefinition, its
retry delay, its upstream tasks and a fan-out task's items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jobc_runtime


@dataclass(frozen=True)
class LocalTask:
    key: str
    definition: jobc_runtime.TaskDefinition
    retry_delay_seconds: float
    upstream: tuple[str, ...]
    items: tuple[Any, ...] | None  # a fan-out task's items; None for other tasks
    ir: Mapping[str, Any]  # the task's IR object, what an attempt's process rebuilds the definition from

    @property
    def task_id(self) -> str:
        return self.definition.task_id

    @property
    def trigger_rule(self) -> str:
        return self.definition.trigger_rule or "all_success"


def definition(job_id: str, task: Mapping[str, Any]) -> jobc_runtime.TaskDefinition:
    """The TaskDefinition of one IR task: the same fields every engine adapter passes."""
    for_each = task.get("forEach")
    secret = task.get("secret")
    return jobc_runtime.TaskDefinition(
        job_id=job_id,
        task_id=task["taskId"],
        function_module=task["function"]["module"],
        function_class=task["function"]["className"],
        function_kwargs=task.get("parameters") or {},
        secret_key=secret["name"] if secret else None,
        retries=task["retry"]["retries"],
        timeout_seconds=task.get("timeoutSeconds"),
        on_failure=task.get("onFailure"),
        for_each=for_each["parameter"] if for_each else None,
        trigger_rule=task.get("triggerRule") or "all_success",
    )


def local_tasks(ir: Mapping[str, Any], selected: tuple[str, ...] | None) -> list[LocalTask]:
    """The tasks to run, in the IR's topological order. With a selection, only those tasks, and only
    the edges between them: a task whose upstream task is not selected does not wait for it."""
    job_id = ir["job"]["id"]
    keep = None if selected is None else set(selected)
    upstream: dict[str, list[str]] = {}
    for edge in ir.get("edges", []):
        upstream.setdefault(edge["target"], []).append(edge["source"])
    tasks = []
    for task in ir["tasks"]:
        key = task["key"]
        if keep is not None and key not in keep:
            continue
        for_each = task.get("forEach")
        tasks.append(LocalTask(
            key=key,
            definition=definition(job_id, task),
            retry_delay_seconds=float(task["retry"].get("delaySeconds", 0)),
            upstream=tuple(name for name in upstream.get(key, []) if keep is None or name in keep),
            items=tuple(for_each["items"]) if for_each else None,
            ir=task,
        ))
    return tasks
