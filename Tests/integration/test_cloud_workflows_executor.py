"""The Cloud Workflows executor (protocol version 2) served by functions-framework, driven over HTTP:
start_run, run parameters, waiting server-side, trigger rules, the long poll, request checks, _b64.

Threads stand in for a program's lanes: each calls run_task with the same body until it answers 200
(503 is the program's poll loop). The functions (fixtures/executor/executor_functions.py) record
what ran, when and with what; every attempt runs in a process of its own. Anything missing fails
loudly, never skips.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import uuid

import pytest
from jobc_test_support import FIXTURES

sys.path.insert(0, str(FIXTURES / "executor"))  # the helpers below, next to their functions
from executor_client import (FUNCTION, b64, finish, lanes, run_task, start,
                             task)  # noqa: E402



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


@pytest.mark.parametrize(("folders", "message"), [
    ({"function": "lib"}, "job.folders has unknown member(s): function"),
    ({"secrets": ""}, "job.folders.secrets must be a non-empty string, got ''"),
    ("vault", "job.folders must be a JSON object, got a string"),
], ids=["unknown-member", "empty", "not-an-object"])
def test_malformed_folders_are_rejected(executor, folders, message):
    body = {"action": "start_run", "run_id": f"bad-{uuid.uuid4().hex[:8]}", "logical_date": "2024-03-01",
            "argument_json": "null", "job": {"job_id": "executor_test", "folders": folders, "tasks": [task("a")]}}
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
        "after_both": "success"}, "message": "jobc job 'executor_test' failed: task(s) bad failed"}


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


def test_the_same_request_from_several_callers_at_once_runs_the_task_once(executor):
    run_id = start(executor, [task("once", kwargs={"sleep_seconds": 0.5})])

    answers = []
    callers = [threading.Thread(target=lambda: answers.append(run_task(executor, run_id, "once"))) for _ in range(5)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()

    assert answers == [{"state": "success", "attempts": 1}] * 5
    assert len(executor.calls(run_id)) == 1 and len(executor.events(run_id)) == 2


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


# -- _b64 members ------------------------------------------------------------------------------------------------------


def test_b64_members_of_the_job_its_params_defaults_and_tasks_are_decoded_and_taken_literally(executor):
    run_id = f"b64-{uuid.uuid4().hex[:8]}"
    kwargs = {"events_dir": str(executor.events_dir), "text": "${sys.get_env(\"X\")}", "nested_b64": "not decoded"}
    job = {"job_id": "executor_test", "params": [{"name": "p", "type": "string", "default_b64": b64("${p}")}],
           "defaults_b64": b64({"retries": 0}),
           "tasks": [{"key": "a", "task_id_b64": b64("a"), "function": FUNCTION, "kwargs_b64": b64(kwargs),
                      "on_failure_b64": b64({"webhooks": [], "emails": []})},
                     # A kwarg named like an encoded member is the user's: never decoded.
                     {"key": "b", "function": FUNCTION, "kwargs": {"events_dir": str(executor.events_dir), "data_b64": "x"}}]}
    body = {"action": "start_run", "run_id": run_id, "logical_date": "2024-03-01", "argument_json": "null", "job": job}
    assert executor.post(body) == (200, {"state": "started"})

    assert run_task(executor, run_id, "a") == {"state": "success", "attempts": 1}
    assert run_task(executor, run_id, "b") == {"state": "success", "attempts": 1}
    started = {event["task_id"]: event for event in executor.events(run_id) if event["event"] == "start"}
    assert started["a"]["kwargs"] == kwargs and started["a"]["params"] == {"p": "${p}"}
    assert started["b"]["kwargs"]["data_b64"] == "x"
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
