"""Every file the cloud-workflows target emits for the sample, scenario and golden jobs validates
against the Cloud Workflows JSON Schema and against the checks the schema misses; every string of
the job re-parses to itself and is never evaluated as an expression."""

from __future__ import annotations

import base64
import dataclasses
import json
import sys

import pytest
import yaml
from cloud_workflows_harness import assert_valid_program, job_table, local_program, program_steps, task_outcomes
from jobc_cli import compile_jobs, ir, run_jobc
from jobc_test_support import REPO_ROOT, sample_job_files

sys.path.insert(0, str(REPO_ROOT / "Tests" / "benchmark"))
import workflows_metrics  # noqa: E402 (the benchmark's reading of a program, shared)

JOBS = sorted([*sample_job_files(),
               *(REPO_ROOT / "Tests" / "conformance" / "scenarios").glob("*/job.yaml"),
               *(REPO_ROOT / "Tests" / "JobcEmittersTests" / "Golden" / "jobs").glob("*.yaml")])


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("cloud_workflows_out")
    compile_jobs("cloud-workflows", out, *JOBS)
    return out


@pytest.mark.parametrize("job", JOBS, ids=[job.stem for job in JOBS])
def test_every_program_validates_and_keeps_every_string(job, compiled):
    graph = ir(job)
    path = compiled / f"{graph['job']['id']}.workflows.yaml"
    program = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert_valid_program(program, path.read_text(encoding="utf-8"))
    # The job as the executor gets it: every task with its kwargs, secret, retries and dependencies,
    # every user string intact (never an expression: `${` travels as base64 JSON).
    table = job_table(program)
    raw = next(step["start_run"] for step in program["main"]["steps"] if "start_run" in step)["try"]["args"]["body"]["job"]
    assert "${" not in json.dumps(raw, ensure_ascii=False)
    assert [row["key"] for row in table["tasks"]] == [task["key"] for task in graph["tasks"]]
    upstream = {task["key"]: [] for task in graph["tasks"]}
    for edge in graph["edges"]:
        upstream[edge["target"]].append(edge["source"])
    for task, row in zip(graph["tasks"], table["tasks"]):
        assert row["task_id"] == task["taskId"]
        assert row["kwargs"] == task["parameters"]
        assert row["secret"] == (task["secret"]["name"] if task["secret"] else None)
        assert row["retries"] == task["retry"]["retries"]
        assert row["trigger_rule"] == task["triggerRule"]
        assert row["upstream"] == upstream[task["key"]]
        assert (row["for_each"] is not None) == (task["forEach"] is not None)
        if task["forEach"]:
            assert row["for_each"]["items"] == task["forEach"]["items"]
    # Every task runs in exactly one lane, at most fifteen lanes.
    lanes = workflows_metrics.Program(path.read_text(encoding="utf-8")).lanes()
    assert sorted(key for lane in lanes for key in lane) == sorted(upstream)
    assert len(lanes) <= 15  # 10 with fan-out tasks
    # The local variant drops the auth blocks and nothing else.
    local = yaml.safe_load(local_program(path.read_text(encoding="utf-8")))
    for node in program_steps(program):
        if node.get("call") == "http.post":
            del node["args"]["auth"]
    assert local == program


@pytest.mark.parametrize("job", JOBS, ids=[job.stem for job in JOBS])
def test_the_header_counts_the_steps_a_successful_run_bills(job, compiled):
    # The count the header prints, against the steps the program's YAML runs when every task succeeds
    # (nested blocks, switches, loops and subworkflows walked by the benchmark's reader).
    path = compiled / f"{ir(job)['job']['id']}.workflows.yaml"
    program = workflows_metrics.Program(path.read_text(encoding="utf-8"))
    assert program.billed_steps() == program.header_billed_steps


def test_every_job_has_its_workflow_resource_reading_its_program(compiled):
    for job in JOBS:
        job_id = ir(job)["job"]["id"]
        resource = json.loads((compiled / f"{job_id}.workflow.tf.json").read_text(encoding="utf-8"))["resource"]["google_workflows_workflow"][job_id]
        assert resource["name"] == job_id
        assert resource["source_contents"] == f'${{file("${{path.module}}/{job_id}.workflows.yaml")}}'
        assert resource["labels"]["jobc-job"] == job_id


def test_scheduler_files_are_terraform_json_for_scheduled_jobs_only(compiled):
    for job in JOBS:
        graph = ir(job)
        path = compiled / f"{graph['job']['id']}.scheduler.tf.json"
        if graph["job"]["schedule"]["kind"] == "manual":
            assert not path.exists()
            continue
        resource = json.loads(path.read_text(encoding="utf-8"))["resource"]["google_cloud_scheduler_job"][graph["job"]["id"]]
        assert resource["schedule"] == graph["job"]["schedule"]["cron"]
        # The workflow resource of the same folder: Terraform creates it first.
        assert resource["http_target"]["uri"] == (
            f"https://workflowexecutions.googleapis.com/v1/${{google_workflows_workflow.{graph['job']['id']}.id}}/executions")
        assert json.loads(base64.b64decode(resource["http_target"]["body"])) == {"argument": "{}"}


def test_unknown_options_are_usage_errors(tmp_path):
    job = REPO_ROOT / "orchestration" / "job" / "sales_diamond.yaml"
    result = run_jobc("compile", str(job), "--target", "cloud-workflows", "--out", str(tmp_path), "--option", "projet=x")
    assert result.returncode == 2  # checked once per run, before any job
    assert result.stderr == "jobc: error: unknown option \"projet\" for target 'cloud-workflows'; did you mean 'project'?\n"
    assert not list(tmp_path.iterdir())


