"""The executor's main loop: read the plan, decide each task when its upstream tasks have ended
(jobc_runtime.trigger_decision, as the engines without native trigger rules do), run the tasks it
decides to run (up to max_parallel attempts at a time; a fan-out task one unit per item), report
every step as an event, and write the report."""

from __future__ import annotations

import json
import os
import pathlib
import queue
import signal
import sys
import threading
import time
from typing import Any

import jobc_runtime
from jobc_runtime.attempt_process import read_line

from .job import LocalTask, local_tasks
from .protocol import Events, PlanError, parse_plan
from .query import run_queries
from .unit import Context, Unit, iso_time, run_unit

# Exit status when the plan was refused before anything ran (jobc reports the run_rejected event).
REJECTED = 2


def main() -> int:
    events = Events()
    try:
        plan = parse_plan(read_line(sys.stdin.fileno()))
        tasks = local_tasks(plan.ir, plan.selected)
    except (PlanError, jobc_runtime.TaskDefinitionError) as error:
        events.emit("run_rejected", error=str(error))
        return REJECTED
    context = Context(plan, events)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: context.stop.set())
    threading.Thread(target=_stop_when_jobc_is_gone, args=(context,), name="jobc-stdin-watch", daemon=True).start()
    run = LocalRun(context, tasks)
    run.execute()
    report = run.report()
    if plan.queries:
        report["queries"] = None if report["state"] == "interrupted" else run_queries(plan.queries, plan.project_root)
    report_error = None
    if plan.report:
        try:
            _write_atomically(pathlib.Path(plan.report), json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        except OSError as error:
            report_error = f"cannot write the report {plan.report}: {error.strerror or error}"
    events.emit("run_finished", report=report, report_error=report_error)
    return 0


class LocalRun:
    def __init__(self, context: Context, tasks: list[LocalTask]) -> None:
        self.context = context
        self.tasks = tasks
        self.states: dict[str, str] = {}
        self.units: dict[str, list[Unit]] = {}
        self.decided_at: dict[str, float] = {}
        self.ended: "queue.Queue[Unit]" = queue.Queue()
        self.started = self.finished = 0.0

    def execute(self) -> None:
        plan, events = self.context.plan, self.context.events
        self.started = time.time()
        events.emit("run_started", job_id=plan.ir["job"]["id"], run_id=plan.run_id,
                    logical_date=plan.logical_date.isoformat(), params=dict(plan.params),
                    run_folder=plan.run_folder, max_parallel=plan.max_parallel, stubs=sorted(plan.stubs),
                    tasks=[{"key": task.key, "task_id": task.task_id,
                            "item_count": None if task.items is None else len(task.items)} for task in self.tasks])
        pending = list(self.tasks)
        running: dict[str, int] = {}
        while True:
            if not self.context.stop.is_set():
                pending = [task for task in pending if not self._start_if_ready(task, running)]
            if not running and (self.context.stop.is_set() or not pending):
                break
            try:
                unit = self.ended.get(timeout=0.2)
            except queue.Empty:
                continue
            running[unit.task.key] -= 1
            if running[unit.task.key] == 0:
                del running[unit.task.key]
                self._finish(unit.task)
        self.finished = time.time()

    def _start_if_ready(self, task: LocalTask, running: dict[str, int]) -> bool:
        if any(name not in self.states for name in task.upstream):
            return False
        decision = jobc_runtime.trigger_decision(task.trigger_rule, [self.states[name] for name in task.upstream])
        self.decided_at[task.key] = time.time()
        if decision != "run":
            self.states[task.key] = decision
            self._emit_task_finished(task)
            return True
        units = [Unit(task, None)] if task.items is None else [Unit(task, index) for index in range(len(task.items))]
        self.units[task.key] = units
        if not units:  # a fan-out over no items: nothing to run, nothing failed
            self.states[task.key] = "success"
            self._emit_task_finished(task)
            return True
        running[task.key] = len(units)
        for unit in units:
            threading.Thread(target=self._run_unit, args=(unit,), name=f"jobc-unit-{unit.label}", daemon=True).start()
        return True

    def _run_unit(self, unit: Unit) -> None:
        run_unit(self.context, unit)
        self.ended.put(unit)

    def _finish(self, task: LocalTask) -> None:
        states = [unit.state for unit in self.units[task.key]]
        self.states[task.key] = ("interrupted" if "interrupted" in states else "failed" if "failed" in states
                                 else "success")
        self._emit_task_finished(task)

    def _emit_task_finished(self, task: LocalTask) -> None:
        self.context.events.emit("task_finished", **_summary(self._task_record(task)))

    def _task_record(self, task: LocalTask) -> dict[str, Any]:
        units = self.units.get(task.key, [])
        state = self.states.get(task.key, "not_run")
        starts = [unit.started for unit in units if unit.started is not None]
        ends = [unit.ended for unit in units if unit.ended is not None]
        started = min(starts) if starts else None
        ended = max(ends) if ends and len(ends) == len(units) else None
        # The last attempt's error of the first unit that did not succeed.
        errors = [unit.attempts[-1].error for unit in units if unit.state != "success" and unit.attempts]
        record: dict[str, Any] = {
            "key": task.key, "task_id": task.task_id, "group": task.ir.get("group"), "state": state,
            "trigger_rule": task.trigger_rule,
            "attempts": max((len(unit.attempts) for unit in units), default=0),
            "max_attempts": task.definition.max_attempts,
            "started_at": None if started is None else iso_time(started),
            "ended_at": None if ended is None else iso_time(ended),
            "seconds": None if started is None or ended is None else round(ended - started, 3),
            "error": next(filter(None, errors), None),
        }
        if task.items is None:
            record["history"] = [attempt.record() for unit in units for attempt in unit.attempts]
        else:
            record["items"] = [{"index": unit.index, "item": unit.item, "state": unit.state or "not_run",
                                "attempts": len(unit.attempts),
                                "history": [attempt.record() for attempt in unit.attempts]} for unit in units]
        return record

    def report(self) -> dict[str, Any]:
        plan = self.context.plan
        tasks = [self._task_record(task) for task in self.tasks]
        states = [task["state"] for task in tasks]
        stopped = self.context.stop.is_set() and any(state in ("interrupted", "not_run") for state in states)
        selected = {task.key for task in self.tasks}
        return {
            "job_id": plan.ir["job"]["id"],
            "run_id": plan.run_id,
            "logical_date": plan.logical_date.isoformat(),
            "params": dict(plan.params),
            # The engines' outcome: a run fails when a task failed (skipped and upstream_failed
            # tasks follow from a failure, or from a trigger rule that did not fire).
            "state": "interrupted" if stopped else "failed" if "failed" in states else "success",
            "started_at": iso_time(self.started),
            "ended_at": iso_time(self.finished),
            "seconds": round(self.finished - self.started, 3),
            "run_folder": plan.run_folder,
            "not_selected": [task["key"] for task in plan.ir["tasks"] if task["key"] not in selected],
            "tasks": tasks,
        }


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("key", "task_id", "state", "attempts", "max_attempts", "seconds", "error")
    summary = {("task" if key == "key" else key): record[key] for key in keys}
    if "items" in record:
        summary["item_count"] = len(record["items"])
    return summary


def _stop_when_jobc_is_gone(context: Context) -> None:
    while os.read(sys.stdin.fileno(), 4096):
        pass
    context.stop.set()


def _write_atomically(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
