"""AEFExecutorFunction against a real HTTP server on 127.0.0.1 standing in for AEF's executor
Cloud Functions: sync and async steps, polling, failures, time-outs, authentication. Each test
runs the function through jobc_runtime.run_task, as every engine does (module loading and the
secret store included); the last one imports an AEF definition with `jobc import aef` and runs
the job on a real Airflow."""

from __future__ import annotations

import datetime
import http.server
import json
import pathlib
import shutil
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import jobc_runtime
import pytest
from jobc_cli import compile_jobs, run_jobc
from jobc_test_support import REPO_ROOT

FUNCTIONS = REPO_ROOT / "orchestration" / "function"
if str(FUNCTIONS) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS))

import aef_executor_function  # noqa: E402
from function_abstract import FunctionParameterError  # noqa: E402

DATE = datetime.datetime(2024, 3, 5, tzinfo=datetime.timezone.utc)

# What one request to a fake function answers: (HTTP status, body).
Answer = tuple[int, str]


class FakeExecutors:
    """Records every request; answers from a script per path (the last answer repeats)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.scripts: dict[str, list[Answer]] = {}
        self.lock = threading.Lock()

    def script(self, path: str, *answers: Answer | str) -> None:
        self.scripts[path] = [(200, a) if isinstance(a, str) else a for a in answers]

    def answer(self, path: str) -> Answer:
        with self.lock:
            script = self.scripts.get(path)
            if not script:
                return 404, f"no function at {path}"
            return script.pop(0) if len(script) > 1 else script[0]

    def calls(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def executors() -> Iterator[tuple[FakeExecutors, str]]:
    fake = FakeExecutors()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _respond(self, body: bytes | None) -> None:
            split = urllib.parse.urlsplit(self.path)
            with fake.lock:
                fake.requests.append({
                    "method": self.command,
                    "path": split.path,
                    "query": urllib.parse.parse_qs(split.query),
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": json.loads(body) if body else None,
                    "time": time.monotonic(),
                })
            status, text = fake.answer(split.path)
            payload = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            if 300 <= status < 400:  # a redirect answer moves to the fake function /elsewhere
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            self._respond(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

        def do_GET(self) -> None:  # noqa: N802
            self._respond(None)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def run_step(tmp_path, monkeypatch) -> Callable[..., Any]:
    """Runs one AEF step task through jobc_runtime.run_task with the secret `secret`."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    monkeypatch.setenv("JOBC_PROJECT_ROOT", str(REPO_ROOT))
    monkeypatch.setenv("JOBC_SECRET_DIR", str(secrets))

    def run(secret: dict[str, Any], **kwargs: Any) -> Any:
        (secrets / "aef_executors.json").write_text(json.dumps(secret), encoding="utf-8")
        step = {"aef_job_id": "J01", "job_name": "load_orders", "step_type": "sync", "executor_function": "bq-executor"}
        step.update(kwargs)
        definition = jobc_runtime.TaskDefinition(
            job_id="demo_pipeline", task_id="load_orders", function_module="aef_executor_function",
            function_class="AEFExecutorFunction", function_kwargs=step, secret_key="aef_executors",
        )
        return jobc_runtime.run_task(
            definition, run_id="run-42", execution_date=DATE, attempt=1, project_root=REPO_ROOT)

    return run


ASYNC = {
    "step_type": "async",
    "executor_function": "dataform-tag-executor",
    "status_function": "dataform-tag-status",
    "wait_time_seconds": 0.05,
    "async_timeout_minutes": 1,
}


def test_sync_step_posts_the_aef_body_and_succeeds(executors, run_step):
    fake, base_url = executors
    fake.script("/bq-executor", "DONE")
    result = run_step({"base_url": base_url + "/"}, workflow_properties={"dataform_location": "europe-west1"},
                      step_properties='{"jobs_definitions_bucket": "b"}')
    assert result == {"aef_job_id": "J01", "status": "success", "async_job_id": None, "status_calls": 0}
    [call] = fake.requests
    assert call["method"] == "POST" and call["path"] == "/bq-executor"
    assert call["headers"]["content-type"] == "application/json"
    assert "authorization" not in call["headers"]
    assert call["body"] == {
        "workflow_properties": {"dataform_location": "europe-west1"},
        "workflow_name": "demo_pipeline",
        "job_name": "load_orders",
        "query_variables": {
            "${dataform.projectConfig.vars.start_date}": "'2024-03-05'",
            "${dataform.projectConfig.vars.end_date}": "'2024-03-05'",
        },
        "execution_id": "run-42",
        "step_properties": '{"jobs_definitions_bucket": "b"}',
    }


