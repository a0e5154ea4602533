"""The jobc IR (docs/ir.md, ``irVersion`` 2) read into typed values, checked as it is read.

jobc validated the job already; the plugin still refuses anything it would otherwise have to trust
blindly: names that become Python identifiers in generated code must be identifiers, every field it
reads must have its documented type, edges must join known tasks in topological order, groups must
nest. Fields it does not know are ignored: the IR grows by adding fields (source locations, for
one), and a change in what a job does comes with a new ``irVersion``, which is refused. Whether
Prefect can express what was read is decided elsewhere (``refusals``): reading never drops a value.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from typing import Any

from .ir_json import IRError, aware_datetime, field, identifier, load, optional, source_position, string_list, typed

__all__ = ["IR_VERSION", "IRError", "FailureAlerts", "FanOut", "Job", "JobGraph", "RunParameter", "Task",
           "TaskGroup", "parse", "read"]

IR_VERSION = 2
PARAMETER_TYPES = ("string", "integer", "number", "boolean")
TRIGGER_RULES = ("all_success", "all_done", "one_failed")
DEFAULT_TRIGGER_RULE = "all_success"
MAX_FAN_OUT_ITEMS = 1000


@dataclasses.dataclass(frozen=True)
class RunParameter:
    name: str
    type: str  # one of PARAMETER_TYPES
    default: Any  # of that type
    description: str | None

    def as_ir(self) -> dict[str, Any]:
        """The IR object again, as jobc_runtime.resolve_params reads it."""
        return {"name": self.name, "type": self.type, "default": self.default, "description": self.description}


@dataclasses.dataclass(frozen=True)
class Job:
    id: str
    description: str | None
    cron: str | None  # normalised 5-field expression; None for manual runs only
    start_date: datetime.datetime | None
    catchup: bool
    tags: tuple[str, ...]
    source_path: str
    params: tuple[RunParameter, ...] = ()
    # jobc.yaml's paths.functions / paths.secrets (IR ``job.folders``); None: the standard folder.
    function_folder: str | None = None
    secret_folder: str | None = None


@dataclasses.dataclass(frozen=True)
class FailureAlerts:
    webhooks: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.webhooks and not self.emails


@dataclasses.dataclass(frozen=True)
class FanOut:
    parameter: str
    items: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class Task:
    key: str
    task_id: str
    function_module: str
    function_class: str
    parameters: dict[str, Any]
    secret_name: str | None
    retries: int
    retry_delay_seconds: int
    timeout_seconds: int | None
    group: str | None = None
    trigger_rule: str = DEFAULT_TRIGGER_RULE
    on_failure: FailureAlerts = FailureAlerts()
    for_each: FanOut | None = None


@dataclasses.dataclass(frozen=True)
class TaskGroup:
    key: str
    parent: str | None
    description: str | None


@dataclasses.dataclass(frozen=True)
class JobGraph:
    job: Job
    tasks: tuple[Task, ...]  # topological order
    edges: tuple[tuple[str, str], ...]  # (source key, target key): target waits for source
    groups: tuple[TaskGroup, ...] = ()  # parents before children

    def upstream(self, key: str) -> list[str]:
        return [source for source, target in self.edges if target == key]

    def group_path(self, key: str | None) -> list[str]:
        """The group ``key`` and its ancestors, outermost first ([] for None)."""
        parents = {group.key: group.parent for group in self.groups}
        path = []
        while key is not None:
            path.append(key)
            key = parents[key]
        return path[::-1]


def parse(text: str) -> JobGraph:
    """One IR as JSON text."""
    return read(load(text))


def read(document: Any) -> JobGraph:
    """One IR already read from JSON (a job of a compile request)."""
    root = typed(document, dict, "the IR")
    version = root.get("irVersion")
    if version != IR_VERSION or isinstance(version, bool):
        raise IRError(f"irVersion {json.dumps(version)} is not supported: this plugin reads irVersion {IR_VERSION} "
                      f"(use the jobc release that matches this plugin)")
    job = _job(field(root, "job", dict, "the IR"))
    tasks = tuple(_task(item, f"tasks[{index}]") for index, item in enumerate(field(root, "tasks", list, "the IR")))
    if not tasks:
        raise IRError("the IR has no tasks")
    edges = tuple(_edge(item, f"edges[{index}]") for index, item in enumerate(field(root, "edges", list, "the IR")))
    groups = tuple(_group(item, f"groups[{index}]") for index, item in enumerate(field(root, "groups", list, "the IR")))
    _check_graph(tasks, edges)
    _check_groups(groups, tasks)
    return JobGraph(job=job, tasks=tasks, edges=edges, groups=groups)


def _job(node: dict) -> Job:
    where = "job"
    schedule = field(node, "schedule", dict, where)
    kind = field(schedule, "kind", str, "job.schedule")
    if kind == "cron":
        cron = field(schedule, "cron", str, "job.schedule")
        optional(schedule, "preset", str, "job.schedule")  # Prefect's Cron takes the 5-field form
    elif kind == "manual":
        cron = None
    else:
        raise IRError(f"job.schedule.kind {kind!r} is neither 'cron' nor 'manual'")
    start = optional(node, "startDate", str, where)
    params = tuple(_run_parameter(item, f"job.params[{index}]")
                   for index, item in enumerate(field(node, "params", list, where)))
    names = [param.name for param in params]
    if len(set(names)) != len(names):
        raise IRError("two run parameters have the same name")
    return Job(
        id=identifier(field(node, "id", str, where), "job.id"),
        description=optional(node, "description", str, where),
        cron=cron,
        start_date=None if start is None else aware_datetime(start, "job.startDate"),
        catchup=field(node, "catchup", bool, where),
        tags=string_list(node, "tags", where),
        source_path=field(node, "sourcePath", str, where),
        params=params,
        **_folders(node, where),
    )


STANDARD_FOLDERS = {"functions": "orchestration/function", "secrets": "secret"}


def _folders(node: dict, where: str) -> dict[str, str | None]:
    """The folders a run reads when they are not the standard ones (``folders`` is optional: IRs
    written before it existed have none)."""
    folders = typed(node["folders"], dict, f"{where}.folders") if "folders" in node else {}
    chosen = {}
    for key, argument in (("functions", "function_folder"), ("secrets", "secret_folder")):
        value = typed(folders[key], str, f"{where}.folders.{key}") if key in folders else None
        chosen[argument] = None if value in (None, STANDARD_FOLDERS[key]) else value
    return chosen


def _run_parameter(node: Any, where: str) -> RunParameter:
    node = typed(node, dict, where)
    parameter_type = field(node, "type", str, where)
    if parameter_type not in PARAMETER_TYPES:
        raise IRError(f"{where}.type {parameter_type!r} is not one of {', '.join(PARAMETER_TYPES)}")
    if "default" not in node:
        raise IRError(f"{where} has no 'default'")
    default = node["default"]
    if not _has_parameter_type(default, parameter_type):
        raise IRError(f"{where}.default {json.dumps(default)[:80]} is not of type {parameter_type}")
    return RunParameter(
        name=identifier(field(node, "name", str, where), f"{where}.name"),
        type=parameter_type,
        default=default,
        description=optional(node, "description", str, where),
    )


def _has_parameter_type(value: Any, parameter_type: str) -> bool:
    # bool first: True is an int in Python, never an IR integer.
    if parameter_type == "boolean" or isinstance(value, bool):
        return parameter_type == "boolean" and isinstance(value, bool)
    if parameter_type == "string":
        return isinstance(value, str)
    if parameter_type == "integer":
        return isinstance(value, int)
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _task(node: Any, where: str) -> Task:
    node = typed(node, dict, where)
    function = field(node, "function", dict, where)
    field(function, "name", str, f"{where}.function")
    for index, reference in enumerate(field(node, "fileReferences", list, where)):
        reference = typed(reference, dict, f"{where}.fileReferences[{index}]")
        for name in ("parameter", "path"):
            field(reference, name, str, f"{where}.fileReferences[{index}]")
    secret = optional(node, "secret", dict, where)
    retry = field(node, "retry", dict, where)
    timeout = optional(node, "timeoutSeconds", int, where)
    source_position(node, where)
    trigger_rule = field(node, "triggerRule", str, where)
    if trigger_rule not in TRIGGER_RULES:
        raise IRError(f"{where}.triggerRule {trigger_rule!r} is not one of {', '.join(TRIGGER_RULES)}")
    group = optional(node, "group", str, where)
    task = Task(
        key=identifier(field(node, "key", str, where), f"{where}.key"),
        task_id=field(node, "taskId", str, where),
        function_module=field(function, "module", str, f"{where}.function"),
        function_class=field(function, "className", str, f"{where}.function"),
        parameters=field(node, "parameters", dict, where),
        secret_name=None if secret is None else field(secret, "name", str, f"{where}.secret"),
        retries=field(retry, "retries", int, f"{where}.retry"),
        retry_delay_seconds=field(retry, "delaySeconds", int, f"{where}.retry"),
        timeout_seconds=timeout,
        group=None if group is None else identifier(group, f"{where}.group"),
        trigger_rule=trigger_rule,
        on_failure=_failure_alerts(field(node, "onFailure", dict, where), f"{where}.onFailure"),
        for_each=_fan_out(optional(node, "forEach", dict, where), f"{where}.forEach"),
    )
    if task.retries < 0 or task.retry_delay_seconds < 0 or (timeout is not None and timeout <= 0):
        raise IRError(f"{where}: retries and delaySeconds must not be negative, timeoutSeconds must be positive")
    if task.for_each is not None and task.for_each.parameter in task.parameters:
        raise IRError(f"{where}: the for_each parameter {task.for_each.parameter!r} is also in parameters")
    return task


def _failure_alerts(node: dict, where: str) -> FailureAlerts:
    return FailureAlerts(webhooks=string_list(node, "webhooks", where), emails=string_list(node, "emails", where))


def _fan_out(node: dict | None, where: str) -> FanOut | None:
    if node is None:
        return None
    items = field(node, "items", list, where)
    if not 1 <= len(items) <= MAX_FAN_OUT_ITEMS:
        raise IRError(f"{where}.items must hold 1 to {MAX_FAN_OUT_ITEMS} items, got {len(items)}")
    return FanOut(parameter=field(node, "parameter", str, where), items=tuple(items))


def _edge(node: Any, where: str) -> tuple[str, str]:
    node = typed(node, dict, where)
    return field(node, "source", str, where), field(node, "target", str, where)


def _group(node: Any, where: str) -> TaskGroup:
    node = typed(node, dict, where)
    source_position(node, where)
    parent = optional(node, "parent", str, where)
    return TaskGroup(
        key=identifier(field(node, "key", str, where), f"{where}.key"),
        parent=None if parent is None else identifier(parent, f"{where}.parent"),
        description=optional(node, "description", str, where),
    )


def _check_graph(tasks: tuple[Task, ...], edges: tuple[tuple[str, str], ...]) -> None:
    position = {}
    for index, task in enumerate(tasks):
        if task.key in position:
            raise IRError(f"task key {task.key!r} appears twice")
        position[task.key] = index
    task_ids = [task.task_id for task in tasks]
    if len(set(task_ids)) != len(task_ids):
        raise IRError("two tasks have the same taskId")
    for source, target in edges:
        for key in (source, target):
            if key not in position:
                raise IRError(f"edge {source!r} -> {target!r} names an unknown task {key!r}")
        if position[source] >= position[target]:
            raise IRError(f"edge {source!r} -> {target!r} goes against the topological order of tasks")
    if len(set(edges)) != len(edges):
        raise IRError("an edge appears twice")


def _check_groups(groups: tuple[TaskGroup, ...], tasks: tuple[Task, ...]) -> None:
    task_keys = {task.key for task in tasks}
    declared: set[str] = set()
    for group in groups:
        if group.key in declared or group.key in task_keys:
            raise IRError(f"group key {group.key!r} appears twice or is also a task key")
        if group.parent is not None and group.parent not in declared:
            raise IRError(f"group {group.key!r} has parent {group.parent!r}, which is not a group declared before it")
        declared.add(group.key)
    for task in tasks:
        if task.group is not None and task.group not in declared:
            raise IRError(f"task {task.key!r} is in an unknown group {task.group!r}")
