"""jobc_executor: the one HTTP function a generated Cloud Workflows program calls (protocol version 2).

The program keeps no task state: it starts the run (``start_run``, with the whole job), calls
``run_task`` for every task from its lanes, and ``finish_run`` at the end; the executor waits
server-side for upstream tasks, decides the trigger rule, runs the attempts in the background and
keeps the run's state in the state directory (README.md describes the protocol). Answers are JSON;
a task function's failure is a 200 ``{"state": "failed"}``, 400 a request that can never succeed,
503 "not yet: call again", 500 an executor bug. Error texts name the exception type and message
only, and request bodies are never logged (kwargs are the user's).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

import functions_framework

from . import actions
from .protocol import AbandonTask, ExecutorRequestError, FinishRun, RunTask, StartRun, parse_request

_logger = logging.getLogger("jobc.executor")


@functions_framework.http
def jobc_executor(request):
    try:
        status, payload = handle(request.get_json(silent=True))
    except Exception as error:  # an executor bug: say so, never a task's failure
        _logger.exception("executor error")
        status, payload = 500, {"state": "error", "error": f"{type(error).__name__}: {error}"}
    return json.dumps(payload, ensure_ascii=False), status, {"Content-Type": "application/json"}


def handle(body: Any) -> tuple[int, Mapping[str, Any]]:
    """The HTTP status and answer for a request body (already parsed from JSON)."""
    try:
        request = parse_request(body)
        if isinstance(request, StartRun):
            return actions.start_run(request)
        if isinstance(request, RunTask):
            return actions.run_task(request, poll_seconds())
        if isinstance(request, FinishRun):
            return actions.finish_run(request)
        assert isinstance(request, AbandonTask)
        return actions.abandon_task(request)
    except ExecutorRequestError as error:
        _logger.error("rejected request: %s", error)
        return 400, {"state": "rejected", "error": f"{type(error).__name__}: {error}"}


def poll_seconds() -> float:
    """How often a waiting request re-reads the state directory (JOBC_EXECUTOR_POLL_SECONDS)."""
    text = os.environ.get(actions.POLL_SECONDS_ENV)
    try:
        seconds = float(text) if text else actions.DEFAULT_POLL_SECONDS
    except ValueError:
        raise ValueError(f"{actions.POLL_SECONDS_ENV}={text!r} is not a number of seconds") from None
    return min(max(seconds, 0.05), 60.0)
