"""The Cloud Workflows executor (protocol version 2) served by functions-framework, driven over HTTP.

Threads stand in for a program's lanes: each calls run_task with the same body until it answers 200
(503 is the program's poll loop). The functions (fixtures/executor/executor_functions.py) record
what ran, when and with what, so every check is on real processes: the executor, and one child
process per attempt. Anything missing fails loudly, never skips.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from alert_receiver import WebhookReceiver
from cloud_workflows_harness import EXECUTOR_SOURCE, venv
from jobc_test_support import FIXTURES, REPO_ROOT

EXECUTOR_FUNCTIONS = FIXTURES / "executor"
FUNCTION = {"module": "executor_functions", "class": "RecordingFunction"}
LANE_WAIT_SECONDS = 20
LOST_AFTER_SECONDS = 2


class Executor:
    """One functions-framework process serving jobc_executor from this checkout's sources."""

    def __init__(self, work: pathlib.Path, state_dir: pathlib.Path, **env: str) -> None:
        self.work, self.state_dir, self.env = work, state_dir, env
        self.call_log = work / "calls.jsonl"
        self.events_dir = work / "events"
        self.events_dir.mkdir(exist_ok=True)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_file = work / f"executor-{self.port}.log"

    def start(self) -> Executor:
        bin_dir = venv() / "bin"
        if not (bin_dir / "functions-framework").is_file():
            pytest.fail(f"{bin_dir / 'functions-framework'} not found: create the Cloud Workflows venv "
                        "(Tests/integration/setup_venv.sh) or set JOBC_CLOUD_WORKFLOWS_VENV", pytrace=False)
        python_path = [REPO_ROOT / "targets" / "cloud_workflows", REPO_ROOT / "targets" / "runtime",
                       EXECUTOR_FUNCTIONS]
        env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
        env.update({
            # The sources under test, not whatever version the venv has installed.
            "PYTHONPATH": os.pathsep.join(map(str, python_path)),
            "PYTHONUNBUFFERED": "1",
            "JOBC_PROJECT_ROOT": str(REPO_ROOT),
            "JOBC_EXECUTOR_STATE_DIR": str(self.state_dir),
            "JOBC_EXECUTOR_CALL_LOG": str(self.call_log),
            "THREADS": "64",
            **self.env,
        })
        with open(self.log_file, "w", encoding="utf-8") as output:
            # Its own session: stop() kills the gunicorn master and its worker together.
            self.process = subprocess.Popen(
                [str(bin_dir / "functions-framework"), "--source", str(EXECUTOR_SOURCE), "--target",
                 "jobc_executor", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=self.work, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the executor exited with {self.process.returncode}:\n{self.output()}", pytrace=False)
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"the executor did not listen on port {self.port} within 60 s:\n{self.output()}", pytrace=False)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def post(self, body: dict, timeout: float = 60) -> tuple[int, dict]:
        request = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, data, content_type = response.status, response.read(), response.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            status, data, content_type = error.code, error.read(), error.headers["Content-Type"]
        assert content_type == "application/json", (status, data)
        return status, json.loads(data)

    def calls(self, run_id: str) -> list[dict]:
        if not self.call_log.exists():
            return []
        lines = self.call_log.read_text(encoding="utf-8").splitlines()
        return [call for call in map(json.loads, lines) if call["run_id"] == run_id]

    def events(self, run_id: str) -> list[dict]:
        path = self.events_dir / "events.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [event for event in map(json.loads, lines) if event["run_id"] == run_id]


@pytest.fixture(scope="module")
def executor(tmp_path_factory):
    work = tmp_path_factory.mktemp("executor")
    server = Executor(work, work / "state").start()
    yield server
    server.stop()


# -- helpers -------------------------------------------------------------------------------------------


def task(key, upstream=(), **fields):
    """A TASK object running RecordingFunction; kwargs beyond events_dir come from ``fields["kwargs"]``."""
    return {"key": key, "task_id": fields.pop("task_id", key), "function": FUNCTION, "upstream": list(upstream),
            **fields}


def start(executor, tasks, run_id=None, params=(), argument=None, job_id="executor_test"):
    """start_run of a job whose tasks all record into the executor's events folder; returns the run id."""
    run_id = run_id or f"run-{uuid.uuid4().hex[:8]}"
    for each in tasks:
        each.setdefault("kwargs", {})["events_dir"] = str(executor.events_dir)
    body = {"action": "start_run", "run_id": run_id, "logical_date": "2024-03-01",
            "argument_json": json.dumps(argument), "job": {"job_id": job_id, "params": list(params), "tasks": tasks}}
    assert executor.post(body) == (200, {"state": "started"})
    return run_id


def run_task(executor, run_id, key, index=None, wait_seconds=LANE_WAIT_SECONDS, deadline_seconds=45):
    """What a lane does: call run_task with the same body until it answers 200."""
    body = {"action": "run_task", "run_id": run_id, "key": key, "wait_seconds": wait_seconds}
    if index is not None:
        body["index"] = index
    deadline = time.monotonic() + deadline_seconds
    while True:
        status, answer = executor.post(body)
        if status == 200:
            return answer
        assert status == 503, (status, answer)
        assert time.monotonic() < deadline, f"{key} still {answer} after {deadline_seconds} s"


def lanes(executor, run_id, calls):
    """Run each (key, index) on a thread of its own, all at once; their final answers by (key, index)."""
    answers, errors = {}, []

    def lane(key, index):
        try:
            answers[(key, index)] = run_task(executor, run_id, key, index)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=lane, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return answers


def finish(executor, run_id):
    status, answer = executor.post({"action": "finish_run", "run_id": run_id})
    assert status == 200, answer
    return answer


def b64(value) -> str:
    return base64.b64encode(json.dumps(value).encode("utf-8")).decode("ascii")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is gone for our purposes.
    with contextlib.suppress(FileNotFoundError):
        return pathlib.Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- start_run -----------------------------------------------------------------------------------------


def test_start_run_is_idempotent_and_another_job_under_the_same_run_id_conflicts(executor):
    run_id = start(executor, [task("a")])
    body = {"action": "start_run", "run_id": run_id, "logical_date": "2024-03-01", "argument_json": "null",
            "job": {"job_id": "executor_test", "params": [],
                    "tasks": [task("a", kwargs={"events_dir": str(executor.events_dir)})]}}
    assert executor.post(body) == (200, {"state": "started"})

    body["job"]["tasks"][0]["retries"] = 2
    status, answer = executor.post(body)
    assert status == 409 and answer["state"] == "conflict"
    assert answer["error"].startswith("RunConflictError: run ") and "another job" in answer["error"]
    status, answer = executor.post({**body, "argument_json": '{"params": {}}'})
    assert status == 409


@pytest.mark.parametrize(("tasks", "message"), [
    ([task("a", ["b"]), task("b")], "job.tasks[0] (key 'a').upstream names 'b': not the key of an earlier task"),
    ([task("a"), task("a", task_id="a2")], "job.tasks[1] (key 'a'): the key is used twice"),
    ([task("a"), task("b", task_id="a")], "job.tasks[1]: task_id 'a' is used twice"),
    ([task("a", retries=-1)], "job.tasks[0] (key 'a'): retries must be a whole number >= 0, got -1"),
    ([task("a", trigger_rule="sometimes")], "trigger_rule must be one of all_success, all_done, one_failed"),
    ([task("a", retry_delay=5)], "job.tasks[0] (key 'a') has unknown member(s): retry_delay"),
    ([task("a", for_each={"parameter": "item", "items": "abc"})], "for_each.items must be a list, got a string"),
], ids=["upstream-later", "duplicate-key", "duplicate-task-id", "negative-retries", "unknown-rule",
        "unknown-member", "items-not-a-list"])
def test_a_malformed_job_is_rejected(executor, tasks, message):
    body = {"action": "start_run", "run_id": f"bad-{uuid.uuid4().hex[:8]}", "logical_date": "2024-03-01",
            "argument_json": "null", "job": {"job_id": "executor_test", "tasks": tasks}}
    status, answer = executor.post(body)
    assert status == 400 and answer["state"] == "rejected"
    assert answer["error"].startswith("ExecutorRequestError: ") and message in answer["error"], answer


PARAMS = [{"name": "region", "type": "string", "default": "emea"}, {"name": "limit", "type": "integer", "default": 5}]


@pytest.mark.parametrize(("params", "overrides", "message"), [
    (PARAMS, {"regoin": "x"}, "RunParameterError: unknown run parameter(s): regoin (the job declares: region, limit)"),
    (PARAMS, {"limit": "7"}, "RunParameterError: run parameter 'limit' must be an integer, got string '7'"),
    ([], {"region": "x"}, "RunParameterError: the job declares no run parameters, but the execution argument sets: region"),
], ids=["unknown-name", "wrong-type", "job-without-params"])
def test_bad_run_parameters_are_rejected_before_the_run_exists(executor, params, overrides, message):
    run_id = f"params-{uuid.uuid4().hex[:8]}"
    body = {"action": "start_run", "run_id": run_id, "logical_date": "2024-03-01",
            "argument_json": json.dumps({"params": overrides}),
            "job": {"job_id": "executor_test", "params": params, "tasks": [task("a", kwargs={"events_dir": "/x"})]}}
    assert executor.post(body) == (400, {"state": "rejected", "error": message})
    assert executor.post(body)[0] == 400  # retried: the same answer
    status, answer = executor.post({"action": "run_task", "run_id": run_id, "key": "a", "wait_seconds": 0})
    assert status == 400 and "unknown run" in answer["error"]


def test_resolved_run_parameters_and_the_logical_date_reach_the_function(executor):
    run_id = start(executor, [task("a")], params=PARAMS, argument={"params": {"limit": 9}, "other": True})

    assert run_task(executor, run_id, "a") == {"state": "success", "attempts": 1}
    [started] = [event for event in executor.events(run_id) if event["event"] == "start"]
    assert started["params"] == {"region": "emea", "limit": 9}
    assert started["execution_date"] == "2024-03-01"


# -- scheduling: waiting server-side, trigger rules ---------------------------------------------------


def test_a_task_waits_server_side_for_its_upstream_task_on_another_lane(executor):
    run_id = start(executor, [task("first", kwargs={"sleep_seconds": 1.5}), task("second", ["first"])])

    answers = lanes(executor, run_id, [("second", None), ("first", None)])

    assert answers == {("first", None): {"state": "success", "attempts": 1},
                       ("second", None): {"state": "success", "attempts": 1}}
    events = {(event["task_id"], event["event"]): event["time"] for event in executor.events(run_id)}
    assert events[("second", "start")] >= events[("first", "end")]


def test_trigger_rules_decide_from_upstream_states_and_propagate(executor):
    run_id = start(executor, [
        task("ok"),
        task("bad", kwargs={"fail": True}),
        task("after_bad", ["bad"]),
        task("after_after_bad", ["after_bad"]),
        task("cleanup", ["ok", "bad"], trigger_rule="all_done"),
        task("on_bad", ["ok", "after_bad"], trigger_rule="one_failed"),
        task("on_ok", ["ok"], trigger_rule="one_failed"),
        task("after_skipped", ["on_ok"]),
        task("after_both", ["ok", "on_bad"]),
    ])
    keys = ["after_both", "after_skipped", "on_ok", "on_bad", "cleanup", "after_after_bad", "after_bad", "bad", "ok"]

    answers = lanes(executor, run_id, [(key, None) for key in keys])

    states = {key: answer["state"] for (key, _), answer in answers.items()}
    assert states == {"ok": "success", "bad": "failed", "after_bad": "upstream_failed",
                      "after_after_bad": "upstream_failed", "cleanup": "success", "on_bad": "success",
                      "on_ok": "skipped", "after_skipped": "skipped", "after_both": "success"}
    assert answers[("bad", None)]["error"] == "PlannedFailure: planned failure of bad attempt 1"
    assert answers[("after_bad", None)] == {"state": "upstream_failed"}
    # Only the tasks that ran reached a function.
    ran = {call["task_id"] for call in executor.calls(run_id)}
    assert ran == {"ok", "bad", "cleanup", "on_bad", "after_both"}
    assert finish(executor, run_id) == {"failed_tasks": ["bad"], "states": {
        "ok": "success", "bad": "failed", "after_bad": "upstream_failed", "after_after_bad": "upstream_failed",
        "cleanup": "success", "on_bad": "success", "on_ok": "skipped", "after_skipped": "skipped",
        "after_both": "success"}}


# -- attempts: retries, timeout, alerts -------------------------------------------------------------------


def test_retries_wait_the_retry_delay_and_every_attempt_is_in_the_call_log(executor):
    run_id = start(executor, [task("flaky", kwargs={"fail_attempts": 2}, retries=3, retry_delay_seconds=1)])

    assert run_task(executor, run_id, "flaky") == {"state": "success", "attempts": 3}

    assert executor.calls(run_id) == [
        {"job_id": "executor_test", "task_id": "flaky", "run_id": run_id, "attempt": attempt, "max_attempts": 4,
         "outcome": outcome} for attempt, outcome in ((1, "failed"), (2, "failed"), (3, "success"))]
    starts = [event["time"] for event in executor.events(run_id) if event["event"] == "start"]
    assert len(starts) == 3 and all(later - earlier >= 1 for earlier, later in zip(starts, starts[1:]))


def test_a_timeout_kills_the_attempt_and_its_processes_then_retries_and_alerts_once(executor):
    with WebhookReceiver() as webhook:
        run_id = start(executor, [task("slow", kwargs={"sleep_seconds": 60, "spawn_sleeper": True}, retries=1,
                                       timeout_seconds=1, on_failure={"webhooks": [webhook.url]})])
        began = time.monotonic()

        answer = run_task(executor, run_id, "slow")

        assert time.monotonic() - began < 15
        assert answer == {"state": "failed", "attempts": 2, "error": "TimeoutError: task exceeded its timeout of 1 s"}
        [alert] = webhook.wait_for(1)
        time.sleep(0.5)
        assert len(webhook.messages) == 1
    assert (alert["task_id"], alert["attempt"], alert["max_attempts"], alert["error"]) == (
        "slow", 2, 2, "TimeoutError: task exceeded its timeout of 1 s")
    assert [(call["attempt"], call["outcome"]) for call in executor.calls(run_id)] == [(1, "failed"), (2, "failed")]
    starts = [event for event in executor.events(run_id) if event["event"] == "start"]
    assert len(starts) == 2 and not any(event["event"] == "end" for event in executor.events(run_id))
    for event in starts:
        assert not pid_alive(event["pid"]) and not pid_alive(event["sleeper_pid"])


def test_a_failed_last_attempt_alerts_once_from_the_function_runtime(executor):
    with WebhookReceiver() as webhook:
        run_id = start(executor, [task("broken", kwargs={"fail": True}, retries=1,
                                       on_failure={"webhooks": [webhook.url]})])

        answer = run_task(executor, run_id, "broken")

        [alert] = webhook.wait_for(1)
        time.sleep(0.5)
        assert len(webhook.messages) == 1
    assert answer == {"state": "failed", "attempts": 2, "error": "PlannedFailure: planned failure of broken attempt 2"}
    assert (alert["attempt"], alert["error"]) == (2, "PlannedFailure: planned failure of broken attempt 2")


# -- the long poll ---------------------------------------------------------------------------------------------


def test_a_short_wait_answers_503_and_the_same_request_later_gets_the_outcome(executor):
    run_id = start(executor, [task("slow", kwargs={"sleep_seconds": 2}), task("next", ["slow"])])
    body = {"action": "run_task", "run_id": run_id, "key": "slow", "wait_seconds": 0.3}
    downstream = {"action": "run_task", "run_id": run_id, "key": "next", "wait_seconds": 0.3}

    status, answer = executor.post(body)
    assert status == 503 and answer["state"] == "running" and answer["attempt"] in (0, 1)
    assert executor.post(downstream) == (503, {"state": "waiting", "waiting_for": ["slow"]})
    answers = []
    while (answer := executor.post(body))[0] == 503:
        answers.append(answer)
    assert answers and answer == (200, {"state": "success", "attempts": 1})
    assert executor.post(body) == answer  # a retried request: the same answer, nothing runs again
    assert run_task(executor, run_id, "next") == {"state": "success", "attempts": 1}
    assert [call["task_id"] for call in executor.calls(run_id)] == ["slow", "next"]


def test_wait_seconds_is_clamped_and_requests_are_checked(executor):
    run_id = start(executor, [task("a", kwargs={"sleep_seconds": 0.5}), task("fan", for_each={"parameter": "item",
                                                                                              "items": [1]})])
    assert executor.post({"action": "run_task", "run_id": run_id, "key": "a", "wait_seconds": -5})[0] == 503
    assert run_task(executor, run_id, "a", wait_seconds=10 ** 9) == {"state": "success", "attempts": 1}
    for body, message in [
        ({"action": "run_task", "run_id": run_id, "key": "nope", "wait_seconds": 1}, "has no task with key 'nope'"),
        ({"action": "run_task", "run_id": run_id, "key": "a", "wait_seconds": 1, "index": 0}, "not a fan-out task"),
        ({"action": "run_task", "run_id": run_id, "key": "fan", "wait_seconds": 1, "index": 1}, "out of range"),
        ({"action": "run_task", "run_id": run_id, "key": "a", "wait_seconds": "soon"}, "wait_seconds must be"),
        ({"action": "run_task", "run_id": run_id, "key": "a", "wait_seconds": 1, "extra": 1}, "unknown member(s): extra"),
        ({"action": "finish_run", "run_id": "never-started"}, "unknown run 'never-started'"),
        ({"action": "resolve_params", "run_id": run_id}, "unknown action 'resolve_params'"),
        ({"run_id": run_id}, "unknown action None"),
    ]:
        status, answer = executor.post(body)
        assert status == 400 and answer["state"] == "rejected" and message in answer["error"], (body, answer)


# -- fan-out -------------------------------------------------------------------------------------------------------


def test_a_fan_out_task_gates_runs_each_item_with_its_own_attempts_and_aggregates(executor):
    items = [1, "two", {"x": "${y}"}]
    run_id = start(executor, [
        task("before", kwargs={"sleep_seconds": 0.5}),
        task("fan", ["before"], for_each={"parameter": "item", "items": items}, retries=1,
             kwargs={"fail_item": "two"}),
        task("after_fan", ["fan"]),
        task("cleanup", ["fan"], trigger_rule="all_done"),
        task("fan_skipped", ["after_fan"], for_each={"parameter": "item", "items": [1, 2]}),
    ])

    gate = lanes(executor, run_id, [("fan", None), ("before", None)])
    assert gate[("fan", None)] == {"state": "decided", "decision": "run"}
    status, answer = executor.post({"action": "run_task", "run_id": run_id, "key": "after_fan", "wait_seconds": 0.2})
    assert (status, answer) == (503, {"state": "waiting", "waiting_for": ["fan"]})
    answers = lanes(executor, run_id, [("fan", index) for index in range(3)] + [("after_fan", None), ("cleanup", None)])

    assert answers[("fan", 0)] == {"state": "success", "attempts": 1}
    assert answers[("fan", 1)] == {"state": "failed", "attempts": 2,
                                   "error": "PlannedFailure: planned failure of fan attempt 2"}
    assert answers[("fan", 2)] == {"state": "success", "attempts": 1}
    assert answers[("after_fan", None)] == {"state": "upstream_failed"}
    assert answers[("cleanup", None)] == {"state": "success", "attempts": 1}
    assert run_task(executor, run_id, "fan_skipped") == {"state": "decided", "decision": "upstream_failed"}
    assert run_task(executor, run_id, "fan_skipped", index=1) == {"state": "upstream_failed"}
    fan_calls = sorted((call["item_index"], call["attempt"], call["outcome"], json.dumps(call["item"]))
                       for call in executor.calls(run_id) if call["task_id"] == "fan")
    assert fan_calls == [(0, 1, "success", "1"), (1, 1, "failed", '"two"'), (1, 2, "failed", '"two"'),
                         (2, 1, "success", '{"x": "${y}"}')]
    assert all(call["max_attempts"] == 2 for call in executor.calls(run_id) if call["task_id"] == "fan")
    assert finish(executor, run_id)["states"] == {"before": "success", "fan": "failed", "after_fan": "upstream_failed",
                                                  "cleanup": "success", "fan_skipped": "upstream_failed"}


# -- _b64 members ------------------------------------------------------------------------------------------------------


def test_b64_members_are_decoded_anywhere_in_the_job_and_taken_literally(executor):
    run_id = f"b64-{uuid.uuid4().hex[:8]}"
    kwargs = {"events_dir": str(executor.events_dir), "text": "${sys.get_env(\"X\")}", "nested_b64": "not decoded"}
    job = {"job_id": "executor_test", "params_b64": b64([{"name": "p", "type": "string", "default": "${p}"}]),
           "tasks": [{"key": "a", "task_id_b64": b64("a"), "function": FUNCTION, "kwargs_b64": b64(kwargs),
                      "on_failure": {"webhooks": [], "emails_b64": b64([])}}]}
    body = {"action": "start_run", "run_id": run_id, "logical_date": "2024-03-01", "argument_json": "null", "job": job}
    assert executor.post(body) == (200, {"state": "started"})

    assert run_task(executor, run_id, "a") == {"state": "success", "attempts": 1}
    [started] = [event for event in executor.events(run_id) if event["event"] == "start"]
    assert started["kwargs"] == kwargs and started["params"] == {"p": "${p}"}
    # The whole job may come encoded too; what is inside an encoded value is never decoded again.
    plain = {"job_id": "executor_test", "tasks": [{"key": "a", "task_id": "a", "function": FUNCTION, "kwargs": kwargs}]}
    whole = {"action": "start_run", "run_id": f"whole-{run_id}", "logical_date": "2024-03-01",
             "argument_json": "null", "job_b64": b64(plain)}
    assert executor.post(whole) == (200, {"state": "started"})
    assert run_task(executor, whole["run_id"], "a") == {"state": "success", "attempts": 1}
    [started] = [event for event in executor.events(whole["run_id"]) if event["event"] == "start"]
    assert started["kwargs"] == kwargs
    status, answer = executor.post({**whole, "run_id": f"both-{run_id}", "job": {"job_id": "executor_test"}})
    assert status == 400 and "the request has both 'job' and 'job_b64'" in answer["error"]


@pytest.mark.parametrize(("tasks", "message"), [
    ([{"key": "a", "task_id": "a", "task_id_b64": b64("a"), "function": FUNCTION}],
     "job.tasks[0] has both 'task_id' and 'task_id_b64'"),
    ([{"key": "a", "task_id": "a", "function": FUNCTION, "kwargs_b64": "%%%"}],
     "job.tasks[0].kwargs_b64 is not the base64 of UTF-8 JSON text"),
    ([{"key": "a", "task_id": "a", "function": FUNCTION, "kwargs_b64": base64.b64encode(b"{no json").decode()}],
     "job.tasks[0].kwargs_b64 is not the base64 of UTF-8 JSON text"),
], ids=["both", "not-base64", "not-json"])
def test_bad_b64_members_are_rejected(executor, tasks, message):
    body = {"action": "start_run", "run_id": f"b64-{uuid.uuid4().hex[:8]}", "logical_date": "2024-03-01",
            "argument_json": "null", "job": {"job_id": "executor_test", "tasks": tasks}}
    status, answer = executor.post(body)
    assert status == 400 and message in answer["error"], answer


# -- finish_run and abandon_task ----------------------------------------------------------------------------------------


def test_finish_run_lists_failed_and_unfinished_tasks_and_stops_what_still_runs(executor):
    run_id = start(executor, [task("bad", kwargs={"fail": True}), task("never_called"),
                              task("running", kwargs={"sleep_seconds": 60})])
    assert run_task(executor, run_id, "bad")["state"] == "failed"
    assert executor.post({"action": "run_task", "run_id": run_id, "key": "running", "wait_seconds": 1.5})[0] == 503

    expected = {"failed_tasks": ["bad", "never_called", "running"],
                "states": {"bad": "failed", "never_called": "unfinished", "running": "unfinished"}}
    assert finish(executor, run_id) == expected
    assert finish(executor, run_id) == expected

    outcome = run_task(executor, run_id, "running", deadline_seconds=10)
    assert outcome["state"] == "failed" and "the run finished before the task ended" in outcome["error"]
    late = run_task(executor, run_id, "never_called", deadline_seconds=5)
    assert late == {"state": "failed", "attempts": 0, "error": "ExecutorError: the run finished before the task ended"}
    assert finish(executor, run_id) == expected
    [started] = [event for event in executor.events(run_id) if event["event"] == "start"
                 and event["task_id"] == "running"]
    deadline = time.monotonic() + 10
    while pid_alive(started["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(started["pid"])


def test_an_abandoned_task_fails_so_downstream_tasks_stop_waiting(executor):
    run_id = start(executor, [task("stuck", kwargs={"sleep_seconds": 60}), task("after", ["stuck"]),
                              task("fan", ["stuck"], trigger_rule="all_done",
                                   for_each={"parameter": "item", "items": [1, 2]}),
                              task("done")])
    assert executor.post({"action": "run_task", "run_id": run_id, "key": "stuck", "wait_seconds": 1})[0] == 503

    abandon = {"action": "abandon_task", "run_id": run_id, "key": "stuck", "error": "WorkflowError: gave up"}
    assert executor.post(abandon) == (200, {"state": "failed"})
    assert executor.post(abandon) == (200, {"state": "failed"})
    assert run_task(executor, run_id, "stuck", deadline_seconds=5) == {"state": "failed", "attempts": 1,
                                                                       "error": "WorkflowError: gave up"}
    assert run_task(executor, run_id, "after", deadline_seconds=5) == {"state": "upstream_failed"}
    assert run_task(executor, run_id, "fan", deadline_seconds=5) == {"state": "decided", "decision": "run"}
    assert executor.post({**abandon, "key": "fan", "index": 1}) == (200, {"state": "failed"})
    assert run_task(executor, run_id, "fan", index=1, deadline_seconds=5)["state"] == "failed"
    assert run_task(executor, run_id, "fan", index=0) == {"state": "success", "attempts": 1}
    assert run_task(executor, run_id, "done") == {"state": "success", "attempts": 1}
    assert executor.post({**abandon, "key": "done"}) == (200, {"state": "success"})
    assert finish(executor, run_id) == {
        "failed_tasks": ["stuck", "fan"],
        "states": {"stuck": "failed", "after": "upstream_failed", "fan": "failed", "done": "success"}}
    # The abandoned attempt is stopped (its runner notices within a second or so) and logged as failed.
    deadline = time.monotonic() + 10
    while not [call for call in executor.calls(run_id) if call["task_id"] == "stuck"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [(call["task_id"], call["outcome"]) for call in executor.calls(run_id) if call["task_id"] == "stuck"] == [
        ("stuck", "failed")]
    [started] = [event for event in executor.events(run_id) if event["task_id"] == "stuck"]
    assert not pid_alive(started["pid"])


# -- a stopped executor ---------------------------------------------------------------------------------------------------


def test_a_task_whose_executor_stopped_is_failed_as_lost_by_another_executor(tmp_path):
    state = tmp_path / "state"
    first = Executor(tmp_path, state, JOBC_EXECUTOR_LOST_AFTER_SECONDS=str(LOST_AFTER_SECONDS)).start()
    try:
        run_id = start(first, [task("long", kwargs={"sleep_seconds": 60}), task("after", ["long"])])
        assert first.post({"action": "run_task", "run_id": run_id, "key": "long", "wait_seconds": 1.5})[0] == 503
        assert first.post({"action": "run_task", "run_id": run_id, "key": "long", "wait_seconds": 0})[0] == 503
        [started] = [event for event in first.events(run_id) if event["event"] == "start"]
    finally:
        first.stop(signal.SIGKILL)  # a crash: nothing gets to clean up

    # The attempt dies with its executor (its stdin closed), not at its end.
    deadline = time.monotonic() + 10
    while pid_alive(started["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(started["pid"])

    second = Executor(tmp_path, state, JOBC_EXECUTOR_LOST_AFTER_SECONDS=str(LOST_AFTER_SECONDS)).start()
    try:
        assert run_task(second, run_id, "long", deadline_seconds=15) == {
            "state": "failed", "attempts": 1, "error": "ExecutorLostError: the executor instance running it stopped"}
        assert run_task(second, run_id, "after") == {"state": "upstream_failed"}
        assert finish(second, run_id)["failed_tasks"] == ["long"]
    finally:
        second.stop()
    assert second.calls(run_id) == []  # the lost attempt never ended: no line
