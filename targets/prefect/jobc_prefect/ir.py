"""The jobc IR (docs/ir.md, ``irVersion`` 1) read into typed values, checked as it is read.

jobc validated the job already; the plugin still refuses anything it would otherwise have to trust
blindly: names that become Python identifiers in generated code must be identifiers, every field
must have its documented type, edges must join known tasks in topological order.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import keyword
import re
from typing import Any

IR_VERSION = 1
# jobc's identifier rule (README, "Identifiers"): what job ids and task keys may be.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")


class IRError(ValueError):
    """The input is not an IR this plugin can compile; the message says what is wrong."""


@dataclasses.dataclass(frozen=True)
class Job:
    id: str
    description: str | None
    cron: str | None  # normalised 5-field expression; None for manual runs only
    start_date: datetime.datetime | None
    catchup: bool
    tags: tuple[str, ...]
    source_path: str


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


@dataclasses.dataclass(frozen=True)
class JobGraph:
    job: Job
    tasks: tuple[Task, ...]  # topological order
    edges: tuple[tuple[str, str], ...]  # (source key, target key): target waits for source

    def upstream(self, key: str) -> list[str]:
        return [source for source, target in self.edges if target == key]


def parse(text: str) -> JobGraph:
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (json.JSONDecodeError, IRError) as error:
        raise IRError(f"standard input is not the jobc IR as JSON: {error}") from None
    root = _object(document, "the IR")
    version = root.get("irVersion")
    if version != IR_VERSION or isinstance(version, bool):
        raise IRError(f"irVersion {json.dumps(version)} is not supported: this plugin reads irVersion {IR_VERSION}")
    job = _job(_field(root, "job", dict, "the IR"))
    tasks = tuple(_task(item, f"tasks[{index}]") for index, item in enumerate(_field(root, "tasks", list, "the IR")))
    if not tasks:
        raise IRError("the IR has no tasks")
    edges = tuple(_edge(item, f"edges[{index}]") for index, item in enumerate(_field(root, "edges", list, "the IR")))
    _check_graph(tasks, edges)
    return JobGraph(job=job, tasks=tasks, edges=edges)


def _job(node: dict) -> Job:
    where = "job"
    schedule = _field(node, "schedule", dict, where)
    kind = _field(schedule, "kind", str, "job.schedule")
    if kind == "cron":
        cron = _field(schedule, "cron", str, "job.schedule")
    elif kind == "manual":
        cron = None
    else:
        raise IRError(f"job.schedule.kind {kind!r} is neither 'cron' nor 'manual'")
    start = _optional(node, "startDate", str, where)
    tags = _field(node, "tags", list, where)
    for index, tag in enumerate(tags):
        _typed(tag, str, f"job.tags[{index}]")
    return Job(
        id=_identifier(_field(node, "id", str, where), "job.id"),
        description=_optional(node, "description", str, where),
        cron=cron,
        start_date=None if start is None else _aware_datetime(start, "job.startDate"),
        catchup=_field(node, "catchup", bool, where),
        tags=tuple(tags),
        source_path=_field(node, "sourcePath", str, where),
    )


def _task(node: Any, where: str) -> Task:
    node = _object(node, where)
    function = _field(node, "function", dict, where)
    secret = _optional(node, "secret", dict, where)
    retry = _field(node, "retry", dict, where)
    timeout = _optional(node, "timeoutSeconds", int, where)
    task = Task(
        key=_identifier(_field(node, "key", str, where), f"{where}.key"),
        task_id=_field(node, "taskId", str, where),
        function_module=_field(function, "module", str, f"{where}.function"),
        function_class=_field(function, "className", str, f"{where}.function"),
        parameters=_field(node, "parameters", dict, where),
        secret_name=None if secret is None else _field(secret, "name", str, f"{where}.secret"),
        retries=_field(retry, "retries", int, f"{where}.retry"),
        retry_delay_seconds=_field(retry, "delaySeconds", int, f"{where}.retry"),
        timeout_seconds=timeout,
    )
    if task.retries < 0 or task.retry_delay_seconds < 0 or (timeout is not None and timeout <= 0):
        raise IRError(f"{where}: retries and delaySeconds must not be negative, timeoutSeconds must be positive")
    return task


def _edge(node: Any, where: str) -> tuple[str, str]:
    node = _object(node, where)
    return _field(node, "source", str, where), _field(node, "target", str, where)


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


def _identifier(text: str, where: str) -> str:
    if not _IDENTIFIER.fullmatch(text) or text.endswith("_") or keyword.iskeyword(text):
        raise IRError(f"{where} {text!r} is not a jobc identifier")
    return text


def _aware_datetime(text: str, where: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise IRError(f"{where} {text!r} is not an RFC 3339 date-time") from None
    if moment.utcoffset() is None:
        raise IRError(f"{where} {text!r} has no UTC offset")
    return moment


def _field(node: dict, name: str, kind: type, where: str) -> Any:
    if name not in node:
        raise IRError(f"{where} has no {name!r}")
    return _typed(node[name], kind, f"{where}.{name}")


def _optional(node: dict, name: str, kind: type, where: str) -> Any:
    if name not in node:
        raise IRError(f"{where} has no {name!r}")
    value = node[name]
    return None if value is None else _typed(value, kind, f"{where}.{name}")


_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", list: "a list", dict: "an object"}


def _typed(value: Any, kind: type, where: str) -> Any:
    # bool is an int in Python; an IR integer is never true or false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise IRError(f"{where} must be {_TYPE_NAMES[kind]}, got {json.dumps(value)[:80]}")
    return value


def _object(value: Any, where: str) -> dict:
    return _typed(value, dict, where)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise IRError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> float:
    raise IRError(f"{name} is not a finite number")
