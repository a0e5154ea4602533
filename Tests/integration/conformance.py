"""The cross-target conformance suite's machinery.

A scenario (Tests/conformance/scenarios/<name>/scenario.json) names a job, SQL to run first, a
logical date, optional run parameter overrides, and the expected outcome: the run's state, each
task's state and attempts, the final rows of some tables and the failure alerts the webhook
receiver got (none unless listed). Every registered target compiles the job with jobc, runs it on
its real engine against the same throwaway PostgreSQL, and must produce exactly the expected
outcome, hence identical outcomes on every target. A target listed under `unsupported` is not run:
it must refuse the job at compile time, naming exactly the listed features.

Adding a target: write a driver (a `compile_and_run` method) in conformance_<target>.py and add one
entry to `TARGET_DRIVERS`.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import pathlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from jobc_cli import ir, job_id, run_jobc
from jobc_test_support import REPO_ROOT

SCENARIOS = REPO_ROOT / "Tests" / "conformance" / "scenarios"
# The scenarios' jobs send their failure alerts to http://127.0.0.1:47809/... (a URL is part of the
# job, so the port is fixed); the suite's webhook receiver listens there.
WEBHOOK_PORT = 47809


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    job: pathlib.Path
    setup: tuple[pathlib.Path, ...]
    logical_date: datetime.datetime
    expected: Mapping[str, Any]
    # Run parameter overrides for this run (`params` in scenario.json), or None: the defaults.
    params: Mapping[str, Any] | None = None
    # Targets that must refuse the job: target -> features its diagnostics name (`unsupported`).
    unsupported: Mapping[str, list[str]] = dataclasses.field(default_factory=dict)

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
            params=spec.get("params"),
            unsupported=spec.get("unsupported", {}),
        ))
    return scenarios


@dataclasses.dataclass(frozen=True)
class EngineRun:
    """What an engine reports: the run's state and, per task id, its state and attempts."""

    run: str  # "success" | "failed"
    # task id -> {"state": "success" | "failed" | "not_run", "attempts": int}; a fan-out task also has
    # "items": how many of its runs started, and "attempts" is the most any of its runs took.
    tasks: Mapping[str, Mapping[str, Any]]
    output: str  # engine output, shown when something differs


class TargetDriver(Protocol):
    name: str

    def compile_and_run(self, scenario: Scenario, job_id: str, out: pathlib.Path, env: Mapping[str, str]) -> EngineRun: ...


def task_ids(scenario: Scenario) -> list[str]:
    """Every task id of the scenario's job, as jobc reads it (`jobc ir`)."""
    return [task["taskId"] for task in ir(scenario.job)["tasks"]]


def _drivers() -> dict[str, Callable[[Any], TargetDriver]]:
    # Imported here: each driver module imports this one (Scenario, EngineRun, task_ids).
    from conformance_airflow import AirflowDriver
    from conformance_cloud_workflows import CloudWorkflowsDriver
    from conformance_dagster import DagsterDriver
    from conformance_local import LocalDriver
    from conformance_prefect import PrefectDriver
    return {
        "airflow": lambda request: AirflowDriver(request.getfixturevalue("airflow")),
        "dagster": lambda request: DagsterDriver(request.getfixturevalue("dagster")),
        "cloud-workflows": lambda request: CloudWorkflowsDriver(request.getfixturevalue("cloud_workflows")),
        "prefect": lambda request: PrefectDriver(request.getfixturevalue("prefect")),
        "local": lambda request: LocalDriver(),
    }


# The registry: target name -> how to build its driver from the pytest request (its engine fixture).
# Adding a target: a module conformance_<target>.py with a driver class, and one entry above.
TARGET_DRIVERS: dict[str, Callable[[Any], TargetDriver]] = _drivers()


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


