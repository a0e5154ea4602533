"""Run jobc-generated Cloud Workflows programs for real, offline.

Two processes from the pinned venv at $JOBC_CLOUD_WORKFLOWS_VENV (requirements-cloud-workflows.txt,
default <repo>/.venv/cloud-workflows):

- the executor (targets/cloud_workflows/main.py, `jobc_executor`) served by functions-framework on
  127.0.0.1 at a free port with a fresh state folder, recording every attempt in a JSON-lines file
  (JOBC_EXECUTOR_CALL_LOG);
- workflows-emulator running the program compiled with `--option executor_url=http://127.0.0.1:PORT`.

The emulator cannot mint OIDC tokens offline (`NotImplementedError: OIDC auth is not supported
yet`), so `local_program` removes each `auth: {type: OIDC}` block, and only that: it checks that the
parsed program minus those blocks is unchanged. Anything missing fails loudly, never skips.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import json
import os
import pathlib
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping

import jsonschema
import workflows_limits
from jobc_test_support import REPO_ROOT

VENV_ENV = "JOBC_CLOUD_WORKFLOWS_VENV"
EXECUTOR_SOURCE = REPO_ROOT / "targets" / "cloud_workflows" / "main.py"
SCHEMA = REPO_ROOT / "Tests" / "integration" / "fixtures" / "schemas" / "cloud-workflows.schema.json"
# An `auth:` key whose whole value is `type: OIDC`, at any indentation.
AUTH_BLOCK = re.compile(r"^(?P<indent> *)auth:\n(?P=indent)  type: OIDC\n", re.MULTILINE)


class CloudWorkflowsHarnessError(AssertionError):
    """The executor or the emulator could not run; the message says why."""


def venv() -> pathlib.Path:
    return pathlib.Path(os.environ.get(VENV_ENV) or REPO_ROOT / ".venv" / "cloud-workflows")


def local_program(text: str) -> str:
    """The program with its OIDC auth blocks removed (one per http.post), nothing else."""
    local, removed = AUTH_BLOCK.subn("", text)
    calls = text.count("call: http.post")
    if removed != calls:
        raise CloudWorkflowsHarnessError(f"expected one auth block per http.post ({calls}), removed {removed}")
    return local


@functools.cache
def _schema_validator():
    """Built once: `jsonschema.validate` would check the schema again on every call."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def assert_valid_program(program, text: str) -> None:
    """A parsed program (`text` as written) validates against the Cloud Workflows JSON Schema, the
    checks the schema misses, and Google's resource limits (workflows_limits, independent of the
    check jobc itself runs on every program)."""
    _schema_validator().validate(program)
    assert workflows_limits.violations(workflows_limits.load_program(text), text) == []
    for node in program_steps(program):
        if "parallel" in node and isinstance(node["parallel"], dict) and "branches" in node["parallel"]:
            assert len(node["parallel"]["branches"]) <= 10
        if "backoff" in node:
            assert all(isinstance(node["backoff"][key], int) for key in ("initial_delay", "max_delay", "multiplier"))
            assert node["backoff"]["initial_delay"] <= node["backoff"]["max_delay"]
        if node.get("call") == "http.post":
            assert node["args"]["auth"] == {"type": "OIDC"}
            assert 1 <= node["args"]["timeout"] <= 1800


