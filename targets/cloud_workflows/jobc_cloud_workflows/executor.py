"""jobc_executor: the one HTTP function a generated Cloud Workflows program calls for every task.

The workflow POSTs a JSON body (job_id, task_id, function_module, function_class, kwargs,
secret_key, run_id, logical_date, attempt, max_attempts, timeout_seconds; params, the run's resolved
parameters as JSON text (params_json), when the job declares some; on_failure, the task's alerts;
for_each {parameter, index, item_json} for one item of a fan-out task, whose item the executor adds
to the kwargs). The executor runs one attempt of the task's function through
``jobc_runtime.run_task`` (which resolves the secret by name, drives the function's lifecycle:
``on_retry`` before a retry, ``on_failure`` on the last attempt, chosen from attempt and
max_attempts, and sends the failure alerts at the last attempt) and answers:

- 200 ``{"status": "success"}`` when the function succeeded;
- 500 ``{"status": "failed", "error": ...}`` when it raised: the workflow's retry predicate
  retries 500, so the task's ``retries`` apply;
- 400 ``{"status": "rejected", "error": ...}`` for a request that cannot describe a task, e.g. one
  whose task definition ``jobc_runtime.TaskDefinition`` refuses (never retried: retrying would not
  help).

Before any task, a program whose job declares run parameters POSTs ``{"action": "resolve_params",
"job_id", "declared": [...], "argument": <the execution argument>}`` (the overrides are its "params")
(``jobc_runtime.resolve_params``) or 400 with the problem, which fails the run.

Error texts name the exception type and message only; secret values never reach them (the
runtime's errors never contain secret values).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import threading
from collections.abc import Mapping
from typing import Any

import functions_framework
import jobc_runtime

# When set, every call is appended to this JSON-lines file (task, attempt, outcome): how a local
# test learns which tasks ran and how often. Unset in the cloud, where Cloud Logging has the same.
CALL_LOG_ENV = "JOBC_EXECUTOR_CALL_LOG"

_call_log_lock = threading.Lock()
_logger = logging.getLogger("jobc.executor")


class ExecutorRequestError(ValueError):
    """The request body does not describe one attempt of a task."""


def parse_request(body: Any) -> dict[str, Any]:
    """Check the request body and return run_task's arguments: the task's definition
    (``jobc_runtime.TaskDefinition``, which checks the task's fields) and this attempt's facts."""
    if not isinstance(body, Mapping):
        raise ExecutorRequestError("the request body must be a JSON object")
    for key in ("run_id", "logical_date"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise ExecutorRequestError(f"{key} must be a non-empty string")
    for key in ("attempt", "max_attempts"):
        value = body.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ExecutorRequestError(f"{key} must be a positive integer")
    if body["attempt"] > body["max_attempts"]:
        raise ExecutorRequestError("attempt must not exceed max_attempts")
    params = _json_text(body, "params_json")
    if params is not None and not isinstance(params, Mapping):
        raise ExecutorRequestError("params_json must hold a JSON object")
    for_each = _for_each(body)
    try:
        definition = jobc_runtime.TaskDefinition(
            job_id=body.get("job_id"),
            task_id=body.get("task_id"),
            function_module=body.get("function_module"),
            function_class=body.get("function_class"),
            function_kwargs=body.get("kwargs"),
            secret_key=body.get("secret_key"),
            retries=body["max_attempts"] - 1,
            on_failure=body.get("on_failure"),
            for_each=for_each["parameter"] if for_each else None,
        )
    except jobc_runtime.TaskDefinitionError as error:
        raise ExecutorRequestError(str(error)) from None
    return {
        "definition": definition,
        "run_id": body["run_id"],
        "execution_date": logical_date(body["logical_date"]),
        "attempt": body["attempt"],
        "params": dict(params) if params is not None else None,
        "item": for_each["item"] if for_each else None,
    }


def _for_each(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{"parameter", "index", "item"}`` for one run of a fan-out task, None for other tasks."""
    for_each = body.get("for_each")
    if for_each is None:
        return None
    if not isinstance(for_each, Mapping):
        raise ExecutorRequestError("for_each must be a JSON object or null")
    # None would make the definition no fan-out task's; what else the parameter must be,
    # TaskDefinition checks.
    if for_each.get("parameter") is None:
        raise ExecutorRequestError("for_each.parameter is missing")
    index = for_each.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ExecutorRequestError("for_each.index must be a non-negative integer")
    return {"parameter": for_each.get("parameter"), "index": index, "item": _json_text(for_each, "item_json")}


def _json_text(body: Mapping[str, Any], key: str) -> Any:
    text = body.get(key)
    if text is None:
        return None
    if not isinstance(text, str):
        raise ExecutorRequestError(f"{key} must be JSON text")
    try:
        return json.loads(text)
    except ValueError as error:
        raise ExecutorRequestError(f"{key} is not JSON: {error}") from None


def resolve_run_params(body: Mapping[str, Any]) -> dict[str, Any]:
    """The run's parameter values for a ``resolve_params`` request (RunParameterError when invalid)."""
    declared = body.get("declared")
    if not isinstance(declared, list):
        raise ExecutorRequestError("declared must be a JSON array")
    argument = _json_text(body, "argument_json")
    if argument is not None and not isinstance(argument, Mapping):
        raise ExecutorRequestError("the execution argument must be a JSON object or null")
    return jobc_runtime.resolve_params(declared, (argument or {}).get("params"))


def logical_date(text: str) -> datetime.datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 date-time (UTC when it has no offset), in UTC."""
    try:
        return jobc_runtime.parse_logical_date(text)
    except ValueError as error:
        raise ExecutorRequestError(f"logical_date {error}") from None


@functions_framework.http
def jobc_executor(request):
    body = request.get_json(silent=True)
    if isinstance(body, Mapping) and body.get("action") == "resolve_params":
        return _resolve_params(body)
    try:
        arguments = parse_request(body)
    except ExecutorRequestError as error:
        _logger.error("rejected request: %s", error)
        return _answer(400, {"status": "rejected", "error": str(error)})

    definition, attempt = arguments["definition"], arguments["attempt"]
    task = f"{definition.job_id}/{definition.task_id}"
    outcome = "success"
    try:
        jobc_runtime.run_task(**arguments, logger=logging.getLogger(f"jobc.task.{task.replace('/', '.')}"))
    except Exception as error:  # the function's failure is the task's failure: report, never crash
        outcome = "failed"
        message = f"{type(error).__name__}: {error}"
        _logger.error("jobc task %s attempt %d/%d failed: %s", task, attempt, definition.max_attempts, message)
    _record(arguments, body, outcome)
    if outcome == "success":
        return _answer(200, {"status": "success", "task_id": definition.task_id, "attempt": attempt})
    return _answer(500, {"status": "failed", "task_id": definition.task_id, "attempt": attempt, "error": message})


def _resolve_params(body: Mapping[str, Any]):
    try:
        params = resolve_run_params(body)
    except (ExecutorRequestError, jobc_runtime.RunParameterError) as error:
        _logger.error("rejected run parameters of job %s: %s", body.get("job_id"), error)
        return _answer(400, {"status": "rejected", "error": f"{type(error).__name__}: {error}"})
    return _answer(200, {"status": "resolved", "params_json": json.dumps(params, ensure_ascii=False)})


def _answer(status: int, payload: Mapping[str, Any]):
    return json.dumps(payload, ensure_ascii=False), status, {"Content-Type": "application/json"}


def _record(arguments: Mapping[str, Any], body: Mapping[str, Any], outcome: str) -> None:
    path = os.environ.get(CALL_LOG_ENV)
    if not path:
        return
    definition = arguments["definition"]
    entry = {
        "job_id": definition.job_id,
        "task_id": definition.task_id,
        "run_id": arguments["run_id"],
        "attempt": arguments["attempt"],
        "max_attempts": definition.max_attempts,
        "outcome": outcome,
    }
    if body.get("for_each") is not None:  # checked by parse_request
        entry.update(item_index=body["for_each"]["index"], item=arguments["item"])
    line = json.dumps(entry, ensure_ascii=False)
    with _call_log_lock, open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")
