"""Migration is invisible: every scenario gives identical results on every registered target."""

from __future__ import annotations

import pytest
from conformance import TARGET_DRIVERS, differences, load_scenarios, outcome, reset_database, snapshot
from jobc_test_support import REPO_ROOT

SCENARIOS = load_scenarios()


def test_the_suite_has_the_required_scenarios():
    assert {scenario.name for scenario in SCENARIOS} >= {"demo", "diamond", "failing_retry", "hostile_strings"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_every_target_produces_the_expected_outcome(scenario, request, postgres, secret_dir, tmp_path):
    job_id = scenario.job_id
    env = {"JOBC_PROJECT_ROOT": str(REPO_ROOT), "JOBC_SECRET_DIR": str(secret_dir)}
    outcomes, outputs = {}, {}
    for name, make_driver in TARGET_DRIVERS.items():
        reset_database(postgres)
        for sql in scenario.setup:
            postgres.execute(sql.read_text(encoding="utf-8"))
        run = make_driver(request).compile_and_run(scenario, job_id, tmp_path / name, env)
        outcomes[name] = outcome(run, snapshot(postgres, scenario.expected["tables"]))
        outputs[name] = run.output

    problems = differences(scenario.expected, outcomes)
    assert not problems, "\n".join(problems) + "".join(
        f"\n--- {name} output (tail) ---\n" + "\n".join(text.splitlines()[-40:]) for name, text in outputs.items())


def test_a_divergent_target_fails_the_suite():
    expected = {"run": "success", "tasks": {"t": {"state": "success", "attempts": 1}}, "tables": {"x": [["a", 1]]}}
    same = {"run": "success", "tasks": {"t": {"state": "success", "attempts": 1}}, "tables": {"x": [["a", 1]]}}
    divergent = {**same, "tables": {"x": [["a", 2]]}}

    assert differences(expected, {"one": same, "two": same}) == []
    problems = differences(expected, {"one": same, "two": divergent})
    assert problems and problems[0].startswith("two: tables is")
    assert problems[-1] == "one and two disagree"
    assert differences(expected, {"one": same, "two": {**same, "run": "failed"}})[0].startswith("two: run is")
