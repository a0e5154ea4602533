"""The requests of protocol version 2 (README.md), checked: each action's body becomes one value.

Checks here need no state; what depends on the run (does it exist, is the key one of its tasks)
is checked by the action.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jobc_runtime

from .job import JobError, JobSpec, decode_b64_members, parse_job

PROTOCOL_VERSION = 2
MAX_WAIT_SECONDS = 3600.0
MAX_ERROR_CHARS = 2000
DEFAULT_ABANDON_ERROR = "AbandonedError: the workflow gave up waiting for the task"
ACTIONS = ("start_run", "run_task", "finish_run", "abandon_task")
_MEMBERS = {
    "start_run": ("action", "run_id", "logical_date", "argument_json", "job", "job_b64"),
    "run_task": ("action", "run_id", "key", "wait_seconds", "index"),
    "finish_run": ("action", "run_id"),
    "abandon_task": ("action", "run_id", "key", "index", "error"),
}


class ExecutorRequestError(ValueError):
    """The request body is not a request of the protocol; the message says what is wrong."""


@dataclass(frozen=True)
class StartRun:
    run_id: str
    logical_date: str  # ISO 8601, UTC
    argument: Any  # the execution argument, parsed
    job: dict[str, Any]  # decoded (no _b64 members left)
    spec: JobSpec


@dataclass(frozen=True)
class RunTask:
    run_id: str
    key: str
    wait_seconds: float  # clamped to 0..MAX_WAIT_SECONDS
    index: int | None


@dataclass(frozen=True)
class FinishRun:
    run_id: str


@dataclass(frozen=True)
class AbandonTask:
    run_id: str
    key: str
    index: int | None
    error: str


def parse_request(body: Any) -> StartRun | RunTask | FinishRun | AbandonTask:
    if not isinstance(body, Mapping):
        raise ExecutorRequestError("the request body must be a JSON object")
    action = body.get("action")
    if action not in ACTIONS:
        raise ExecutorRequestError(
            f"unknown action {action!r} (protocol version {PROTOCOL_VERSION}: {', '.join(ACTIONS)})")
    unknown = sorted(str(name) for name in body if name not in _MEMBERS[action])
    if unknown:
        raise ExecutorRequestError(
            f"{action} has unknown member(s): {', '.join(unknown)} (expected: {', '.join(_MEMBERS[action])})")
    run_id = _string(body, "run_id")
    if action == "start_run":
        return _start_run(body, run_id)
    if action == "finish_run":
        return FinishRun(run_id)
    key, index = _string(body, "key"), _index(body)
    if action == "run_task":
        return RunTask(run_id, key, _wait_seconds(body), index)
    error = body.get("error", DEFAULT_ABANDON_ERROR)
    if not isinstance(error, str) or not error:
        raise ExecutorRequestError("error must be a non-empty string")
    if len(error) > MAX_ERROR_CHARS:
        error = error[: MAX_ERROR_CHARS - 1] + "…"
    return AbandonTask(run_id, key, index, error)


def _start_run(body: Mapping[str, Any], run_id: str) -> StartRun:
    try:
        logical_date = jobc_runtime.parse_logical_date(_string(body, "logical_date")).isoformat()
    except ValueError as error:
        raise ExecutorRequestError(f"logical_date {error}") from None
    text = body.get("argument_json")
    if not isinstance(text, str):
        raise ExecutorRequestError("argument_json must be the execution argument as JSON text (\"null\" for none)")
    try:
        argument = json.loads(text)
    except ValueError as error:
        raise ExecutorRequestError(f"argument_json is not JSON: {error}") from None
    if argument is not None and not isinstance(argument, Mapping):
        raise ExecutorRequestError("the execution argument must be a JSON object or null")
    try:
        # The job itself may come as job_b64 too (then nothing inside it is decoded again); else
        # its members and those of its params, defaults and tasks may be F_b64.
        wrapped = decode_b64_members({name: body[name] for name in ("job", "job_b64") if name in body}, "", depth=0)
        if "job" not in wrapped:
            raise JobError("job is missing")
        job = wrapped["job"] if "job_b64" in body else decode_b64_members(wrapped["job"], "job", depth=1)
        spec = parse_job(job)
    except JobError as error:
        raise ExecutorRequestError(str(error)) from None
    return StartRun(run_id=run_id, logical_date=logical_date, argument=argument, job=job, spec=spec)


def resolve_run_params(request: StartRun) -> dict[str, Any]:
    """The run's parameter values (RunParameterError when the argument's "params" do not fit)."""
    overrides = (request.argument or {}).get("params")
    if not request.spec.params and isinstance(overrides, Mapping) and overrides:
        raise jobc_runtime.RunParameterError(
            f"the job declares no run parameters, but the execution argument sets: {', '.join(sorted(overrides))}")
    return jobc_runtime.resolve_params(request.spec.params, overrides)


def _string(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ExecutorRequestError(f"{name} must be a non-empty string")
    return value


def _index(body: Mapping[str, Any]) -> int | None:
    index = body.get("index")
    if index is None or index == -1:  # -1: the whole task (jobc_abandon's default; a null would arrive as "None")
        return None
    if isinstance(index, float) and index.is_integer():
        index = int(index)  # Workflows numbers may arrive as 2.0
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ExecutorRequestError(f"index must be a whole number >= 0, got {index!r}")
    return index


def _wait_seconds(body: Mapping[str, Any]) -> float:
    seconds = body.get("wait_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or math.isnan(seconds):
        raise ExecutorRequestError(f"wait_seconds must be a number of seconds, got {seconds!r}")
    return min(max(float(seconds), 0.0), MAX_WAIT_SECONDS)
