"""The job a start_run request describes: its tasks, checked once, in topological order.

A program sends each task's definition once per run (in start_run); every later request names a
task by its key. A member ``F`` of the job, of a run parameter, of ``defaults`` or of a task may
arrive as ``F_b64``, the base64 of F's JSON text: Workflows evaluates every string holding ``${``,
so the program hides such values. Only those members: a kwarg, item or default value is the user's
and is never decoded (a kwarg may well be named ``data_b64``). A member a task leaves out takes
``defaults`` (the job's shared values), else the executor's default (``TASK_DEFAULTS``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jobc_runtime

B64_SUFFIX = "_b64"
_JOB_MEMBERS = ("job_id", "params", "defaults", "folders", "tasks")
_FOLDER_MEMBERS = ("functions", "secrets")
_TASK_MEMBERS = ("key", "task_id", "function", "kwargs", "secret", "retries", "retry_delay_seconds",
                 "timeout_seconds", "trigger_rule", "upstream", "on_failure", "for_each")
_FUNCTION_MEMBERS = ("module", "class")
# Members `defaults` may set for every task that leaves them out.
_DEFAULTABLE_MEMBERS = ("function", "kwargs", "secret", "retries", "retry_delay_seconds", "timeout_seconds",
                        "trigger_rule", "on_failure")
# What a task gets for a member neither it nor `defaults` has (the IR's defaults: a retry waits 300 s).
TASK_DEFAULTS: Mapping[str, Any] = {"kwargs": {}, "secret": None, "retries": 0, "retry_delay_seconds": 300,
                                    "timeout_seconds": None, "trigger_rule": "all_success", "upstream": [],
                                    "on_failure": None, "for_each": None}
_FOR_EACH_MEMBERS = ("parameter", "items")


class JobError(ValueError):
    """The job of a start_run request is malformed; the message says where."""


@dataclass(frozen=True)
class TaskSpec:
    """One task of the run: its runtime definition plus what the executor schedules by."""

    key: str
    definition: jobc_runtime.TaskDefinition
    retry_delay_seconds: float
    upstream: tuple[str, ...]
    # A fan-out task's items (each passed as the kwarg definition.for_each); None for other tasks.
    items: tuple[Any, ...] | None

    @property
    def task_id(self) -> str:
        return self.definition.task_id

    @property
    def trigger_rule(self) -> str:
        return self.definition.trigger_rule or "all_success"

    @property
    def is_fan_out(self) -> bool:
        return self.items is not None


@dataclass(frozen=True)
class JobSpec:
    """A checked job: declared run parameters and tasks (each after its upstream tasks)."""

    job_id: str
    params: tuple[Mapping[str, Any], ...]
    tasks: tuple[TaskSpec, ...]
    _by_key: dict[str, TaskSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {task.key: task for task in self.tasks})

    def task(self, key: str) -> TaskSpec | None:
        return self._by_key.get(key)


def decode_b64_members(value: Any, path: str = "job", depth: int = 1) -> Any:
    """``value`` with every ``F_b64`` member replaced by ``F`` and its decoded value, in ``value``
    itself (depth 0) or also in the objects of its members and lists (depth 1: a job's params,
    defaults and tasks). A decoded value is taken literally: nothing inside it is decoded again."""
    if isinstance(value, list):
        return [decode_b64_members(item, f"{path}[{index}]", depth) for index, item in enumerate(value)]
    if not isinstance(value, Mapping):
        return value
    decoded: dict[str, Any] = {}
    for name, member in value.items():
        member_path = f"{path}.{name}" if path else str(name)
        if not (isinstance(name, str) and name.endswith(B64_SUFFIX) and len(name) > len(B64_SUFFIX)):
            decoded[name] = decode_b64_members(member, member_path, depth - 1) if depth > 0 else member
            continue
        plain = name[: -len(B64_SUFFIX)]
        if plain in value:
            raise JobError(f"{path or 'the request'} has both {plain!r} and {name!r}")
        decoded[plain] = _decoded(member, member_path)
    return decoded


def _decoded(text: Any, path: str) -> Any:
    if not isinstance(text, str):
        raise JobError(f"{path} must be base64 text, got {_json_type(text)}")
    try:
        return json.loads(base64.b64decode(text, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise JobError(f"{path} is not the base64 of UTF-8 JSON text: {error}") from None


def parse_job(job: Any) -> JobSpec:
    """Check a decoded JOB object (see README.md) and build every task's TaskDefinition."""
    if not isinstance(job, Mapping):
        raise JobError(f"job must be a JSON object, got {_json_type(job)}")
    _refuse_unknown(job, _JOB_MEMBERS, "job")
    job_id = job.get("job_id")
    if not isinstance(job_id, str) or not job_id:
        raise JobError(f"job.job_id must be a non-empty string, got {job_id!r}")
    params = job.get("params", [])
    if not isinstance(params, list):
        raise JobError(f"job.params must be a list, got {_json_type(params)}")
    tasks = job.get("tasks")
    if not isinstance(tasks, list):
        raise JobError(f"job.tasks must be a list, got {_json_type(tasks)}")
    defaults = job.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise JobError(f"job.defaults must be a JSON object, got {_json_type(defaults)}")
    _refuse_unknown(defaults, _DEFAULTABLE_MEMBERS, "job.defaults")
    job_folders(job)
    parsed: list[TaskSpec] = []
    task_ids: set[str] = set()
    for index, task in enumerate(tasks):
        task = with_defaults(task, defaults)
        spec = parse_task(job_id, task, f"job.tasks[{index}]", earlier={spec.key for spec in parsed})
        if spec.task_id in task_ids:
            raise JobError(f"job.tasks[{index}]: task_id {spec.task_id!r} is used twice")
        task_ids.add(spec.task_id)
        parsed.append(spec)
    return JobSpec(job_id=job_id, params=tuple(params), tasks=tuple(parsed))