def test_async_step_polls_the_status_function_until_success(executors, run_step):
    fake, base_url = executors
    fake.script("/dataform-tag-executor", "aef-projects/p/locations/l/workflowInvocations/7")
    # A JSON string answer (what Workflows-style functions return) is unwrapped like plain text.
    fake.script("/dataform-tag-status", "RUNNING", '"PENDING"', "RUNNING", "SUCCEEDED")
    started = time.monotonic()
    result = run_step({"base_url": base_url}, **ASYNC)
    assert result["status"] == "success" and result["status_calls"] == 4
    assert result["async_job_id"] == "aef-projects/p/locations/l/workflowInvocations/7"
    polls = fake.calls("/dataform-tag-status")
    assert len(polls) == 4 and len(fake.calls("/dataform-tag-executor")) == 1
    assert all(p["body"]["job_id"] == result["async_job_id"] for p in polls)
    assert "job_id" not in fake.calls("/dataform-tag-executor")[0]["body"]
    assert time.monotonic() - started >= 4 * 0.05, "waits wait_time_seconds before every status call"


def test_async_executor_that_finishes_at_once_needs_no_polling(executors, run_step):
    fake, base_url = executors
    fake.script("/dataform-tag-executor", "SUCCESS")
    result = run_step({"base_url": base_url}, **ASYNC)
    assert result["status_calls"] == 0 and fake.calls("/dataform-tag-status") == []


@pytest.mark.parametrize("status_answer", ["FAILED", "CANCELLED", '{"error": "BadRequest", "message": "table missing"}'])
def test_async_step_fails_when_the_job_fails(executors, run_step, status_answer):
    fake, base_url = executors
    fake.script("/dataform-tag-executor", "aef_job_9")
    fake.script("/dataform-tag-status", "RUNNING", status_answer)
    with pytest.raises(aef_executor_function.AEFStepFailed) as failure:
        run_step({"base_url": base_url}, **ASYNC)
    message = str(failure.value)
    assert "J01" in message and "aef_job_9" in message and status_answer in message
    assert len(fake.calls("/dataform-tag-status")) == 2, "stops polling at the failure"


def test_async_step_times_out_while_still_running(executors, run_step):
    fake, base_url = executors
    fake.script("/dataform-tag-executor", "aef_job_slow")
    fake.script("/dataform-tag-status", "RUNNING")
    started = time.monotonic()
    with pytest.raises(aef_executor_function.AEFStepTimedOut) as timeout:
        run_step({"base_url": base_url}, **{**ASYNC, "async_timeout_minutes": 0.005})  # 0.3 s
    elapsed = time.monotonic() - started
    assert "still RUNNING" in str(timeout.value) and "aef_job_slow" in str(timeout.value)
    assert 0.3 <= elapsed < 5, elapsed
    assert len(fake.calls("/dataform-tag-status")) >= 2


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((500, "Exception : boom"), "HTTP 500: Exception : boom"),
        ("aef_job_1", "must answer with its final status"),
        ("RUNNING", "must answer with its final status"),
        ('{"error": "KeyError", "message": "workflow_properties"}', "KeyError"),
    ],
)
def test_sync_step_fails_unless_the_executor_answers_success(executors, run_step, answer, expected):
    fake, base_url = executors
    fake.script("/bq-executor", answer)
    with pytest.raises(aef_executor_function.AEFStepFailed, match="J01") as failure:
        run_step({"base_url": base_url})
    assert expected in str(failure.value)


def test_unreachable_executor_fails_with_the_function_name(run_step):
    with pytest.raises(aef_executor_function.AEFStepFailed, match="cannot reach bq-executor"):
        run_step({"base_url": "http://127.0.0.1:9", "request_timeout_seconds": 2})


