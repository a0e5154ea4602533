"""One run's state in the state directory: the run record, each task's decision and each unit's
progress and outcome; every state is derived from these files whenever it is asked for.

A *unit* is what runs attempts: a plain task, or one item of a fan-out task. Its files, in the run's
folder: ``<unit>.claim.json`` (who runs it; written once), ``<unit>.status.json`` (attempt and
heartbeat; replaced while it runs) and ``<unit>.end.json`` (its outcome; written once). A task also
has ``<task>.decision.json`` (its trigger decision; written once). ``<task>.end.json`` of a fan-out
task exists only when the whole task was abandoned.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pathlib
import threading
import time
from dataclasses import dataclass
from typing import Any

import jobc_runtime

from . import state_dir
from .job import JobSpec, TaskSpec, parse_job

LOST_AFTER_ENV = "JOBC_EXECUTOR_LOST_AFTER_SECONDS"
DEFAULT_LOST_AFTER_SECONDS = 120.0
LOST_ERROR = "ExecutorLostError: the executor instance running it stopped"
UNFINISHED = "unfinished"
RUN = "run"
TERMINAL_STATES = frozenset(jobc_runtime.TASK_STATES)
RUN_FILE = "run.json"
FINISH_FILE = "finish.json"

_cache_lock = threading.Lock()
# Parsed run records by folder; a run record is written once, so a cached one stays right as long
# as the file is the same (checked by its stat on every use).
_cache: dict[pathlib.Path, tuple[tuple[int, int, int], Run]] = {}


class RunConflictError(ValueError):
    """start_run named a run that exists with another job, logical date or argument."""


def lost_after_seconds() -> float:
    text = os.environ.get(LOST_AFTER_ENV)
    if not text:
        return DEFAULT_LOST_AFTER_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{LOST_AFTER_ENV}={text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise ValueError(f"{LOST_AFTER_ENV}={text!r} must be positive")
    return seconds


def heartbeat_seconds() -> float:
    """How often a runner refreshes its heartbeat: several times within the lost limit."""
    return max(0.2, min(10.0, lost_after_seconds() / 4))


def run_folder(run_id: str) -> pathlib.Path:
    return state_dir.state_root() / state_dir.safe_name(run_id)


@dataclass(frozen=True)
class Unit:
    """A plain task (index None) or one item of a fan-out task."""

    task: TaskSpec
    index: int | None = None

    @property
    def name(self) -> str:
        base = state_dir.safe_name(self.task.key)
        return base if self.index is None else f"{base}.item-{self.index}"

    @property
    def item(self) -> Any:
        return None if self.index is None else self.task.items[self.index]


class Run:
    """A started run: its job, resolved parameters and logical date, and its folder."""

    def __init__(self, folder: pathlib.Path, record: dict[str, Any]) -> None:
        self.folder = folder
        self.record = record
        self.run_id: str = record["run_id"]
        self.job: JobSpec = parse_job(record["job"])
        self.params: dict[str, Any] = record["params"]
        self.logical_date: datetime.datetime = jobc_runtime.parse_logical_date(record["logical_date"])

    # -- creating and opening -------------------------------------------------------------------

    @staticmethod
    def create(run_id: str, job: dict[str, Any], logical_date: str, argument: Any, params: dict[str, Any]) -> Run:
        """Store the run, or find it stored by an earlier identical request (RunConflictError when
        the stored one differs)."""
        digest = hashlib.sha256(json.dumps({"job": job, "logical_date": logical_date, "argument": argument},
                                           sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
        record = {"run_id": run_id, "job": job, "logical_date": logical_date, "params": params, "digest": digest}
        folder = run_folder(run_id)
        stored, _ = state_dir.write_once(folder / RUN_FILE, record)
        if stored.get("run_id") != run_id or stored.get("digest") != digest:
            raise RunConflictError(
                f"run {run_id!r} was started with another job, logical date or argument; a run id names one run")
        return Run.open(run_id)

    @staticmethod
    def open(run_id: str) -> Run | None:
        folder = run_folder(run_id)
        path = folder / RUN_FILE
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with _cache_lock:
            cached = _cache.get(folder)
            if cached and cached[0] == identity:
                return cached[1]
        record = state_dir.read_json(path)
        if record is None or record.get("run_id") != run_id:
            return None
        run = Run(folder, record)
        with _cache_lock:
            _cache[folder] = (identity, run)
        return run

    # -- files ----------------------------------------------------------------------------------

    def path(self, unit: Unit, kind: str) -> pathlib.Path:
        return self.folder / f"{unit.name}.{kind}.json"

    def end(self, unit: Unit) -> dict[str, Any] | None:
        return state_dir.read_json(self.path(unit, "end"))

    def set_end(self, unit: Unit, record: dict[str, Any]) -> dict[str, Any]:
        """Record the unit's outcome unless one is recorded; returns the recorded one."""
        stored, _ = state_dir.write_once(self.path(unit, "end"), {**record, "ended_at": time.time()})
        return stored

    def claim(self, unit: Unit) -> bool:
        """True for the one caller that gets to run the unit."""
        record = {"claimed_at": time.time(), "host": os.uname().nodename, "pid": os.getpid()}
        _, claimed = state_dir.write_once(self.path(unit, "claim"), record)
        return claimed

    def set_status(self, unit: Unit, attempt: int) -> None:
        state_dir.write_json(self.path(unit, "status"), {"state": "running", "attempt": attempt,
                                                         "heartbeat": time.time()})

    def cancelled(self, unit: Unit) -> bool:
        """The unit (or its whole fan-out task) has an outcome already: its runner must stop."""
        whole = Unit(unit.task)
        return self.end(unit) is not None or (unit.index is not None and self.end(whole) is not None)

    # -- states ---------------------------------------------------------------------------------

    def decision(self, task: TaskSpec) -> str | None:
        record = state_dir.read_json(self.path(Unit(task), "decision"))
        return record["decision"] if record else None

    def decide(self, task: TaskSpec) -> tuple[str | None, list[str]]:
        """The task's trigger decision, made once every upstream task has ended; None and the keys of
        the upstream tasks still going until then."""
        decision = self.decision(task)
        if decision is not None:
            return decision, []
        states = {key: self.task_state(self.job.task(key)) for key in task.upstream}
        pending = [key for key, state in states.items() if state not in TERMINAL_STATES]
        if pending:
            return None, pending
        decision = jobc_runtime.trigger_decision(task.trigger_rule, states.values())
        stored, _ = state_dir.write_once(self.path(Unit(task), "decision"), {"decision": decision})
        return stored["decision"], []

    def task_state(self, task: TaskSpec) -> str:
        """A terminal task state, or "waiting" / "running"."""
        ended = self.end(Unit(task))
        if ended is not None:
            return ended["state"]
        decision = self.decision(task)
        if decision is None:
            return "waiting"
        if decision != RUN:
            return decision
        if not task.is_fan_out:
            return self.progress(Unit(task))["state"]
        # Kept once known: downstream tasks waiting on a large fan-out read one file, not one per item.
        fan_in = state_dir.read_json(self.path(Unit(task), "fan-in"))
        if fan_in is not None:
            return fan_in["state"]
        states = [self.progress(Unit(task, index))["state"] for index in range(len(task.items))]
        if any(state not in TERMINAL_STATES for state in states):
            return "running"
        stored, _ = state_dir.write_once(self.path(Unit(task), "fan-in"),
                                         {"state": "failed" if "failed" in states else "success"})
        return stored["state"]

    def unit_state(self, unit: Unit) -> dict[str, Any]:
        """What run_task and abandon_task answer for a unit whose decision may not be made yet."""
        if unit.index is None:
            return {"state": self.task_state(unit.task)}
        ended = self.end(unit) or self.end(Unit(unit.task))
        if ended is not None:
            return ended
        decision = self.decision(unit.task)
        if decision is None:
            return {"state": "waiting"}
        return {"state": decision} if decision != RUN else self.progress(unit)

    def progress(self, unit: Unit) -> dict[str, Any]:
        """A unit the decision runs: its outcome, or ``{"state": "running", "attempt": k}``, or
        ``{"state": "waiting"}`` before anyone claimed it. A running unit whose heartbeat is older
        than the lost limit is failed here, by whoever looks."""
        ended = self.end(unit)
        if ended is not None:
            return ended
        claim = state_dir.read_json(self.path(unit, "claim"))
        if claim is None:
            return {"state": "waiting"}
        status = state_dir.read_json(self.path(unit, "status")) or {}
        attempt = status.get("attempt", 0)
        heartbeat = status.get("heartbeat", claim["claimed_at"])
        if time.time() - heartbeat > lost_after_seconds():
            return self.set_end(unit, {"state": "failed", "attempts": attempt, "error": LOST_ERROR})
        return {"state": "running", "attempt": attempt}

    def started_units(self) -> list[Unit]:
        """Every unit someone claimed."""
        units = []
        for task in self.job.tasks:
            if task.is_fan_out:
                units.extend(Unit(task, index) for index in range(len(task.items)))
            else:
                units.append(Unit(task))
        return [unit for unit in units if self.path(unit, "claim").exists()]


def outcome_answer(record: dict[str, Any]) -> dict[str, Any]:
    """The public part of an outcome record."""
    return {key: record[key] for key in ("state", "attempts", "error") if key in record}