def program_steps(node):
    """Every step body in a parsed program (main, subworkflows, try, except, branches)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from program_steps(value)
    elif isinstance(node, list):
        for item in node:
            yield from program_steps(item)


# What the executor assumes for a task member neither the row nor the table's defaults has
# (WorkflowsJobTable.implicitDefaults in the emitter).
TASK_DEFAULTS = {"kwargs": {}, "secret": None, "retries": 0, "retry_delay_seconds": 300, "timeout_seconds": None,
                 "trigger_rule": "all_success", "upstream": [], "on_failure": None, "for_each": None}


def decode_b64_members(value):
    """`NAME_b64` members (base64 of JSON text) replaced by NAME and the decoded value, at any depth."""
    if isinstance(value, list):
        return [decode_b64_members(item) for item in value]
    if not isinstance(value, dict):
        return value
    decoded = {}
    for key, item in value.items():
        if isinstance(key, str) and key.endswith("_b64"):
            decoded[key.removesuffix("_b64")] = json.loads(base64.b64decode(item).decode("utf-8"))
        else:
            decoded[key] = decode_b64_members(item)
    return decoded


def job_table(program) -> dict:
    """The job the program hands the executor at start_run: params and every task, members complete."""
    start = next(step["start_run"] for step in program["main"]["steps"] if "start_run" in step)
    job = decode_b64_members(start["try"]["args"]["body"]["job"])
    defaults = {**TASK_DEFAULTS, **job.get("defaults", {})}
    tasks = [{**defaults, "task_id": row["key"], **row} for row in job["tasks"]]
    return {"job_id": job["job_id"], "params": job["params"], "tasks": tasks}


@dataclasses.dataclass(frozen=True)
class WorkflowRun:
    succeeded: bool
    output: str
    calls: list[dict]  # the executor's call log, in order


class CloudWorkflowsHarness:
    def __init__(self, work: pathlib.Path) -> None:
        self.work = work
        self.bin = venv() / "bin"
        for tool in ("functions-framework", "workflows-emulator", "python"):
            if not (self.bin / tool).is_file():
                raise CloudWorkflowsHarnessError(
                    f"{self.bin / tool} not found: create the venv with "
                    f"Tests/integration/setup_venv.sh {venv()} Tests/integration/requirements-cloud-workflows.txt "
                    f"targets/runtime targets/cloud_workflows, or set {VENV_ENV}")

    @contextlib.contextmanager
    def executor(self, extra_env: Mapping[str, str]) -> Iterator[tuple[str, pathlib.Path]]:
        """Serve the executor; yields its URL and its call log."""
        port = _free_port()
        call_log = self.work / f"calls-{uuid.uuid4().hex}.jsonl"
        call_log.touch()
        log_file = self.work / f"executor-{port}.log"
        # Every lane and fan-out item of a program holds one executor thread while it waits: the
        # emulator starts them all at once (it ignores concurrency_limit).
        state = self.work / f"executor-state-{uuid.uuid4().hex}"
        env = {**_base_env(), **extra_env, "JOBC_EXECUTOR_CALL_LOG": str(call_log), "PYTHONUNBUFFERED": "1",
               "THREADS": "256", "JOBC_EXECUTOR_STATE_DIR": str(state)}
        with open(log_file, "w", encoding="utf-8") as output:
            process = subprocess.Popen(
                [str(self.bin / "functions-framework"), "--source", str(EXECUTOR_SOURCE), "--target", "jobc_executor",
                 "--host", "127.0.0.1", "--port", str(port)],
                cwd=self.work, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, process, log_file)
            yield f"http://127.0.0.1:{port}", call_log
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.last_executor_output = log_file.read_text(encoding="utf-8", errors="replace")

    def run(self, program: pathlib.Path, data: Mapping, call_log: pathlib.Path, timeout: float = 300) -> WorkflowRun:
        local = self.work / (program.name.removesuffix(".workflows.yaml") + ".local.workflows.yaml")
        local.write_text(local_program(program.read_text(encoding="utf-8")), encoding="utf-8")
        env = {**_base_env(), "GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID": f"local-{uuid.uuid4()}"}
        result = subprocess.run(
            [str(self.bin / "workflows-emulator"), "--source", str(local), "run", "--data", json.dumps(data)],
            cwd=self.work, env=env, capture_output=True, text=True, timeout=timeout)
        calls = [json.loads(line) for line in call_log.read_text(encoding="utf-8").splitlines() if line.strip()]
        return WorkflowRun(succeeded=result.returncode == 0, output=result.stdout + result.stderr, calls=calls)


def task_outcomes(calls) -> dict[str, dict]:
    """Per task id: state and attempts from the last call of each run; a fan-out task (calls with an
    item_index) also has "items" (distinct items started), attempts the most any item took, and
    failed when any item's last attempt failed."""
    last: dict[tuple[str, int | None], dict] = {}
    for call in calls:
        last[(call["task_id"], call.get("item_index"))] = call
    tasks: dict[str, dict] = {}
    for (task_id, item_index), call in last.items():
        state = "success" if call["outcome"] == "success" else "failed"
        if item_index is None:
            tasks[task_id] = {"state": state, "attempts": call["attempt"]}
            continue
        task = tasks.setdefault(task_id, {"state": "success", "attempts": 0, "items": 0})
        task["items"] += 1
        task["attempts"] = max(task["attempts"], call["attempt"])
        if state == "failed":
            task["state"] = "failed"
    return tasks


def _base_env() -> dict[str, str]:
    # Nothing of the caller's Google credentials or Python setup leaks in.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {key: os.environ[key] for key in keep if key in os.environ}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log_file: pathlib.Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CloudWorkflowsHarnessError(
                f"the executor exited with {process.returncode}:\n{log_file.read_text(encoding='utf-8', errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise CloudWorkflowsHarnessError(f"the executor did not listen on 127.0.0.1:{port} within {timeout}s")
