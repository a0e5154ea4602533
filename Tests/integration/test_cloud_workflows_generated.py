"""Every file the cloud-workflows target emits for the sample, scenario and golden jobs validates
against the Cloud Workflows JSON Schema and against the checks the schema misses; every string of
the job re-parses to itself and is never evaluated as an expression."""

from __future__ import annotations

import base64
import json

import pytest
import yaml
from cloud_workflows_harness import assert_valid_program, local_program, program_steps, workflows_literal
from jobc_cli import compile_jobs, ir, run_jobc
from jobc_test_support import REPO_ROOT

JOBS = sorted([*(REPO_ROOT / "orchestration" / "job").glob("*.yaml"),
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
    assert_valid_program(program)
    bodies = {node["args"]["body"]["task_id"]: node["args"]["body"] for node in program_steps(program) if node.get("call") == "http.post"}
    assert sorted(bodies) == sorted(task["taskId"] for task in graph["tasks"])
    for task in graph["tasks"]:
        body = bodies[task["taskId"]]
        assert workflows_literal(body["kwargs"]) == task["parameters"]
        assert body["secret_key"] == (task["secret"]["name"] if task["secret"] else None)
        assert body["max_attempts"] == task["retry"]["retries"] + 1
    # The local variant drops the auth blocks and nothing else.
    local = yaml.safe_load(local_program(path.read_text(encoding="utf-8")))
    for node in program_steps(program):
        if node.get("call") == "http.post":
            del node["args"]["auth"]
    assert local == program


def test_scheduler_files_are_terraform_json_for_scheduled_jobs_only(compiled):
    for job in JOBS:
        graph = ir(job)
        path = compiled / f"{graph['job']['id']}.scheduler.tf.json"
        if graph["job"]["schedule"]["kind"] == "manual":
            assert not path.exists()
            continue
        resource = json.loads(path.read_text(encoding="utf-8"))["resource"]["google_cloud_scheduler_job"][graph["job"]["id"]]
        assert resource["schedule"] == graph["job"]["schedule"]["cron"]
        assert resource["http_target"]["uri"].endswith(f"/workflows/{graph['job']['id']}/executions")
        assert json.loads(base64.b64decode(resource["http_target"]["body"])) == {"argument": "{}"}


def test_unknown_options_are_errors(tmp_path):
    job = REPO_ROOT / "orchestration" / "job" / "sales_diamond.yaml"
    result = run_jobc("compile", str(job), "--target", "cloud-workflows", "--out", str(tmp_path), "--option", "projet=x")
    assert result.returncode == 1
    assert "unknown cloud-workflows option 'projet'" in result.stderr + result.stdout
    assert not list(tmp_path.iterdir())
