"""The Cloud Workflows executor's attempts and run endings, over HTTP against functions-framework:
retries, timeouts that kill the attempt, alerts, fan-out items, finish_run, abandon_task, and a task
whose executor stopped (failed as lost by another executor on the same state directory).
"""

from __future__ import annotations

import json
import signal
import sys
import time

import pytest
from alert_receiver import WebhookReceiver
from jobc_test_support import FIXTURES

sys.path.insert(0, str(FIXTURES / "executor"))  # the helpers below, next to their functions
from executor_client import (LOST_AFTER_SECONDS, Executor, finish, lanes, pid_alive, run_task, start,
                             task)  # noqa: E402



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
                                       retry_delay_seconds=0, timeout_seconds=1, on_failure={"webhooks": [webhook.url]})])
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
                                       retry_delay_seconds=0, on_failure={"webhooks": [webhook.url]})])

        answer = run_task(executor, run_id, "broken")

        [alert] = webhook.wait_for(1)
        time.sleep(0.5)
        assert len(webhook.messages) == 1
    assert answer == {"state": "failed", "attempts": 2, "error": "PlannedFailure: planned failure of broken attempt 2"}
    assert (alert["attempt"], alert["error"]) == (2, "PlannedFailure: planned failure of broken attempt 2")


# -- fan-out -------------------------------------------------------------------------------------------------------


def test_a_fan_out_task_gates_runs_each_item_with_its_own_attempts_and_aggregates(executor):
    items = [1, "two", {"x": "${y}"}]
    run_id = start(executor, [
        task("before", kwargs={"sleep_seconds": 0.5}),
        task("fan", ["before"], for_each={"parameter": "item", "items": items}, retries=1,
             retry_delay_seconds=0, kwargs={"fail_item": "two"}),
        task("after_fan", ["fan"]),
        task("cleanup", ["fan"], trigger_rule="all_done"),
        task("fan_skipped", ["after_fan"], for_each={"parameter": "item", "items": [1, 2]}),
        task("no_items", for_each={"parameter": "item", "items": []}),
        task("after_no_items", ["no_items"]),
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
    assert run_task(executor, run_id, "no_items") == {"state": "decided", "decision": "run"}
    assert run_task(executor, run_id, "after_no_items") == {"state": "success", "attempts": 1}
    assert run_task(executor, run_id, "fan_skipped") == {"state": "decided", "decision": "upstream_failed"}
    assert run_task(executor, run_id, "fan_skipped", index=1) == {"state": "upstream_failed"}
    fan_calls = sorted((call["item_index"], call["attempt"], call["outcome"], json.dumps(call["item"]))
                       for call in executor.calls(run_id) if call["task_id"] == "fan")
    assert fan_calls == [(0, 1, "success", "1"), (1, 1, "failed", '"two"'), (1, 2, "failed", '"two"'),
                         (2, 1, "success", '{"x": "${y}"}')]
    assert all(call["max_attempts"] == 2 for call in executor.calls(run_id) if call["task_id"] == "fan")
    assert finish(executor, run_id)["states"] == {"before": "success", "fan": "failed", "after_fan": "upstream_failed",
                                                  "cleanup": "success", "fan_skipped": "upstream_failed",
                                                  "no_items": "success", "after_no_items": "success"}


# -- finish_run and abandon_task ----------------------------------------------------------------------------------------


def test_finish_run_lists_failed_and_unfinished_tasks_and_stops_what_still_runs(executor):
    run_id = start(executor, [task("bad", kwargs={"fail": True}), task("never_called"),
                              task("running", kwargs={"sleep_seconds": 60})])
    assert run_task(executor, run_id, "bad")["state"] == "failed"
    assert executor.post({"action": "run_task", "run_id": run_id, "key": "running", "wait_seconds": 1.5})[0] == 503

    expected = {"failed_tasks": ["bad", "never_called", "running"],
                "states": {"bad": "failed", "never_called": "unfinished", "running": "unfinished"},
                "message": "jobc job 'executor_test' failed: task(s) bad, never_called, running failed"}
    assert finish(executor, run_id) == expected
    assert finish(executor, run_id) == expected

    outcome = run_task(executor, run_id, "running", deadline_seconds=10)
    assert outcome == {"state": "failed", "attempts": 1, "error": "ExecutorError: the run finished before the task ended"}
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
        "states": {"stuck": "failed", "after": "upstream_failed", "fan": "failed", "done": "success"},
        "message": "jobc job 'executor_test' failed: task(s) stuck, fan failed"}
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
