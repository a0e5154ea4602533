"""Migration is invisible: every scenario gives identical results on every registered target, and a
target that cannot express a scenario's job refuses it at compile time instead of running it
differently."""

from __future__ import annotations

import dataclasses

import pytest
from conformance import (
    TARGET_DRIVERS,
    alerts,
    differences,
    load_scenarios,
    outcome,
    refusal_problems,
    reset_database,
    snapshot,
)
from jobc_test_support import REPO_ROOT

SCENARIOS = load_scenarios()


def test_the_suite_has_the_required_scenarios():
    assert {scenario.name for scenario in SCENARIOS} >= {
        "demo", "diamond", "failing_retry", "hostile_strings",
        "run_params", "run_params_overrides", "failure_alerts", "trigger_rules", "task_groups", "fan_out",
        "grouped_fan_out", "failing_fan_out",
    }


def test_the_scenarios_name_only_registered_targets():
    for scenario in SCENARIOS:
        assert set(scenario.unsupported) <= set(TARGET_DRIVERS), scenario.name


# One test per scenario and target, so a report says which target diverges. Every target must
# produce the scenario's complete expected outcome, hence the same outcome as every other target.
CASES = [(scenario, target) for scenario in SCENARIOS for target in TARGET_DRIVERS]


@pytest.mark.parametrize(("scenario", "target"), CASES, ids=[f"{scenario.name}-{target}" for scenario, target in CASES])
def test_every_target_produces_the_expected_outcome(scenario, target, request, postgres, secret_dir,
                                                    conformance_webhook, tmp_path):
    if target in scenario.unsupported:
        problems = refusal_problems(scenario, target, tmp_path / target)
        assert not problems, "\n".join(problems)
        return
    env = {"JOBC_PROJECT_ROOT": str(REPO_ROOT), "JOBC_SECRET_DIR": str(secret_dir)}
    reset_database(postgres)
    for sql in scenario.setup:
        postgres.execute(sql.read_text(encoding="utf-8"))
    conformance_webhook.clear()
    run = TARGET_DRIVERS[target](request).compile_and_run(scenario, scenario.job_id, tmp_path / target, env)
    got = outcome(run, snapshot(postgres, scenario.expected["tables"]), alerts(conformance_webhook.requests))

    problems = differences(scenario.expected, {target: got})
    assert not problems, "\n".join(problems) + f"\n--- {target} output (tail) ---\n" + "\n".join(run.output.splitlines()[-60:])


def test_a_divergent_target_fails_the_suite():
    expected = {"run": "success", "tasks": {"t": {"state": "success", "attempts": 1}}, "tables": {"x": [["a", 1]]}}
    same = {"run": "success", "tasks": {"t": {"state": "success", "attempts": 1}}, "tables": {"x": [["a", 1]]}}
    divergent = {**same, "tables": {"x": [["a", 2]]}}

    assert differences(expected, {"one": same, "two": same}) == []
    problems = differences(expected, {"one": same, "two": divergent})
    assert problems and problems[0].startswith("two: tables is")
    assert problems[-1] == "one and two disagree"
    assert differences(expected, {"one": same, "two": {**same, "run": "failed"}})[0].startswith("two: run is")


class _Request:
    def __init__(self, path, body, content_type="application/json"):
        self.path, self.body, self.headers = path, body, {"Content-Type": content_type}


def test_alerts_are_compared_without_the_run_id_and_in_any_order():
    first = _Request("/a", b'{"task_id": "t1", "run_id": "r1", "error": "E: x"}')
    second = _Request("/b", b'{"task_id": "t2", "run_id": "r1", "error": "E: y"}')
    received = alerts([second, first])
    assert received == [{"path": "/a", "task_id": "t1", "error": "E: x"}, {"path": "/b", "task_id": "t2", "error": "E: y"}]

    expected = {"run": "failed", "tasks": {}, "tables": {}, "alerts": list(reversed(received))}
    got = {"run": "failed", "tasks": {}, "tables": {}, "alerts": received}
    assert differences(expected, {"one": got}) == []
    # One alert too many, one missing, none at all where some were expected: all differences.
    assert differences(expected, {"one": {**got, "alerts": received + received[:1]}})[0].startswith("one: alerts is")
    assert differences(expected, {"one": {**got, "alerts": received[:1]}})[0].startswith("one: alerts is")
    assert differences(expected, {"one": {**got, "alerts": []}})[0].startswith("one: alerts is")
    # A scenario without "alerts" expects none.
    assert differences({**expected, "alerts": []}, {"one": got})[0].startswith("one: alerts is")
    assert differences({key: value for key, value in expected.items() if key != "alerts"}, {"one": got})


def test_alerts_that_differ_in_more_than_the_run_id_are_kept_different():
    missing_run_id = alerts([_Request("/a", b'{"task_id": "t1", "error": "E: x"}')])
    assert missing_run_id == [{"path": "/a", "task_id": "t1", "error": "E: x", "bad_run_id": None}]
    two_runs = alerts([_Request("/a", b'{"task_id": "t1", "run_id": "r1"}'), _Request("/a", b'{"task_id": "t2", "run_id": "r2"}')])
    assert {"problem": "the alerts of one run carry different run ids", "run_ids": ["r1", "r2"]} in two_runs
    assert alerts([_Request("/a", b'{"run_id": "r"}', content_type="text/plain")]) == [
        {"path": "/a", "bad_content_type": "text/plain"}]
    assert alerts([_Request("/a", b"not json")]) == [{"path": "/a", "unreadable_body": "not json", "bad_run_id": None}]


def test_a_target_that_compiles_a_job_it_should_refuse_fails_the_suite(tmp_path):
    [fan_out] = [scenario for scenario in SCENARIOS if scenario.name == "fan_out"]
    claims_airflow_refuses = dataclasses.replace(fan_out, unsupported={"airflow": ["fan-out"]})
    problems = refusal_problems(claims_airflow_refuses, "airflow", tmp_path)
    assert problems[0] == "airflow: jobc compile accepted the job, expected a refusal of ['fan-out']"
    assert problems[1] == "airflow: refused features [], expected ['fan-out']"
