"""The four actions of protocol version 2; each returns an HTTP status and a JSON answer.

Every action is idempotent: a program retries a request whose answer it did not get, and calls
run_task again with the same body after a 503 (its long poll).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import jobc_runtime

from . import runner, state_dir
from .protocol import AbandonTask, ExecutorRequestError, FinishRun, RunTask, StartRun, resolve_run_params
from .run_state import (FINISH_FILE, RUN, TERMINAL_STATES, UNFINISHED, Run, RunConflictError, Unit,
                        outcome_answer)

POLL_SECONDS_ENV = "JOBC_EXECUTOR_POLL_SECONDS"
DEFAULT_POLL_SECONDS = 0.2
FINISHED_ERROR = "ExecutorError: the run finished before the task ended"

_logger = logging.getLogger("jobc.executor")

Answer = tuple[int, dict[str, Any]]


def start_run(request: StartRun) -> Answer:
    try:
        params = resolve_run_params(request)
    except jobc_runtime.RunParameterError as error:
        _logger.error("rejected run parameters of job %s (run %s): %s", request.spec.job_id, request.run_id, error)
        return 400, {"state": "rejected", "error": f"{type(error).__name__}: {error}"}
    try:
        Run.create(request.run_id, request.job, request.logical_date, request.argument, params)
    except RunConflictError as error:
        _logger.error("%s", error)
        return 409, {"state": "conflict", "error": f"{type(error).__name__}: {error}"}
    return 200, {"state": "started"}


def run_task(request: RunTask, poll_seconds: float) -> Answer:
    run, unit = _unit(request.run_id, request.key, request.index)
    deadline = time.monotonic() + request.wait_seconds
    while True:
        done, answer = _task_step(run, unit)
        if done:
            return 200, answer
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return 503, answer
        state_dir.wait_for_change(min(poll_seconds, remaining))


def finish_run(request: FinishRun) -> Answer:
    run = _run(request.run_id)
    finished = state_dir.read_json(run.folder / FINISH_FILE)
    if finished is not None:
        return 200, finished
    states = {}
    for task in run.job.tasks:
        state = run.task_state(task)
        states[task.task_id] = state if state in TERMINAL_STATES else UNFINISHED
    failed = [task_id for task_id, state in states.items() if state in ("failed", UNFINISHED)]
    # The message the program raises when a task failed: which ones, in the job's order.
    message = f"jobc job {run.job.job_id!r} failed: task(s) {', '.join(failed)} failed" if failed else ""
    answer = {"failed_tasks": failed, "states": states, "message": message}
    stored, _ = state_dir.write_once(run.folder / FINISH_FILE, answer)
    # Whatever still runs now runs for nobody: stop it (its runner sees the outcome and kills the attempt).
    for unit in run.started_units():
        progress = run.progress(unit)
        if progress["state"] not in TERMINAL_STATES:
            run.set_end(unit, {"state": "failed", "attempts": progress.get("attempt", 0), "error": FINISHED_ERROR})
    return 200, stored


def abandon_task(request: AbandonTask) -> Answer:
    run, unit = _unit(request.run_id, request.key, request.index)
    state = run.unit_state(unit)["state"]
    if state not in TERMINAL_STATES:
        attempt = run.progress(unit).get("attempt", 0) if run.decision(unit.task) == RUN else 0
        run.set_end(unit, {"state": "failed", "attempts": attempt, "error": request.error})
        _logger.error("task %s%s of run %s abandoned: %s", unit.task.key,
                      "" if unit.index is None else f" item {unit.index}", run.run_id, request.error)
    return 200, {"state": run.unit_state(unit)["state"]}


def _task_step(run: Run, unit: Unit) -> tuple[bool, dict[str, Any]]:
    """(True, the final answer) or (False, the answer of a 503 for now); starts the unit's runner
    once its decision is "run". Called without an index, a fan-out task answers its decision only."""
    task = unit.task
    ended = run.end(unit) or (run.end(Unit(task)) if unit.index is not None else None)
    if ended is not None:
        return True, outcome_answer(ended)
    decision, pending = run.decide(task)
    if decision is None:
        return False, {"state": "waiting", "waiting_for": pending}
    if task.is_fan_out and unit.index is None:
        return True, {"state": "decided", "decision": decision}
    if decision != RUN:
        return True, {"state": decision}
    progress = run.progress(unit)
    if progress["state"] == "waiting":
        if (run.folder / FINISH_FILE).exists():  # a late call: nothing starts in a finished run
            progress = run.set_end(unit, {"state": "failed", "attempts": 0, "error": FINISHED_ERROR})
        else:
            runner.start(run, unit)
            progress = run.progress(unit)
    if progress["state"] in TERMINAL_STATES:
        return True, outcome_answer(progress)
    return False, {"state": "running", "attempt": progress.get("attempt", 0)}


def _run(run_id: str) -> Run:
    run = Run.open(run_id)
    if run is None:
        raise ExecutorRequestError(f"unknown run {run_id!r}: start_run has not stored it (or its state is gone)")
    return run


def _unit(run_id: str, key: str, index: int | None) -> tuple[Run, Unit]:
    run = _run(run_id)
    task = run.job.task(key)
    if task is None:
        raise ExecutorRequestError(f"run {run_id!r} has no task with key {key!r}")
    if index is not None:
        if not task.is_fan_out:
            raise ExecutorRequestError(f"task {key!r} is not a fan-out task: it takes no index")
        if index >= len(task.items):
            raise ExecutorRequestError(f"task {key!r} has {len(task.items)} item(s): index {index} is out of range")
    return run, Unit(task, index)