# --- Runs in workflows-emulator against the executor ----------------------------------------------

FIXTURES = REPO_ROOT / "Tests" / "integration" / "fixtures" / "cloud_workflows"


def _run(cloud_workflows, postgres, secret_dir, tmp_path, job, argument):
    postgres.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE TABLE cw_log (step text PRIMARY KEY)")
    env = {"JOBC_PROJECT_ROOT": str(REPO_ROOT), "JOBC_SECRET_DIR": str(secret_dir)}
    with cloud_workflows.executor(env) as (url, call_log):
        result = run_jobc("compile", str(FIXTURES / f"{job}.yaml"), "--target", "cloud-workflows", "--out", str(tmp_path),
                          "--root", str(REPO_ROOT), "--option", f"executor_url={url}")
        assert result.returncode == 0, result.stderr + result.stdout
        run = cloud_workflows.run(tmp_path / f"{job}.workflows.yaml", argument, call_log)
    logged = sorted(row[0] for row in postgres.fetch("SELECT step FROM cw_log"))
    run = dataclasses.replace(run, output=run.output + "\n--- executor ---\n" + cloud_workflows.last_executor_output)
    return run, task_outcomes(run.calls), logged


def test_task_states_recorded_by_the_executor_decide_the_trigger_rules_across_lanes(cloud_workflows, postgres, secret_dir, tmp_path):
    run, tasks, logged = _run(cloud_workflows, postgres, secret_dir, tmp_path, "cw_states", {"logical_date": "2024-03-01"})
    program = workflows_metrics.Program((tmp_path / "cw_states.workflows.yaml").read_text(encoding="utf-8"))
    assert len(program.lanes()) > 1, "the job should need more than one lane"
    assert not run.succeeded, run.output
    assert "jobc job 'cw_states' failed: task(s) slow_fail failed" in run.output
    assert tasks == {
        "slow_fail": {"state": "failed", "attempts": 2},
        **{key: {"state": "success", "attempts": 1} for key in ("b", "c", "d", "e", "compensate")},
    }, run.output
    # after_fail: upstream_failed, skipped_cleanup: skipped; neither reached the executor.
    assert logged == ["b", "c", "compensate", "d", "e"]


def test_fan_out_runs_every_item_with_its_own_retries_and_fans_in(cloud_workflows, postgres, secret_dir, tmp_path,
                                                                conformance_webhook):
    conformance_webhook.clear()
    run, tasks, logged = _run(cloud_workflows, postgres, secret_dir, tmp_path, "cw_fan_out", {"logical_date": "2024-03-01"})
    assert not run.succeeded, run.output
    assert tasks == {
        "load": {"state": "failed", "attempts": 2, "items": 3},
        "cleanup": {"state": "success", "attempts": 1},
        "report": {"state": "success", "attempts": 1, "items": 3},
    }, run.output
    load_calls = [call for call in run.calls if call["task_id"] == "load"]
    assert sorted((call["item_index"], call["item"], call["attempt"]) for call in load_calls) == [
        (0, "ok ${x} }", 1), (1, "bad", 1), (1, "bad", 2), (2, "ok \"2\"", 1)]
    # Fan-in: report's items start only after every load item and cleanup are done.
    first_report = next(index for index, call in enumerate(run.calls) if call["task_id"] == "report")
    assert all(index < first_report for index, call in enumerate(run.calls) if call["task_id"] in ("load", "cleanup"))
    assert logged == ["cleanup", "ok \"2\"", "ok ${x} }", "r1", "r2", "r3"]
    # One alert: the failing item's last attempt (not its first, not the items that succeeded).
    alerts = [(request.path, json.loads(request.body)) for request in conformance_webhook.requests]
    assert [(path, alert["task_id"], alert["attempt"], alert["max_attempts"], alert["error"]) for path, alert in alerts] == [
        ("/cw-alerts", "load", 2, 2, "DivisionByZero: division by zero")]


@pytest.mark.parametrize(("argument", "expected"), [
    ({"logical_date": "2024-03-01"}, "log:emea"),
    ({"logical_date": "2024-03-01", "params": {"region": "north ${x} } \"q\""}}, "log:north ${x} } \"q\""),
], ids=["default", "override"])
def test_run_parameters_reach_sql(cloud_workflows, postgres, secret_dir, tmp_path, argument, expected):
    run, tasks, logged = _run(cloud_workflows, postgres, secret_dir, tmp_path, "cw_params", argument)
    assert run.succeeded, run.output
    assert tasks == {"log": {"state": "success", "attempts": 1}}
    assert logged == [expected]


@pytest.mark.parametrize(("job", "params", "message"), [
    ("cw_params", {"regoin": "x"}, "unknown run parameter(s): regoin"),
    ("cw_params", {"region": 3}, "run parameter 'region'"),
    ("cw_states", {"region": "x"}, "declares no run parameters"),
], ids=["unknown-name", "wrong-type", "job-without-params"])
def test_bad_run_parameters_fail_the_run_before_any_task(cloud_workflows, postgres, secret_dir, tmp_path, job, params, message):
    run, tasks, logged = _run(cloud_workflows, postgres, secret_dir, tmp_path, job, {"logical_date": "2024-03-01", "params": params})
    assert not run.succeeded
    assert message in run.output + cloud_workflows.last_executor_output
    assert run.calls == [] and tasks == {} and logged == []
