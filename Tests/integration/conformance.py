"""The cross-target conformance suite's machinery.

A scenario (Tests/conformance/scenarios/<name>/scenario.json) names a job, SQL to run first, a
logical date, and the expected outcome: the run's state, each task's state and attempts, and the
final rows of some tables. Every registered target compiles the job with jobc, runs it on its real
engine against the same throwaway PostgreSQL, and must produce exactly the expected outcome, hence
identical outcomes on every target.

Adding a target: write a driver (a `compile_and_run` method) and add one entry to `TARGET_DRIVERS`.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import pathlib
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from jobc_cli import compile_jobs, ir, job_id, run_jobc
from jobc_test_support import REPO_ROOT
from prefect_harness import plugin_path_env

SCENARIOS = REPO_ROOT / "Tests" / "conformance" / "scenarios"


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    job: pathlib.Path
    setup: tuple[pathlib.Path, ...]
    logical_date: datetime.datetime
    expected: Mapping[str, Any]

    @property
    def job_id(self) -> str:
        return job_id(self.job)


def load_scenarios() -> list[Scenario]:
    scenarios = []
    for path in sorted(SCENARIOS.glob("*/scenario.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        day = datetime.date.fromisoformat(spec["logical_date"])
        scenarios.append(Scenario(
            name=path.parent.name,
            job=REPO_ROOT / spec["job"],
            setup=tuple(REPO_ROOT / setup for setup in spec["setup"]),
            logical_date=datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc),
            expected=spec["expected"],
        ))
    return scenarios


@dataclasses.dataclass(frozen=True)
class EngineRun:
    """What an engine reports: the run's state and, per task id, its state and attempts."""

    run: str  # "success" | "failed"
    tasks: Mapping[str, Mapping[str, Any]]  # task id -> {"state": "success" | "failed" | "not_run", "attempts": int}
    output: str  # engine output, shown when something differs


class TargetDriver(Protocol):
    name: str

    def compile_and_run(self, scenario: Scenario, job_id: str, out: pathlib.Path, env: Mapping[str, str]) -> EngineRun: ...