def test_bearer_token_is_sent_and_never_quoted_in_errors(executors, run_step):
    fake, base_url = executors
    fake.script("/bq-executor", (403, "forbidden"))
    with pytest.raises(aef_executor_function.AEFStepFailed) as failure:
        run_step({"base_url": base_url, "auth": "bearer", "token": "s3cr3t-token"})
    assert fake.requests[0]["headers"]["authorization"] == "Bearer s3cr3t-token"
    assert "s3cr3t" not in str(failure.value)


def test_a_redirect_is_a_failure_and_the_token_stays_with_the_executor(executors, run_step):
    # Followed, the redirect would carry the token to the other URL as a GET without the step's
    # body, and its answer "DONE" would pass for the step's success.
    fake, base_url = executors
    fake.script("/bq-executor", (302, "moved"))
    fake.script("/elsewhere", "DONE")

    with pytest.raises(aef_executor_function.AEFStepFailed, match="bq-executor answered HTTP 302"):
        run_step({"base_url": base_url, "auth": "bearer", "token": "s3cr3t-token"})
    assert [request["path"] for request in fake.requests] == ["/bq-executor"]


def test_google_id_token_is_fetched_per_function_url(executors, run_step):
    fake, base_url = executors
    fake.script("/identity", "id-token-for-this-call")
    fake.script("/dataform-tag-executor", "aef_job_2")
    fake.script("/dataform-tag-status", "DONE")
    run_step({"base_url": base_url, "auth": "google_id_token", "metadata_url": base_url + "/identity"}, **ASYNC)
    tokens = fake.calls("/identity")
    assert [t["query"]["audience"] for t in tokens] == [
        [base_url + "/dataform-tag-executor"], [base_url + "/dataform-tag-status"]]
    assert all(t["headers"]["metadata-flavor"] == "Google" for t in tokens)
    calls = fake.calls("/dataform-tag-executor") + fake.calls("/dataform-tag-status")
    assert all(c["headers"]["authorization"] == "Bearer id-token-for-this-call" for c in calls)


@pytest.mark.parametrize(
    "secret",
    [{}, {"base_url": "file:///etc/passwd"}, {"base_url": "ftp://host"}, {"base_url": "http://h", "auth": "basic"},
     {"base_url": "http://h", "auth": "bearer"}, {"base_url": "http://h", "request_timeout_seconds": 0},
     {"base_url": "http://user:s3cr3t@h"}],
)
def test_bad_secret_is_a_configuration_error_before_any_call(executors, run_step, secret):
    fake, _ = executors
    with pytest.raises(aef_executor_function.FunctionConfigurationError):
        run_step(secret)
    assert fake.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"step_type": "batch"},
        {"executor_function": "../admin"},
        {"executor_function": "a/b"},
        {"executor_function": "x?y=1"},
        {"step_type": "async", "status_function": "s"},  # no wait_time_seconds
        {"step_type": "async", "wait_time_seconds": 1},  # no status_function
        {**ASYNC, "wait_time_seconds": -1},
        {**ASYNC, "wait_time_seconds": True},
        {**ASYNC, "async_timeout_minutes": 0},
        {"workflow_properties": ["not", "a", "mapping"]},
    ],
)
def test_invalid_kwargs_are_refused(run_step, kwargs):
    with pytest.raises(FunctionParameterError):
        run_step({"base_url": "http://127.0.0.1:9"}, **kwargs)


def test_contract_declares_every_kwarg_the_importer_writes():
    contract = (FUNCTIONS / "aef_executor_function.contract.yaml").read_text(encoding="utf-8")
    for name in ("aef_job_id", "job_name", "step_type", "executor_function", "status_function",
                 "wait_time_seconds", "async_timeout_minutes", "step_properties", "workflow_properties"):
        assert f"\n  {name}:\n" in contract, name
    assert pathlib.Path(aef_executor_function.__file__).parent == FUNCTIONS


