"""One unit of a run (a plain task, or one item of a fan-out task): its attempts, each in a child
process (attempt.py) that its timeout or an interrupt kills, the retry delay between them, and the
failure alerts of a last attempt the timeout killed (run_task sends them for every other failed
last attempt)."""

from __future__ import annotations

import datetime
import logging
import os
import pathlib
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from jobc_runtime.alerts import TaskFailure, send_failure_alerts
from jobc_runtime.attempt_process import exit_description, kill_group, read_result, signal_group, start_attempt

from .job import LocalTask
from .protocol import Events

_logger = logging.getLogger("jobc.local")
# How long an interrupted attempt gets between SIGTERM and SIGKILL.
TERMINATE_GRACE_SECONDS = 2.0


@dataclass
class Attempt:
    number: int
    started: float  # time.time()
    log: str
    ended: float | None = None
    outcome: str | None = None  # success | failed | timeout | interrupted
    error: str | None = None

    def record(self) -> dict[str, Any]:
        return {"attempt": self.number, "outcome": self.outcome, "started_at": iso_time(self.started),
                "seconds": None if self.ended is None else round(self.ended - self.started, 3),
                "error": self.error, "log": self.log}


@dataclass
class Unit:
    task: LocalTask
    index: int | None  # the item's index for a fan-out item
    attempts: list[Attempt] = field(default_factory=list)
    state: str | None = None  # success | failed | interrupted, once ended
    started: float | None = None
    ended: float | None = None

    @property
    def item(self) -> Any:
        return None if self.index is None else self.task.items[self.index]

    @property
    def label(self) -> str:
        return self.task.key if self.index is None else f"{self.task.key}[{self.index}]"


class Context:
    """What every unit of one run shares: the run, the slots, the stop signal, the events."""

    def __init__(self, plan, events: Events) -> None:
        self.plan = plan
        self.events = events
        self.slots = threading.BoundedSemaphore(plan.max_parallel)
        self.stop = threading.Event()


def run_unit(context: Context, unit: Unit) -> None:
    """Every attempt of the unit; sets its state (never raises)."""
    unit.started = time.time()
    try:
        unit.state = _attempts(context, unit)
    except Exception as error:  # an executor bug: the unit fails rather than hanging the run
        _logger.exception("the runner of %s failed", unit.label)
        unit.state = "failed"
        unit.attempts.append(Attempt(len(unit.attempts) + 1, time.time(), "", time.time(), "failed",
                                     f"ExecutorError: {type(error).__name__}: {error}"))
    unit.ended = time.time()


def _attempts(context: Context, unit: Unit) -> str:
    definition = unit.task.definition
    for number in range(1, definition.max_attempts + 1):
        if not _take_slot(context):
            return "interrupted"
        try:
            attempt = _attempt(context, unit, number)
        finally:
            context.slots.release()
        retry = attempt.outcome in ("failed", "timeout") and number < definition.max_attempts
        context.events.emit("attempt_finished", **_ids(unit), attempt=number, max_attempts=definition.max_attempts,
                            outcome=attempt.outcome, error=attempt.error, seconds=round(attempt.ended - attempt.started, 3),
                            retry_in=unit.task.retry_delay_seconds if retry else None)
        if attempt.outcome in ("success", "interrupted"):
            return attempt.outcome
        if retry and context.stop.wait(unit.task.retry_delay_seconds):
            return "interrupted"
    return "failed"


def _take_slot(context: Context) -> bool:
    while not context.slots.acquire(timeout=0.2):
        if context.stop.is_set():
            return False
    if context.stop.is_set():
        context.slots.release()
        return False
    return True


def _attempt(context: Context, unit: Unit, number: int) -> Attempt:
    definition = unit.task.definition
    plan = context.plan
    folder = pathlib.Path(plan.run_folder) / unit.task.key
    if unit.index is not None:
        folder = folder / f"item-{unit.index}"
    folder.mkdir(parents=True, exist_ok=True)
    attempt = Attempt(number, time.time(), str(folder / f"attempt-{number}.log"))
    unit.attempts.append(attempt)
    context.events.emit("attempt_started", **_ids(unit), attempt=number, max_attempts=definition.max_attempts,
                        log=attempt.log)
    request = {"job_id": definition.job_id, "task": dict(unit.task.ir), "run_id": plan.run_id,
               "logical_date": plan.logical_date.isoformat(), "attempt": number, "params": dict(plan.params),
               "item": unit.item, "project_root": plan.project_root, "stub": plan.stubs.get(unit.task.key)}
    with open(attempt.log, "wb") as log:
        child, read_end = start_attempt("jobc_local.attempt", request, output=log.fileno(), cwd=plan.project_root,
                                        environment={"JOBC_PROJECT_ROOT": plan.project_root})
    try:
        stopped = _wait(context, child, definition.timeout_seconds)
        result = read_result(read_end)
    finally:
        child.stdin.close()  # the child's watchdog ends its process group: nothing outlives the attempt
        os.close(read_end)
    attempt.ended = time.time()
    if stopped == "timeout":
        attempt.outcome, attempt.error = "timeout", (
            f"TimeoutError: task exceeded its timeout of {definition.timeout_seconds:g} s")
        if number >= definition.max_attempts and not definition.on_failure.is_empty:
            _send_alerts(plan, unit, number, attempt.error)  # the killed child could not
    elif stopped == "interrupted":
        attempt.outcome, attempt.error = "interrupted", "Interrupted: the run was stopped (Ctrl-C)"
    elif result is None:
        attempt.outcome, attempt.error = "failed", (
            f"ExecutorError: the attempt's process ended without an outcome ({exit_description(child.returncode)})")
    else:
        attempt.outcome, attempt.error = result["outcome"], result.get("error")
    return attempt


def _wait(context: Context, child: subprocess.Popen, timeout: float | None) -> str | None:
    """Wait for the child; kill its process group at the timeout or when the run stops. Returns
    "timeout", "interrupted" or None (it ended by itself)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        remaining = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
        try:
            child.wait(timeout=max(remaining, 0))
            return None
        except subprocess.TimeoutExpired:
            pass
        if deadline is not None and time.monotonic() >= deadline:
            kill_group(child)
            return "timeout"
        if context.stop.is_set():
            _terminate(child)
            return "interrupted"


def _terminate(child: subprocess.Popen) -> None:
    """SIGTERM to the attempt's process group, SIGKILL to what is left after a grace period."""
    signal_group(child, signal.SIGTERM)
    try:
        child.wait(timeout=TERMINATE_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    kill_group(child)


def _send_alerts(plan, unit: Unit, attempt: int, error: str) -> None:
    definition = unit.task.definition
    failure = TaskFailure(job_id=definition.job_id, task_id=definition.task_id, run_id=plan.run_id,
                          logical_date=plan.logical_date.date(), attempt=attempt,
                          max_attempts=definition.max_attempts, error=error)
    send_failure_alerts(definition.on_failure, failure, _logger)


def _ids(unit: Unit) -> dict[str, Any]:
    return {"task": unit.task.key, "task_id": unit.task.task_id, "item": unit.index}


def iso_time(seconds: float) -> str:
    """A time.time() value as ISO 8601 in UTC, to the millisecond."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat(timespec="milliseconds")
