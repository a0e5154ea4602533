"""The CI-facing outputs checked by real validators: SARIF against the official SARIF 2.1.0 schema,
and the job format's JSON Schema (docs/job.schema.json) against good and bad jobs."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from conformance import load_scenarios
from jobc_cli import ir, run_jobc
from jobc_test_support import FIXTURES, REPO_ROOT, sample_job_files

CLI_PROJECT = REPO_ROOT / "Tests" / "JobcCLITests" / "Fixtures" / "project"
JOB_SCHEMA = json.loads((REPO_ROOT / "docs" / "job.schema.json").read_text(encoding="utf-8"))
IR_SCHEMA = json.loads((REPO_ROOT / "docs" / "ir.schema.json").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((FIXTURES / "schemas" / "sarif-2.1.0.schema.json").read_text(encoding="utf-8"))

GOOD_JOBS = sorted({
    *sample_job_files(),
    *(REPO_ROOT / "Tests" / "JobcEmittersTests" / "Golden" / "jobs").glob("*.yaml"),
    *(CLI_PROJECT / "jobs" / "good").glob("*.y*ml"),
    *(scenario.job for scenario in load_scenarios()),
})
# Bad jobs whose problem is one of shape or value syntax, which a schema can see (meaning — unknown
# functions, cycles, missing files — needs jobc itself).
SCHEMA_DETECTABLE = [
    "unknown_key", "missing_job_id", "missing_tasks", "empty_tasks", "wrong_type", "identifier_dash",
    "identifier_uppercase", "identifier_too_long", "bad_duration", "retries_out_of_range", "unknown_preset",
    "top_level_list",
]


class JobLoader(yaml.SafeLoader):
    """PyYAML, but dates stay strings, as jobc reads them (YAML 1.2 core schema)."""


JobLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_job(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=JobLoader)


def test_the_job_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(JOB_SCHEMA)


@pytest.mark.parametrize("job", GOOD_JOBS, ids=lambda path: path.stem)
def test_every_good_job_satisfies_the_schema(job):
    jsonschema.Draft7Validator(JOB_SCHEMA).validate(load_job(job))


def test_the_ir_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(IR_SCHEMA)


# The jobs whose project is the repository itself (the CLI fixtures have a project of their own).
REPOSITORY_JOBS = [*sample_job_files(),
                   *(REPO_ROOT / "Tests" / "JobcEmittersTests" / "Golden" / "jobs").glob("*.yaml")]


@pytest.mark.parametrize("job", sorted(REPOSITORY_JOBS), ids=lambda path: path.stem)
def test_the_ir_of_every_good_job_satisfies_the_ir_schema(job):
    document = ir(job, root=REPO_ROOT)
    jsonschema.Draft7Validator(IR_SCHEMA).validate(document)
    # The schema is strict about what it knows: a missing key or a wrong type fails it.
    broken = dict(document, tasks=[{key: value for key, value in document["tasks"][0].items() if key != "taskId"}])
    assert list(jsonschema.Draft7Validator(IR_SCHEMA).iter_errors(broken))


@pytest.mark.parametrize("name", SCHEMA_DETECTABLE)
def test_bad_jobs_fail_the_schema(name):
    job = CLI_PROJECT / "jobs" / "bad" / f"{name}.yaml"
    errors = list(jsonschema.Draft7Validator(JOB_SCHEMA).iter_errors(load_job(job)))
    assert errors, f"{job.name} should not satisfy the job schema"


def test_sarif_output_satisfies_the_sarif_schema():
    result = run_jobc("lint", "jobs/bad", "--format", "sarif", cwd=CLI_PROJECT)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) > 50
    rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert all(rules[result["ruleIndex"]] == result["ruleId"] for result in results)


def test_json_output_is_the_documented_shape():
    result = run_jobc("lint", "jobs/bad/unknown_key.yaml", "--format", "json", cwd=CLI_PROJECT)
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert document["summary"] == {"files": 1, "errors": 1, "warnings": 0}
    [diagnostic] = document["diagnostics"]
    assert set(diagnostic) == {"severity", "rule", "message", "location", "suggestion", "notes"}
    assert diagnostic["rule"] == "unknown-key"
