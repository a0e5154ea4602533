"""The background runner of one unit (a plain task or one item of a fan-out task): every attempt,
each in a child process (``attempt.py``) so that the task's timeout can kill it, the retry delay
between attempts, a heartbeat in the unit's status record, the call log, and the failure alerts of a
last attempt the timeout killed (run_task sends them for every other failed last attempt).
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from typing import Any

from jobc_runtime.alerts import TaskFailure, send_failure_alerts
from jobc_runtime.attempt_process import exit_description, kill_group, read_result, start_attempt

from . import call_log
from .job import job_folders, task_object
from .run_state import Run, Unit, heartbeat_seconds

# How often a runner checks for its timeout's end and for its unit being abandoned.
CHECK_SECONDS = 1.0
_logger = logging.getLogger("jobc.executor")


def start(run: Run, unit: Unit) -> bool:
    """Start the unit's runner unless someone (any process) has; True when this call started it."""
    if not run.claim(unit):
        return False
    run.set_status(unit, 0)
    # A daemon thread: a stopping executor does not wait for attempts (they die with it, and the
    # unit is failed as lost).
    threading.Thread(target=_run_unit, args=(run, unit), name=f"jobc-runner-{unit.name}", daemon=True).start()
    return True


def _run_unit(run: Run, unit: Unit) -> None:
    try:
        run.set_end(unit, _attempts(run, unit))
    except Exception as error:  # an executor bug: the unit fails rather than hanging as running
        _logger.exception("runner of %s failed", unit.name)
        run.set_end(unit, {"state": "failed", "attempts": 0, "error": f"ExecutorError: {type(error).__name__}"})


def _attempts(run: Run, unit: Unit) -> dict[str, Any]:
    definition = unit.task.definition
    attempt = 0
    error = "ExecutorError: no attempt ran"
    while attempt < definition.max_attempts:
        if run.cancelled(unit):
            break
        attempt += 1
        run.set_status(unit, attempt)
        outcome, error = _attempt(run, unit, attempt)
        call_log.record(run, unit, attempt, outcome)
        if outcome == "success":
            return {"state": "success", "attempts": attempt}
        _logger.error("jobc task %s/%s attempt %d/%d failed: %s", definition.job_id, definition.task_id, attempt,
                      definition.max_attempts, error)
        if attempt < definition.max_attempts:
            _sleep(run, unit, attempt, unit.task.retry_delay_seconds)
    return {"state": "failed", "attempts": attempt, "error": error}


def _attempt(run: Run, unit: Unit, attempt: int) -> tuple[str, str | None]:
    """Run one attempt in a child process; ("success", None) or ("failed", error text)."""
    definition = unit.task.definition
    request = {
        "job_id": definition.job_id,
        "task": _task_json(run, unit),
        "folders": job_folders(run.record["job"]),
        "run_id": run.run_id,
        "logical_date": run.logical_date.isoformat(),
        "attempt": attempt,
        "params": run.params,
        "item": unit.item,
    }
    # The child's stdout and stderr stay the executor's: they reach its log.
    child, read_end = start_attempt("jobc_cloud_workflows.attempt", request)
    try:
        stopped = _wait(run, unit, attempt, child)
        result = read_result(read_end)
    finally:
        child.stdin.close()  # the child's watchdog ends its process group: nothing outlives the attempt
        os.close(read_end)
    if stopped == "timeout":
        error = f"TimeoutError: task exceeded its timeout of {definition.timeout_seconds:g} s"
        if attempt >= definition.max_attempts and not definition.on_failure.is_empty:
            _send_alerts(run, unit, attempt, error)  # the killed child could not
        return "failed", error
    if stopped == "cancelled":
        return "failed", "ExecutorError: the attempt was stopped: the task was abandoned or the run finished"
    if result is None:
        return "failed", ("ExecutorError: the attempt's process ended without an outcome "
                          f"({exit_description(child.returncode)})")
    return result["outcome"], result.get("error")


def _wait(run: Run, unit: Unit, attempt: int, child: subprocess.Popen) -> str | None:
    """Wait for the child, keeping the heartbeat; kill its process group at the timeout or when the
    unit is cancelled. Returns "timeout", "cancelled" or None (it ended by itself)."""
    timeout = unit.task.definition.timeout_seconds
    deadline = None if timeout is None else time.monotonic() + timeout
    heartbeat = _Heartbeat(run, unit, attempt)
    while True:
        check = min(CHECK_SECONDS, heartbeat.interval)
        remaining = check if deadline is None else min(check, deadline - time.monotonic())
        try:
            child.wait(timeout=max(remaining, 0))
            return None
        except subprocess.TimeoutExpired:
            pass
        if deadline is not None and time.monotonic() >= deadline:
            kill_group(child)
            return "timeout"
        if run.cancelled(unit):
            kill_group(child)
            return "cancelled"
        heartbeat.beat()


def _send_alerts(run: Run, unit: Unit, attempt: int, error: str) -> None:
    """send_failure_alerts (up to its deadline), keeping the heartbeat meanwhile."""
    definition = unit.task.definition
    failure = TaskFailure(job_id=definition.job_id, task_id=definition.task_id, run_id=run.run_id,
                          logical_date=run.logical_date.date(), attempt=attempt,
                          max_attempts=definition.max_attempts, error=error)
    sender = threading.Thread(target=send_failure_alerts, args=(definition.on_failure, failure, _logger),
                              name=f"jobc-alerts-{unit.name}", daemon=True)
    sender.start()
    heartbeat = _Heartbeat(run, unit, attempt)
    while sender.is_alive():
        sender.join(min(CHECK_SECONDS, heartbeat.interval))
        heartbeat.beat()


def _sleep(run: Run, unit: Unit, attempt: int, seconds: float) -> None:
    """The retry delay, keeping the heartbeat; ends early when the unit is cancelled."""
    deadline = time.monotonic() + seconds
    heartbeat = _Heartbeat(run, unit, attempt)
    while (remaining := deadline - time.monotonic()) > 0:
        time.sleep(min(remaining, CHECK_SECONDS, heartbeat.interval))
        if run.cancelled(unit):
            return
        heartbeat.beat()


class _Heartbeat:
    """Refreshes the unit's status record every heartbeat_seconds(), however often it is asked."""

    def __init__(self, run: Run, unit: Unit, attempt: int) -> None:
        self.run, self.unit, self.attempt = run, unit, attempt
        self.interval = heartbeat_seconds()
        self.last = time.monotonic()

    def beat(self) -> None:
        if time.monotonic() - self.last >= self.interval:
            self.run.set_status(self.unit, self.attempt)
            self.last = time.monotonic()


def _task_json(run: Run, unit: Unit) -> dict[str, Any]:
    return task_object(run.record["job"], unit.task.key)