class AirflowDriver:
    name = "airflow"
    # Airflow task states that mean "did not run because of an upstream failure".
    NOT_RUN = {None, "upstream_failed", "skipped", "removed", "scheduled", "queued", "none"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("airflow", out, scenario.job)
        report = self.harness.run_dag(out, job_id, scenario.logical_date, extra_env=env)
        tasks = {}
        for task_id, task in report.task_instances.items():
            if task.state in self.NOT_RUN:
                tasks[task_id] = {"state": "not_run", "attempts": 0}
            else:
                tasks[task_id] = {"state": task.state, "attempts": task.try_number}
        return EngineRun(run=report.state, tasks=tasks, output=report.output)


class DagsterDriver:
    name = "dagster"
    # The harness's op statuses, in the suite's words ("skipped": never started, an upstream failed).
    STATES = {"success": "success", "failure": "failed", "skipped": "not_run"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("dagster", out, scenario.job)
        report = self.harness.run_job(out / f"{job_id}.py", job_id, scenario.logical_date, extra_env=env)
        tasks = {}
        for op, op_report in report.ops.items():
            state = self.STATES[op_report.status]
            tasks[op] = {"state": state, "attempts": 0 if state == "not_run" else op_report.attempts}
        return EngineRun(run="success" if report.success else "failed", tasks=tasks, output=report.output)


class CloudWorkflowsDriver:
    """The program runs in workflows-emulator against the executor on 127.0.0.1; the executor's
    call log says which tasks ran, how often, and how their last attempt ended."""

    name = "cloud-workflows"

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        with self.harness.executor(env) as (url, call_log):
            result = run_jobc("compile", str(scenario.job), "--target", "cloud-workflows", "--out", str(out),
                              "--root", str(REPO_ROOT), "--option", f"executor_url={url}")
            assert result.returncode == 0, f"jobc compile failed ({result.returncode}):\n{result.stderr}{result.stdout}"
            run = self.harness.run(out / f"{job_id}.workflows.yaml", {"logical_date": scenario.logical_date.date().isoformat()}, call_log)
        tasks = {task_id: {"state": "not_run", "attempts": 0} for task_id in _task_ids(scenario)}
        for call in run.calls:
            tasks[call["task_id"]] = {"state": "success" if call["outcome"] == "success" else "failed", "attempts": call["attempt"]}
        output = run.output + "\n--- executor ---\n" + self.harness.last_executor_output
        return EngineRun(run="success" if run.succeeded else "failed", tasks=tasks, output=output)


class PrefectDriver:
    """jobc finds the plugin jobc-emit-prefect on PATH (the Prefect venv's bin first); the flow runs
    against the harness's Prefect server, whose task runs say which tasks ran, how often, and how
    their last attempt ended. A task run that never started (an upstream task failed) is NotReady."""

    name = "prefect"
    STATES = {"COMPLETED": "success", "FAILED": "failed", "CRASHED": "failed", "CANCELLED": "failed"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("prefect", out, scenario.job, extra_env=plugin_path_env())
        task_ids = _task_ids(scenario)
        report = self.harness.run_flow(out / f"{job_id}.py", job_id, len(task_ids), scenario.logical_date, extra_env=env)
        tasks = {task_id: {"state": "not_run", "attempts": 0} for task_id in task_ids}
        for task_run in report.task_runs:
            if task_run.state_name == "NotReady":
                continue
            assert task_run.name in tasks, f"task run {task_run.name!r} is not a task of {job_id}\n{report.tail()}"
            tasks[task_run.name] = {"state": self.STATES[task_run.state_type], "attempts": task_run.run_count}
        return EngineRun(run="success" if report.state_type == "COMPLETED" else "failed", tasks=tasks, output=report.output)


def _task_ids(scenario: Scenario) -> list[str]:
    """Every task id of the scenario's job, as jobc reads it (`jobc ir`)."""
    return [task["taskId"] for task in ir(scenario.job)["tasks"]]


# The registry: target name -> how to build its driver from the pytest request (its engine fixture).
TARGET_DRIVERS: dict[str, Callable[[Any], TargetDriver]] = {
    "airflow": lambda request: AirflowDriver(request.getfixturevalue("airflow")),
    "dagster": lambda request: DagsterDriver(request.getfixturevalue("dagster")),
    "cloud-workflows": lambda request: CloudWorkflowsDriver(request.getfixturevalue("cloud_workflows")),
    "prefect": lambda request: PrefectDriver(request.getfixturevalue("prefect")),
}


def reset_database(postgres) -> None:
    postgres.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def snapshot(postgres, tables) -> dict[str, list | None]:
    """Every row of each table (None when the table does not exist), as JSON-like values in a
    stable order that does not depend on the database's collation."""
    result = {}
    for table in tables:
        exists = postgres.fetch("SELECT to_regclass(%s) IS NOT NULL", (f"public.{table}",))[0][0]
        if not exists:
            result[table] = None
            continue
        rows = [[_plain(value) for value in row] for row in postgres.fetch(f'SELECT * FROM "{table}"')]
        result[table] = sorted(rows, key=_order)
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _order(row: list) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=True)


def outcome(run: EngineRun, tables: Mapping[str, list | None]) -> dict[str, Any]:
    return {"run": run.run, "tasks": dict(run.tasks), "tables": dict(tables)}


def differences(expected: Mapping[str, Any], outcomes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every way the targets' outcomes differ from the expectation, and from each other."""
    problems = []
    wanted = {**expected, "tables": {name: (None if rows is None else sorted(rows, key=_order))
                                     for name, rows in expected["tables"].items()}}
    for target, got in outcomes.items():
        for key in ("run", "tasks", "tables"):
            if got[key] != wanted[key]:
                problems.append(f"{target}: {key} is {json.dumps(got[key], ensure_ascii=False)}, expected {json.dumps(wanted[key], ensure_ascii=False)}")
    names = list(outcomes)
    for other in names[1:]:
        if outcomes[other] != outcomes[names[0]]:
            problems.append(f"{names[0]} and {other} disagree")
    return problems