def test_imported_definition_runs_on_airflow_in_aef_order(airflow, executors, tmp_path):
    """`jobc import aef` → `jobc compile --target airflow` → a real Airflow run against the fake
    executors: level 2 starts only after every step of level 1 succeeded, steps of a thread run in
    order, and each executor receives the AEF body."""
    fake, base_url = executors
    definition = {
        "engine": "cloud_workflows",
        "definition": [
            {"LEVEL_ID": "1", "THREADS": [
                {"THREAD_ID": "1", "STEPS": [
                    {"JOB_ID": "J1", "JOB_NAME": "ingest_orders", "TYPE": "async", "FUNCTION_ID_NAME": "a-exec",
                     "FUNCTION_STATUS_NAME": "a-status", "WAIT_TIME_SECONDS": "1", "ASYNC_TIMEOUT_LOOP_IN_MINUTES": "2"},
                    {"JOB_ID": "J2", "JOB_NAME": "check_orders", "TYPE": "sync", "FUNCTION_ID_NAME": "b-exec"},
                ]},
                {"THREAD_ID": "2", "STEPS": [
                    {"JOB_ID": "J3", "JOB_NAME": "ingest_customers", "TYPE": "async", "FUNCTION_ID_NAME": "c-exec",
                     "FUNCTION_STATUS_NAME": "c-status", "WAIT_TIME_SECONDS": "1", "ASYNC_TIMEOUT_LOOP_IN_MINUTES": "2"},
                ]},
            ]},
            {"LEVEL_ID": "2", "THREADS": [
                {"THREAD_ID": "3", "STEPS": [
                    {"JOB_ID": "J4", "JOB_NAME": "publish_mart", "TYPE": "sync", "FUNCTION_ID_NAME": "d-exec"},
                ]},
            ]},
        ],
    }
    fake.script("/a-exec", "aef_orders_1")
    fake.script("/a-status", "RUNNING", "SUCCEEDED")
    fake.script("/b-exec", "DONE")
    fake.script("/c-exec", "aef-customers-1")
    fake.script("/c-status", "SUCCESS")
    fake.script("/d-exec", "DONE")

    project = tmp_path / "project"
    shutil.copytree(FUNCTIONS, project / "orchestration" / "function")
    (project / "orchestration" / "job").mkdir()
    secrets = project / "secret"
    secrets.mkdir()
    (secrets / "aef_executors.json").write_text(json.dumps({"base_url": base_url}), encoding="utf-8")
    source = tmp_path / "aef_airflow_demo.json"
    source.write_text(json.dumps(definition), encoding="utf-8")
    job = project / "orchestration" / "job" / "aef_airflow_demo.yaml"
    imported = run_jobc("import", "aef", str(source), "--out", str(job))
    assert imported.returncode == 0, imported.stderr
    dags = tmp_path / "dags"
    compile_jobs("airflow", dags, job, root=project)

    report = airflow.run_dag(dags, "aef_airflow_demo", DATE,
                             extra_env={"JOBC_PROJECT_ROOT": str(project), "JOBC_SECRET_DIR": str(secrets)})

    assert report.state == "success", report.tail()
    assert {task_id: ti.state for task_id, ti in report.task_instances.items()
            if task_id in ("ingest_orders", "check_orders", "ingest_customers", "publish_mart")} == dict.fromkeys(
        ("ingest_orders", "check_orders", "ingest_customers", "publish_mart"), "success")
    first = {path: min(r["time"] for r in fake.calls(path)) for path in ("/a-exec", "/b-exec", "/c-exec", "/d-exec")}
    last = {path: max(r["time"] for r in fake.calls(path)) for path in ("/a-status", "/b-exec", "/c-status")}
    assert first["/b-exec"] > last["/a-status"], "a thread's steps run in sequence"
    assert first["/d-exec"] > max(last.values()), "level 2 waits for every step of level 1"
    assert len(fake.calls("/a-status")) == 2 and len(fake.calls("/c-status")) == 1
    for call in fake.requests:
        assert call["body"]["workflow_name"] == "aef_airflow_demo"
        assert call["body"]["execution_id"] == report.run_id
        assert call["body"]["query_variables"]["${dataform.projectConfig.vars.start_date}"] == "'2024-03-05'"
    assert [c["body"]["job_name"] for c in fake.calls("/d-exec")] == ["publish_mart"]