def job_folders(job: Mapping[str, Any]) -> dict[str, str]:
    """The checked ``folders`` of a job: the project's functions and secrets folders, relative to its
    root, when its jobc.yaml moved them ({} or a member left out: the standard folder)."""
    folders = job.get("folders", {})
    if not isinstance(folders, Mapping):
        raise JobError(f"job.folders must be a JSON object, got {_json_type(folders)}")
    _refuse_unknown(folders, _FOLDER_MEMBERS, "job.folders")
    for name, value in folders.items():
        if not isinstance(value, str) or not value:
            raise JobError(f"job.folders.{name} must be a non-empty string, got {value!r}")
    return dict(folders)


def with_defaults(task: Any, defaults: Mapping[str, Any]) -> Any:
    """A TASK object with every member it leaves out taken from ``defaults``, else ``TASK_DEFAULTS``."""
    return {**TASK_DEFAULTS, **defaults, **task} if isinstance(task, Mapping) else task


def task_object(job: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The complete TASK object of ``key`` in a checked job (what an attempt's process parses)."""
    return with_defaults(next(task for task in job["tasks"] if task["key"] == key), job.get("defaults", {}))


def parse_task(job_id: str, task: Any, path: str, earlier: set[str]) -> TaskSpec:
    """One TASK object; ``earlier`` holds the keys of the tasks before it."""
    if not isinstance(task, Mapping):
        raise JobError(f"{path} must be a JSON object, got {_json_type(task)}")
    key = task.get("key")
    if not isinstance(key, str) or not key:
        raise JobError(f"{path}.key must be a non-empty string, got {key!r}")
    path = f"{path} (key {key!r})"
    if key in earlier:
        raise JobError(f"{path}: the key is used twice")
    _refuse_unknown(task, _TASK_MEMBERS, path)
    function = task.get("function")
    if isinstance(function, str) and function.count(":") == 1:  # "module:Class", as the program writes it
        module, _, class_name = function.partition(":")
        function = {"module": module, "class": class_name}
    if not isinstance(function, Mapping):
        raise JobError(f"{path}.function must be \"module:Class\" or a JSON object {{\"module\", \"class\"}}, "
                       f"got {_json_type(function)}")
    _refuse_unknown(function, _FUNCTION_MEMBERS, f"{path}.function")
    upstream = task.get("upstream", [])
    if not isinstance(upstream, list) or not all(isinstance(name, str) for name in upstream):
        raise JobError(f"{path}.upstream must be a list of task keys")
    unknown = [name for name in upstream if name not in earlier]
    if unknown:
        raise JobError(f"{path}.upstream names {', '.join(map(repr, unknown))}: not the key of an earlier task")
    if len(set(upstream)) != len(upstream):
        raise JobError(f"{path}.upstream names a task twice")
    delay = task.get("retry_delay_seconds", TASK_DEFAULTS["retry_delay_seconds"])
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not math.isfinite(delay) or delay < 0:
        raise JobError(f"{path}.retry_delay_seconds must be a number >= 0, got {delay!r}")
    parameter, items = _for_each(task.get("for_each"), f"{path}.for_each")
    try:
        definition = jobc_runtime.TaskDefinition(
            job_id=job_id,
            task_id=task.get("task_id", key),
            function_module=function.get("module"),
            function_class=function.get("class"),
            function_kwargs=task.get("kwargs"),
            secret_key=task.get("secret"),
            retries=task.get("retries", 0),
            timeout_seconds=task.get("timeout_seconds"),
            on_failure=task.get("on_failure"),
            for_each=parameter,
            trigger_rule=task.get("trigger_rule", "all_success"),
        )
    except jobc_runtime.TaskDefinitionError as error:
        raise JobError(f"{path}: {error}") from None
    return TaskSpec(key=key, definition=definition, retry_delay_seconds=float(delay), upstream=tuple(upstream),
                    items=items)


def _for_each(for_each: Any, path: str) -> tuple[str | None, tuple[Any, ...] | None]:
    if for_each is None:
        return None, None
    if not isinstance(for_each, Mapping):
        raise JobError(f"{path} must be a JSON object {{\"parameter\", \"items\"}}, got {_json_type(for_each)}")
    _refuse_unknown(for_each, _FOR_EACH_MEMBERS, path)
    parameter = for_each.get("parameter")
    if parameter is None:
        raise JobError(f"{path}.parameter is missing")
    items = for_each.get("items")
    if not isinstance(items, list):
        raise JobError(f"{path}.items must be a list, got {_json_type(items)}")
    return parameter, tuple(items)


def _refuse_unknown(value: Mapping[str, Any], known: Sequence[str], path: str) -> None:
    unknown = sorted(str(name) for name in value if name not in known)
    if unknown:
        raise JobError(f"{path} has unknown member(s): {', '.join(unknown)} (expected: {', '.join(known)})")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