def alerts(requests: Sequence[Any]) -> list[dict[str, Any]]:
    """The webhook requests one run caused (alert_receiver.ReceivedRequest: path, headers, body), as
    comparable values in a stable order: each JSON body with the request's path. The only thing
    that legitimately differs between engines, the run id, is checked (a non-empty string, the same
    in every alert of the run) and left out; anything else odd stays in the value, so it differs."""
    result, run_ids = [], set()
    for request in requests:
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = {"unreadable_body": request.body.decode("utf-8", "replace")}
        if not isinstance(body, dict):
            body = {"not_an_object": body}
        run_id = body.pop("run_id", None)
        if isinstance(run_id, str) and run_id:
            run_ids.add(run_id)
        else:
            body["bad_run_id"] = run_id
        content_type = {name.lower(): value for name, value in request.headers.items()}.get("content-type")
        if content_type != "application/json":
            body["bad_content_type"] = content_type
        result.append({"path": request.path, **body})
    if len(run_ids) > 1:
        result.append({"problem": "the alerts of one run carry different run ids", "run_ids": sorted(run_ids)})
    return sorted(result, key=_order)


def outcome(run: EngineRun, tables: Mapping[str, list | None],
            received_alerts: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {"run": run.run, "tasks": dict(run.tasks), "tables": dict(tables), "alerts": list(received_alerts)}


def differences(expected: Mapping[str, Any], outcomes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every way the targets' outcomes differ from the expectation, and from each other. A scenario
    without "alerts" expects none."""
    problems = []
    wanted = {**expected,
              "tables": {name: (None if rows is None else sorted(rows, key=_order))
                         for name, rows in expected["tables"].items()},
              "alerts": sorted(expected.get("alerts", []), key=_order)}
    for target, got in outcomes.items():
        got = {"alerts": [], **got}
        for key in ("run", "tasks", "tables", "alerts"):
            if got[key] != wanted[key]:
                problems.append(f"{target}: {key} is {json.dumps(got[key], ensure_ascii=False)}, expected {json.dumps(wanted[key], ensure_ascii=False)}")
    names = list(outcomes)
    for other in names[1:]:
        if outcomes[other] != outcomes[names[0]]:
            problems.append(f"{names[0]} and {other} disagree")
    return problems


def _compile_env(target: str) -> dict[str, str]:
    """What jobc needs in its environment to compile for the target: a PATH holding the plugin's
    jobc-emit-NAME for plugin targets."""
    if target == "prefect":
        from prefect_harness import plugin_path_env
        return plugin_path_env()
    return {}


# `file:line:col: error: MESSAGE [CODE]`, as jobc prints diagnostics (NO_COLOR); any other line
# saying `error:` is an error too (without a code).
_ERROR_LINE = re.compile(r"^(?:.*?: )?error: (?P<message>.*?)(?: \[(?P<code>[a-z0-9-]+)\])?$")
_UNSUPPORTED_FEATURE = re.compile(r"\((?P<feature>[a-z0-9-]+)\)$")


def refusal_problems(scenario: Scenario, target: str, out: pathlib.Path) -> list[str]:
    """How `jobc compile --target TARGET` fails to refuse the scenario's job as it must: exit
    non-zero, with only `target-unsupported` errors, naming exactly the features listed in the
    scenario's `unsupported` (warnings, for features the target ignores harmlessly, do not count)."""
    result = run_jobc("compile", str(scenario.job), "--target", target, "--out", str(out), "--root", str(REPO_ROOT),
                      extra_env=_compile_env(target))
    output = result.stderr + result.stdout
    problems, refused = [], set()
    if result.returncode == 0:
        problems.append(f"{target}: jobc compile accepted the job, expected a refusal of {scenario.unsupported[target]}")
    for line in output.splitlines():
        error = _ERROR_LINE.match(line)
        if error is None:
            continue
        feature = _UNSUPPORTED_FEATURE.search(error["message"])
        if error["code"] != "target-unsupported" or feature is None:
            problems.append(f"{target}: an error that is not a refused feature: {line}")
        else:
            refused.add(feature["feature"])
    if refused != set(scenario.unsupported[target]):
        problems.append(f"{target}: refused features {sorted(refused)}, expected {sorted(scenario.unsupported[target])}")
    if problems:
        problems.append(f"--- jobc compile --target {target} (exit {result.returncode}) ---\n{output}")
    return problems
