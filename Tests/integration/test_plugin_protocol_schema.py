"""The plugin protocol's JSON Schemas (docs/plugin-protocol/*.schema.json) checked against real
messages: the Prefect plugin's capabilities, and a compile request and answer as they passed between
jobc and the plugin in one run (recorded by a shim that stands between them)."""

from __future__ import annotations

import json
import os
import pathlib

import jsonschema
import pytest
from jobc_cli import compile_jobs
from jobc_test_support import REPO_ROOT, sample_job_files

SCHEMAS = REPO_ROOT / "docs" / "plugin-protocol"
JOBS = REPO_ROOT / "orchestration" / "job"


def validator(message: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / f"{message}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, prefect_plugin) -> pathlib.Path:
    """`jobc compile --target record` of the sample jobs, where jobc-emit-record passes every byte
    between jobc and the Prefect plugin and keeps a copy of each message."""
    folder = tmp_path_factory.mktemp("recorded")
    shim = folder / "bin" / "jobc-emit-record"
    shim.parent.mkdir()
    shim.write_text(f"""#!/bin/sh
if [ "$1" = "--capabilities" ]; then '{prefect_plugin}' --capabilities | tee '{folder}/capabilities.json'; exit 0; fi
tee '{folder}/request.json' | '{prefect_plugin}' | tee '{folder}/answer.json'
""", encoding="utf-8")
    shim.chmod(0o755)
    compile_jobs("record", folder / "out", JOBS, extra_env={"PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"})
    return folder


def recorded_message(folder: pathlib.Path, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("message", ["capabilities", "compile-request", "compile-answer"])
def test_each_schema_is_a_valid_draft7_schema(message):
    validator(message)


def test_the_prefect_plugins_capabilities_follow_the_schema(recorded):
    validator("capabilities").validate(recorded_message(recorded, "capabilities"))


def test_a_real_request_and_its_answer_follow_the_schemas(recorded):
    request, answer = recorded_message(recorded, "request"), recorded_message(recorded, "answer")

    validator("compile-request").validate(request)
    validator("compile-answer").validate(answer)
    assert len(request["jobs"]) == len(answer["jobs"]) == len(sample_job_files()) >= 2
    assert [job["job"]["id"] for job in request["jobs"]] == [job["job"] for job in answer["jobs"]]


BROKEN = {
    "capabilities": [
        {"protocolVersion": 2, "summary": "x", "supported": {"retry": "misspelt feature"}},
        {"protocolVersion": 2, "summary": "x", "reservedIdentifier": []},
        {"protocolVersion": 2, "summary": "x", "reservedIdentifiers": [{"name": "a", "scopes": ["tasks"], "reason": "r"}]},
        {"protocolVersion": 2, "summary": "x", "options": [{"name": "n", "type": "integer", "default": "4", "help": "h"}]},
        {"protocolVersion": 1, "summary": "x"},
    ],
    "compile-request": [
        {"protocolVersion": 2, "options": {}, "jobs": [{"job": {}}]},
        {"protocolVersion": 2, "options": {"n": 1.5}, "jobs": []},
    ],
    "compile-answer": [
        {"protocolVersion": 2, "jobs": [{"files": [{"path": "../escape.py", "content": ""}]}]},
        {"protocolVersion": 2, "jobs": [{"files": [{"path": "a/./b.py", "content": ""}]}]},
        {"protocolVersion": 2, "jobs": [{"files": [], "diagnostics": [{"severity": "fatal", "message": "x"}]}]},
        {"protocolVersion": 2, "files": []},
    ],
}


@pytest.mark.parametrize("message,document", [(message, document) for message, documents in BROKEN.items()
                                              for document in documents])
def test_the_schemas_refuse_what_jobc_refuses(message, document):
    assert list(validator(message).iter_errors(document)), document
