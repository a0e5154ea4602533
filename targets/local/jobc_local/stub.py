"""A stubbed attempt (``jobc test``): the task's function is not run; the attempt sleeps, then fails
or succeeds as the test's stub says. Everything around it is a real attempt's: its own process, the
task's timeout, retries and their delay, and the failure alerts of a failed last attempt."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Mapping
from typing import Any

import jobc_runtime
from jobc_runtime.alerts import TaskFailure, error_text, send_failure_alerts


class StubFailure(Exception):
    """The failure a stub was told to produce."""


def run_stub(definition: jobc_runtime.TaskDefinition, stub: Mapping[str, Any], *, run_id: str,
             execution_date: datetime.datetime, attempt: int) -> None:
    """Sleep ``stub["sleep"]`` seconds, then fail when ``stub["fail"]`` or while ``attempt`` is at most
    ``stub["fail_times"]``. A failed last attempt sends the task's alerts, as run_task does."""
    log = logging.getLogger(f"jobc.task.{definition.job_id}.{definition.task_id}")
    try:
        log.info("stub attempt %d: sleep %s s, fail %s, fail_times %s", attempt, stub.get("sleep") or 0,
                 bool(stub.get("fail")), stub.get("fail_times") or 0)
        if stub.get("sleep"):
            time.sleep(float(stub["sleep"]))
        if stub.get("fail"):
            raise StubFailure(f"the test stubs task '{definition.task_id}' to fail")
        if attempt <= int(stub.get("fail_times") or 0):
            raise StubFailure(f"the test stubs task '{definition.task_id}' to fail {stub['fail_times']} "
                              f"time(s); this is attempt {attempt}")
    except BaseException as error:
        if attempt >= definition.max_attempts and not definition.on_failure.is_empty:
            failure = TaskFailure(job_id=definition.job_id, task_id=definition.task_id, run_id=run_id,
                                  logical_date=execution_date.date(), attempt=attempt,
                                  max_attempts=definition.max_attempts, error=error_text(error))
            send_failure_alerts(definition.on_failure, failure, log)
        raise
