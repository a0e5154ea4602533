// Generated from orchestration/function/ by StandardFunctionsTests
// (JOBC_UPDATE_GOLDEN=1 swift test --filter StandardFunctionsTests): do not edit.

extension StandardFunctions {
    /// function_abstract.py: Function and ExecutionContext, which every function imports.
    public static let base = StandardFile(fileName: "function_abstract.py", text: ##"""
"""Engine-free base class for jobc task functions.

A *function* is the unit of work a jobc task runs. The same function class is
driven by every engine adapter (Airflow, Dagster, Cloud Workflows, Prefect)
through ``jobc_runtime.run_task``, so this module must never import engine
code: everything an engine knows about a run is handed over in an
:class:`ExecutionContext`, including the run's parameters (``ctx.params``).

Lifecycle driven by :meth:`Function.run`::

    pre_execute -> execute -> post_execute -> on_success      (happy path)
                                  |
                        any of these raises
                                  v
        on_retry   (another attempt will follow)   or
        on_failure (this was the last attempt)
        ... then the original exception is re-raised, so the engine still sees
        the real error and applies its own retry policy.

After a failed last attempt ``run_task`` also sends the job's failure alerts
(``on_failure:`` in the job file), with ``"<ExceptionType>: <message>"`` of the
error: never put a secret into an exception's message.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime
import logging
import pathlib
import types
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "ExecutionContext",
    "Function",
    "FunctionConfigurationError",
    "FunctionParameterError",
]


class FunctionParameterError(ValueError):
    """A function was constructed with missing or invalid kwargs."""


class FunctionConfigurationError(RuntimeError):
    """A function cannot run with the context it was given (e.g. no secret)."""


def _empty_params() -> Mapping[str, Any]:
    return types.MappingProxyType({})


def _default_logger() -> logging.Logger:
    return logging.getLogger("jobc.function")


@dataclasses.dataclass(frozen=True)
class ExecutionContext:
    """Everything a function may know about the run it belongs to.

    ``secret`` holds the resolved secret *value*; it is excluded from ``repr``
    so that logging a context (or an exception that embeds one) cannot leak it.
    """

    job_id: str
    task_id: str
    run_id: str
    # The logical date of the run (what Airflow calls ``logical_date``); must
    # be timezone-aware so that "which day is this run for" is unambiguous.
    execution_date: datetime.datetime
    attempt: int  # 1-based
    max_attempts: int
    # Root of the jobc project; relative paths in task kwargs (e.g. SQL files)
    # are resolved against it so that functions never depend on the cwd.
    project_root: pathlib.Path
    secret: Mapping[str, Any] | None = dataclasses.field(default=None, repr=False)
    # The run's parameters (the job's ``params:``, with this run's overrides applied): every
    # declared name with its value. Read-only, so one task cannot change what later tasks see.
    params: Mapping[str, Any] = dataclasses.field(default_factory=_empty_params)
    logger: logging.Logger = dataclasses.field(default_factory=_default_logger, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.execution_date, datetime.datetime):
            raise TypeError(
                f"execution_date must be a datetime.datetime, got {type(self.execution_date).__name__}"
            )
        if self.execution_date.tzinfo is None or self.execution_date.utcoffset() is None:
            raise ValueError(f"execution_date must be timezone-aware, got naive {self.execution_date!r}")
        if self.attempt < 1:
            raise ValueError(f"attempt is 1-based, got {self.attempt}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        # Engines may legitimately report attempt > max_attempts (e.g. a task
        # cleared and re-run by hand), so that is not rejected here.
        object.__setattr__(self, "project_root", pathlib.Path(self.project_root))
        if not isinstance(self.params, Mapping):
            raise TypeError(f"params must be a mapping, got {type(self.params).__name__}")
        object.__setattr__(self, "params", types.MappingProxyType(dict(self.params)))

    @property
    def execution_date_str(self) -> str:
        """The logical date as ``YYYY-MM-DD`` (in the date's own timezone)."""
        # date.isoformat always zero-pads the year; strftime("%Y") does not on glibc.
        return self.execution_date.date().isoformat()

    @property
    def is_last_attempt(self) -> bool:
        """True when a failure now will not be retried by the engine."""
        return self.attempt >= self.max_attempts


# Exceptions that mean "stop the process now": no user hook runs for them.
# Everything else, including BaseException subclasses that engines use for
# task timeouts/termination, counts as a failed attempt.
_NO_HOOK_EXCEPTIONS = (KeyboardInterrupt, SystemExit, GeneratorExit)


class Function(abc.ABC):
    """Base class of every jobc task function.

    Subclasses declare ``required_params`` (kwargs that must be present and not
    None) and ``requires_secret``, implement :meth:`execute`, and may override
    any lifecycle hook. The task's kwargs are available as ``self.kwargs``.
    """

    required_params: ClassVar[tuple[str, ...]] = ()
    requires_secret: ClassVar[bool] = False

    def __init__(self, **kwargs: Any) -> None:
        missing = [name for name in self.required_params if kwargs.get(name) is None]
        if missing:
            raise FunctionParameterError(
                f"{type(self).__name__} is missing required parameter(s): {', '.join(missing)}"
            )
        self.kwargs: dict[str, Any] = dict(kwargs)

    # -- lifecycle hooks ---------------------------------------------------

    def pre_execute(self, ctx: ExecutionContext) -> None:
        """Runs before :meth:`execute`; a failure here fails the attempt."""

    @abc.abstractmethod
    def execute(self, ctx: ExecutionContext) -> Any:
        """Do the work; the return value should be JSON-friendly."""

    def post_execute(self, ctx: ExecutionContext, result: Any) -> None:
        """Runs after :meth:`execute`; a failure here fails the attempt."""

    def on_success(self, ctx: ExecutionContext, result: Any) -> None:
        """Runs once the attempt has succeeded."""

    def on_failure(self, ctx: ExecutionContext, error: BaseException) -> None:
        """Runs when the last attempt failed (no retry will follow)."""

    def on_retry(self, ctx: ExecutionContext, error: BaseException) -> None:
        """Runs when an attempt failed and the engine will retry."""

    # -- driver ------------------------------------------------------------

    def run(self, ctx: ExecutionContext) -> Any:
        """Drive the lifecycle for one attempt and return ``execute``'s result.

        The original exception is always re-raised after the failure hook so
        the engine records the real cause. An exception raised by
        ``on_success`` propagates as is (the failure hooks are not called: the
        work itself completed).
        """
        if self.requires_secret and ctx.secret is None:
            raise FunctionConfigurationError(
                f"{type(self).__name__} requires a secret but the task has no secret configured "
                f"(job {ctx.job_id!r}, task {ctx.task_id!r})"
            )
        try:
            self.pre_execute(ctx)
            result = self.execute(ctx)
            self.post_execute(ctx, result)
        except _NO_HOOK_EXCEPTIONS:
            raise
        except BaseException as error:
            self._run_failure_hook(ctx, error)
            raise
        self.on_success(ctx, result)
        return result

    def _run_failure_hook(self, ctx: ExecutionContext, error: BaseException) -> None:
        hook_name = "on_failure" if ctx.is_last_attempt else "on_retry"
        hook = self.on_failure if ctx.is_last_attempt else self.on_retry
        try:
            hook(ctx, error)
        except Exception:
            # A broken hook must not mask the error that actually failed the
            # attempt; log it and let the caller re-raise the original.
            ctx.logger.exception(
                "%s.%s raised while handling %s; re-raising the original error",
                type(self).__name__,
                hook_name,
                type(error).__name__,
            )

"""##)

    public static let all: [StandardFunction] = [
        StandardFunction(name: "AEFExecutorFunction", module: "aef_executor_function", implementation: ##"""
"""Run one step of an Analytics Engineering Framework (AEF) pipeline.

`jobc import aef` turns each AEF step into a task running this function. It talks to the step's
executor Cloud Function the way AEF's intermediate function does (Google's
aef-orchestration-framework, ``functions/orchestration-helpers/intermediate-function``):

* ``POST {base_url}/{executor_function}`` with the JSON body
  ``{"workflow_properties", "workflow_name", "job_name", "query_variables", "execution_id"}``
  (plus ``step_properties`` when the step has them). ``workflow_name`` is the jobc job id,
  ``execution_id`` the run id; ``query_variables`` carries the run's logical date as AEF's
  Dataform start/end date variables.
* The executor answers in plain text (a JSON string is unwrapped too):
  ``aef_…``/``aef-…`` is the id of a job it started; ``DONE``/``SUCCESS``/``SUCCEEDED`` means
  success; ``PENDING``/``RUNNING`` means still running; anything else is a failure (executors
  answer ``{"error": …, "message": …}`` when they fail).
* Async steps: wait ``wait_time_seconds``, then ``POST {base_url}/{status_function}`` with the
  same body plus ``"job_id": <the id>``, until success or failure; after
  ``async_timeout_minutes`` of polling the step fails (AEF's own loop has no bound by default;
  without the kwarg neither has this one). An executor that finishes at once (answers success to
  the first call) needs no polling.
* Sync steps: the executor's first answer must be the final status.

Task kwargs: see ``aef_executor_function.contract.yaml``.

The secret is a mapping: ``base_url`` (required, http or https: the executors' common prefix,
e.g. ``https://REGION-PROJECT.cloudfunctions.net``), ``auth`` (``none`` (default), ``bearer``
with ``token``, or ``google_id_token``: an OIDC token for each function URL from the metadata
server, as Cloud Workflows' ``auth: {type: OIDC}`` does; ``metadata_url`` overrides where it is
fetched), ``request_timeout_seconds`` (default 60). Errors never quote secret values.

Only the standard library is used (urllib), so every engine's environment can run it.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from function_abstract import ExecutionContext, Function, FunctionConfigurationError, FunctionParameterError

__all__ = ["AEFExecutorFunction", "AEFStepFailed", "AEFStepTimedOut"]

_SUCCESS_ANSWERS = frozenset({"DONE", "SUCCESS", "SUCCEEDED"})
_RUNNING_ANSWERS = frozenset({"PENDING", "RUNNING"})
_JOB_ID_PREFIXES = ("aef_", "aef-")
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
_DEFAULT_METADATA_URL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity"
_DEFAULT_REQUEST_TIMEOUT_SECONDS = 60.0
_MAX_QUOTED_ANSWER = 300


class AEFStepFailed(RuntimeError):
    """The executor reported a failure, answered something unexpected, or could not be reached."""


class AEFStepTimedOut(TimeoutError):
    """An async step was still running when its polling time ran out."""


class AEFExecutorFunction(Function):
    required_params = ("aef_job_id", "job_name", "step_type", "executor_function")
    requires_secret = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.aef_job_id = _text(kwargs, "aef_job_id")
        self.job_name = _text(kwargs, "job_name")
        self.step_type = _text(kwargs, "step_type")
        if self.step_type not in ("sync", "async"):
            raise FunctionParameterError(f"step_type must be 'sync' or 'async', got {self.step_type!r}")
        self.executor_function = _function_name(kwargs, "executor_function")
        self.step_properties = _text(kwargs, "step_properties") if kwargs.get("step_properties") is not None else None
        workflow_properties = kwargs.get("workflow_properties") or {}
        if not isinstance(workflow_properties, Mapping):
            raise FunctionParameterError("workflow_properties must be a mapping")
        self.workflow_properties = dict(workflow_properties)
        self.status_function: str | None = None
        self.wait_time_seconds = 0.0
        self.async_timeout_minutes: float | None = None
        if self.step_type == "async":
            if kwargs.get("status_function") is None or kwargs.get("wait_time_seconds") is None:
                raise FunctionParameterError("an async step needs status_function and wait_time_seconds")
            self.status_function = _function_name(kwargs, "status_function")
            self.wait_time_seconds = _number(kwargs, "wait_time_seconds", minimum=0.0)
            if kwargs.get("async_timeout_minutes") is not None:
                self.async_timeout_minutes = _number(kwargs, "async_timeout_minutes", minimum=0.0, strictly_above=True)

    def execute(self, ctx: ExecutionContext) -> dict[str, Any]:
        settings = _Settings.from_secret(ctx.secret)
        body: dict[str, Any] = {
            "workflow_properties": self.workflow_properties,
            "workflow_name": ctx.job_id,
            "job_name": self.job_name,
            "query_variables": {
                "${dataform.projectConfig.vars.start_date}": f"'{ctx.execution_date_str}'",
                "${dataform.projectConfig.vars.end_date}": f"'{ctx.execution_date_str}'",
            },
            "execution_id": ctx.run_id,
        }
        if self.step_properties is not None:
            body["step_properties"] = self.step_properties
        ctx.logger.info(
            "AEF step %s (%s, %s): calling %s", self.aef_job_id, self.job_name, self.step_type, self.executor_function
        )
        answer = self._call(settings, self.executor_function, body)
        if _is_success(answer):
            ctx.logger.info("AEF step %s finished: %s", self.aef_job_id, answer)
            return {"aef_job_id": self.aef_job_id, "status": "success", "async_job_id": None, "status_calls": 0}
        if self.step_type == "sync":
            raise self._failure(
                self.executor_function, answer, "a sync step's executor must answer with its final status"
            )
        if not answer.startswith(_JOB_ID_PREFIXES):
            raise self._failure(self.executor_function, answer, "expected the id of the job it started (aef_…)")
        return self._poll(ctx, settings, body, answer)

    def _poll(self, ctx: ExecutionContext, settings: _Settings, body: dict[str, Any], job_id: str) -> dict[str, Any]:
        assert self.status_function is not None
        ctx.logger.info("AEF step %s started job %s; polling %s", self.aef_job_id, job_id, self.status_function)
        started = time.monotonic()
        deadline = None if self.async_timeout_minutes is None else started + self.async_timeout_minutes * 60
        calls = 0
        while True:
            wait = self.wait_time_seconds if deadline is None else min(self.wait_time_seconds, max(0.0, deadline - time.monotonic()))
            time.sleep(wait)
            answer = self._call(settings, self.status_function, {**body, "job_id": job_id})
            calls += 1
            if _is_success(answer):
                ctx.logger.info("AEF step %s: job %s succeeded after %d status call(s)", self.aef_job_id, job_id, calls)
                return {"aef_job_id": self.aef_job_id, "status": "success", "async_job_id": job_id, "status_calls": calls}
            if answer.upper() not in _RUNNING_ANSWERS:
                raise self._failure(self.status_function, answer, f"job {job_id} did not succeed")
            if deadline is not None and time.monotonic() >= deadline:
                raise AEFStepTimedOut(
                    f"AEF step {self.aef_job_id} ({self.job_name}): job {job_id} still {answer} after "
                    f"{self.async_timeout_minutes:g} minute(s) of polling ({calls} status call(s))"
                )
            ctx.logger.info("AEF step %s: job %s is %s", self.aef_job_id, job_id, answer)

    def _call(self, settings: _Settings, function: str, body: Mapping[str, Any]) -> str:
        url = f"{settings.base_url}/{function}"
        request = urllib.request.Request(
            url, data=json.dumps(body).encode("utf-8"), method="POST", headers={"Content-Type": "application/json"}
        )
        authorization = settings.authorization(url)
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            # No redirects: urllib would resend the Authorization header to the new host and turn
            # the POST into a GET without the body, whose answer could read as success.
            with _NO_REDIRECTS.open(request, timeout=settings.request_timeout_seconds) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            detail = _clip(error.read().decode("utf-8", "replace"))
            raise AEFStepFailed(
                f"AEF step {self.aef_job_id} ({self.job_name}): {function} answered HTTP {error.code}: {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise AEFStepFailed(f"AEF step {self.aef_job_id} ({self.job_name}): cannot reach {function}: {reason}") from None
        return _answer_text(raw)

    def _failure(self, function: str, answer: str, why: str) -> AEFStepFailed:
        return AEFStepFailed(f"AEF step {self.aef_job_id} ({self.job_name}): {function} answered {_clip(answer)!r}: {why}")


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


class _Settings:
    """The secret's connection settings, checked; messages name keys, never values."""

    def __init__(self, base_url: str, auth: str, token: str | None, metadata_url: str, request_timeout_seconds: float):
        self.base_url = base_url
        self.auth = auth
        self.token = token
        self.metadata_url = metadata_url
        self.request_timeout_seconds = request_timeout_seconds

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any] | None) -> _Settings:
        if not isinstance(secret, Mapping):
            raise FunctionConfigurationError("AEF executors secret must be a mapping with base_url")
        base_url = secret.get("base_url")
        if not isinstance(base_url, str) or urllib.parse.urlsplit(base_url).scheme not in ("http", "https") or not urllib.parse.urlsplit(base_url).netloc:
            raise FunctionConfigurationError("AEF executors secret key 'base_url' must be an http(s) URL")
        # Credentials go in 'token'; a user:password before '@' would be quoted by error messages.
        if "@" in urllib.parse.urlsplit(base_url).netloc:
            raise FunctionConfigurationError("AEF executors secret key 'base_url' must not carry user info (use auth and token)")
        auth = secret.get("auth", "none")
        if auth not in ("none", "bearer", "google_id_token"):
            raise FunctionConfigurationError("AEF executors secret key 'auth' must be none, bearer or google_id_token")
        token = secret.get("token")
        if auth == "bearer" and (not isinstance(token, str) or not token):
            raise FunctionConfigurationError("AEF executors secret needs key 'token' when auth is bearer")
        metadata_url = secret.get("metadata_url", _DEFAULT_METADATA_URL)
        if not isinstance(metadata_url, str):
            raise FunctionConfigurationError("AEF executors secret key 'metadata_url' must be a URL")
        timeout = secret.get("request_timeout_seconds", _DEFAULT_REQUEST_TIMEOUT_SECONDS)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise FunctionConfigurationError("AEF executors secret key 'request_timeout_seconds' must be a positive number")
        return cls(base_url.rstrip("/"), auth, token, metadata_url, float(timeout))

    def authorization(self, url: str) -> str | None:
        if self.auth == "bearer":
            return f"Bearer {self.token}"
        if self.auth == "google_id_token":
            return f"Bearer {self._identity_token(url)}"
        return None

    def _identity_token(self, audience: str) -> str:
        query = urllib.parse.urlencode({"audience": audience, "format": "full"})
        request = urllib.request.Request(f"{self.metadata_url}?{query}", headers={"Metadata-Flavor": "Google"})
        try:
            with urllib.request.urlopen(request, timeout=self.request_timeout_seconds) as response:
                token = response.read().decode("utf-8").strip()
        except (urllib.error.URLError, OSError) as error:
            raise FunctionConfigurationError(f"cannot get an identity token from the metadata server: {getattr(error, 'reason', error)}") from None
        if not token:
            raise FunctionConfigurationError("the metadata server returned an empty identity token")
        return token


def _answer_text(raw: bytes) -> str:
    """The executor's answer as text: a JSON string is unwrapped, an error object kept as JSON."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    return decoded.strip() if isinstance(decoded, str) else text


def _is_success(answer: str) -> bool:
    return answer.upper() in _SUCCESS_ANSWERS


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_QUOTED_ANSWER else text[:_MAX_QUOTED_ANSWER] + "…"


def _text(kwargs: Mapping[str, Any], name: str) -> str:
    value = kwargs.get(name)
    if not isinstance(value, str):
        raise FunctionParameterError(f"{name} must be a string, got {type(value).__name__}")
    return value


def _function_name(kwargs: Mapping[str, Any], name: str) -> str:
    """A Cloud Function name: one URL path segment, so a name can never reach another path or host."""
    value = _text(kwargs, name)
    if not _FUNCTION_NAME.fullmatch(value) or value in (".", ".."):
        raise FunctionParameterError(f"{name} {value!r} is not a function name (letters, digits, '.', '_', '-')")
    return value


def _number(kwargs: Mapping[str, Any], name: str, *, minimum: float, strictly_above: bool = False) -> float:
    value = kwargs.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise FunctionParameterError(f"{name} must be a number, got {type(value).__name__}")
    if value < minimum or (strictly_above and value == minimum) or value == float("inf"):
        bound = "greater than" if strictly_above else "at least"
        raise FunctionParameterError(f"{name} must be {bound} {minimum:g}, got {value!r}")
    return float(value)

"""##, contract: ##"""
# Contract of AEFExecutorFunction (aef_executor_function.py): what jobc checks at compile time.
# `jobc import aef` writes tasks that use it, one per step of an AEF pipeline definition.
name: AEFExecutorFunction
module: aef_executor_function
class: AEFExecutorFunction
description: >-
  Runs one step of an Analytics Engineering Framework pipeline: POSTs the step to its executor Cloud
  Function at {base_url}/{executor_function} and, for an async step, polls {base_url}/{status_function}
  until the job succeeds, fails or runs out of time. The secret holds base_url and authentication
  (auth: none, bearer with token, or google_id_token).
secret: required
secret_keys: [base_url]
extra_parameters: none
parameters:
  aef_job_id:
    type: string
    required: true
    description: The step's JOB_ID in the AEF definition (for logs and messages).
  job_name:
    type: string
    required: true
    description: The step's JOB_NAME, sent to the executor as job_name.
  step_type:
    type: string
    required: true
    description: sync (the executor answers with the final status) or async (it answers with a job id to poll).
  executor_function:
    type: string
    required: true
    description: The executor function's name (FUNCTION_ID_NAME), appended to base_url.
  status_function:
    type: string
    description: Async steps only, required for them; the function polled for the status (FUNCTION_STATUS_NAME).
  wait_time_seconds:
    type: number
    description: Async steps only, required for them; seconds between two status calls (WAIT_TIME_SECONDS).
  async_timeout_minutes:
    type: number
    description: Async steps only; give up polling after this many minutes (ASYNC_TIMEOUT_LOOP_IN_MINUTES). Default no limit.
  step_properties:
    type: string
    description: AEF's STEP_PROPERTIES, passed to the executor as step_properties.
  workflow_properties:
    type: mapping
    description: Passed to the executor as workflow_properties (AEF's workflow arguments, e.g. Dataform settings). Default {}.

"""##),
        StandardFunction(name: "PostgreSQLFunction", module: "postgres_sql_function", implementation: ##"""
"""Run one SQL file against PostgreSQL in a single transaction.

Task kwargs:

``sql_file_path`` (required)
    Path of the SQL file, relative to the project root. Absolute paths and
    paths that escape the project root are refused.
``use_dict_cursor`` (optional, default ``True``)
    Use a ``RealDictCursor`` (rows as dicts) instead of the tuple cursor.
any other kwarg
    A bind parameter for the SQL file.

The runtime adds the bind parameter ``execution_date`` (the run's logical date
as ``YYYY-MM-DD``), and one bind parameter per run parameter (the job's
``params:``, as resolved for this run: ``ctx.params``). A task may not set
``execution_date`` in its kwargs, and a kwarg named like a run parameter fails
the attempt: which of the two values ``%(name)s`` means would be ambiguous.

Placeholders use psycopg2's *pyformat* style: ``%(name)s``. Because the file is
always executed with parameters, every literal percent sign in the SQL must be
doubled: write ``LIKE 'a%%'`` for ``LIKE 'a%'``.

The whole file runs in ONE transaction: it is committed only if every statement
succeeded and rolled back on any error, so a failed attempt leaves nothing
half-written. The connection is always closed. For the same reason the file
must not contain transaction control (BEGIN/COMMIT/ROLLBACK) of its own.

The secret must be a mapping with the keys ``host``, ``user``, ``password`` and
the database name as ``database`` or ``dbname`` (both may be present only if
they agree). ``port`` is optional: without it libpq's default applies, 5432
(or ``PGPORT`` when the worker sets it). ``sslmode`` and ``connect_timeout``
are optional too. Errors name keys, never values.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

import psycopg2
import psycopg2.extras
from function_abstract import ExecutionContext, Function, FunctionConfigurationError, FunctionParameterError

__all__ = ["PostgreSQLFunction"]

_REQUIRED_SECRET_KEYS = ("host", "user", "password")
_DATABASE_KEYS = ("database", "dbname")
_DEFAULT_CONNECT_TIMEOUT_SECONDS = 10
_RUNTIME_PARAMS = ("execution_date",)


class PostgreSQLFunction(Function):
    required_params = ("sql_file_path",)
    requires_secret = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        params = dict(kwargs)
        self.sql_file_path = str(params.pop("sql_file_path"))
        self.use_dict_cursor = params.pop("use_dict_cursor", True)
        if not isinstance(self.use_dict_cursor, bool):
            raise FunctionParameterError(
                f"use_dict_cursor must be a boolean, got {type(self.use_dict_cursor).__name__}"
            )
        clashes = [name for name in _RUNTIME_PARAMS if name in params]
        if clashes:
            raise FunctionParameterError(
                f"parameter(s) {', '.join(clashes)} are supplied by the runtime and cannot be set in kwargs"
            )
        # Everything left over is a SQL bind parameter.
        self.sql_params: dict[str, Any] = params

    def execute(self, ctx: ExecutionContext) -> dict[str, Any]:
        params = self.bind_parameters(ctx)
        sql = _read_sql(self.resolve_sql_path(ctx.project_root))
        ctx.logger.info(
            "Running SQL file %s for %s (job %s, task %s, attempt %d/%d, parameters: %s)",
            self.sql_file_path,
            ctx.execution_date_str,
            ctx.job_id,
            ctx.task_id,
            ctx.attempt,
            ctx.max_attempts,
            ", ".join(sorted(params)),
        )
        connection = psycopg2.connect(**_connect_kwargs(ctx.secret), application_name=_application_name(ctx))
        try:
            cursor_factory = psycopg2.extras.RealDictCursor if self.use_dict_cursor else None
            with connection.cursor(cursor_factory=cursor_factory) as cursor:
                # psycopg2 opens a transaction implicitly (autocommit is off),
                # so every statement of the file shares it.
                cursor.execute(sql, params)
                rowcount = cursor.rowcount
            connection.commit()
        except BaseException:
            _rollback_quietly(connection, ctx)
            raise
        finally:
            connection.close()
        ctx.logger.info("SQL file %s committed (rowcount %d)", self.sql_file_path, rowcount)
        return {"rowcount": rowcount}

    def bind_parameters(self, ctx: ExecutionContext) -> dict[str, Any]:
        """The kwargs' bind parameters, the run parameters and ``execution_date``."""
        reserved = sorted(name for name in ctx.params if name in _RUNTIME_PARAMS)
        if reserved:
            raise FunctionParameterError(
                f"run parameter(s) {', '.join(reserved)} are supplied by the runtime and cannot be run parameters"
            )
        clashes = sorted(name for name in ctx.params if name in self.sql_params)
        if clashes:
            raise FunctionParameterError(
                f"kwarg(s) {', '.join(clashes)} have the name of a run parameter: %(name)s would be ambiguous; "
                "rename the kwarg or use the run parameter"
            )
        return {**self.sql_params, **ctx.params, "execution_date": ctx.execution_date_str}

    def resolve_sql_path(self, project_root: pathlib.Path) -> pathlib.Path:
        """Absolute path of the SQL file, refusing anything outside the root."""
        relative = pathlib.PurePath(self.sql_file_path)
        if relative.is_absolute():
            raise FunctionParameterError(
                f"sql_file_path must be relative to the project root, got absolute path {self.sql_file_path!r}"
            )
        root = pathlib.Path(project_root).resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root):
            raise FunctionParameterError(
                f"sql_file_path {self.sql_file_path!r} escapes the project root {str(root)!r}"
            )
        return candidate


def _read_sql(path: pathlib.Path) -> str:
    try:
        sql = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FunctionParameterError(f"SQL file not found: {path}") from None
    except IsADirectoryError:
        raise FunctionParameterError(f"SQL file path is a directory: {path}") from None
    if not sql.strip():
        raise FunctionParameterError(f"SQL file is empty: {path}")
    return sql


def _connect_kwargs(secret: Mapping[str, Any] | None) -> dict[str, Any]:
    """psycopg2.connect kwargs from the secret; errors name keys, never values."""
    if not isinstance(secret, Mapping):
        raise FunctionConfigurationError("PostgreSQL secret must be a mapping of connection settings")
    missing = [key for key in _REQUIRED_SECRET_KEYS if secret.get(key) in (None, "")]
    database_keys = [key for key in _DATABASE_KEYS if secret.get(key) not in (None, "")]
    if not database_keys:
        missing.append(" or ".join(_DATABASE_KEYS))
    if missing:
        raise FunctionConfigurationError(f"PostgreSQL secret is missing key(s): {', '.join(missing)}")
    databases = {str(secret[key]) for key in database_keys}
    if len(databases) > 1:
        raise FunctionConfigurationError(
            "PostgreSQL secret names the database twice, as 'database' and 'dbname', with different values; keep one"
        )
    # Other keys are ignored: secret stores often carry metadata next to the
    # connection settings.
    kwargs: dict[str, Any] = {
        "host": str(secret["host"]),
        "dbname": databases.pop(),
        "user": str(secret["user"]),
        "password": str(secret["password"]),
        "connect_timeout": (
            _int_setting(secret, "connect_timeout") if "connect_timeout" in secret else _DEFAULT_CONNECT_TIMEOUT_SECONDS
        ),
    }
    if secret.get("port") not in (None, ""):
        kwargs["port"] = _int_setting(secret, "port")
    if "sslmode" in secret:
        kwargs["sslmode"] = str(secret["sslmode"])
    return kwargs


def _int_setting(secret: Mapping[str, Any], key: str) -> int:
    value = secret[key]
    if isinstance(value, bool):  # bool is an int subclass; True is no port
        raise FunctionConfigurationError(f"PostgreSQL secret key {key!r} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FunctionConfigurationError(f"PostgreSQL secret key {key!r} must be an integer") from None


def _rollback_quietly(connection: Any, ctx: ExecutionContext) -> None:
    # Called while an error is propagating: a failing rollback (e.g. the
    # server went away) must not replace that error. Closing the connection
    # discards the open transaction on the server anyway.
    try:
        connection.rollback()
    except psycopg2.Error as rollback_error:
        ctx.logger.warning("Rollback failed (%s); the connection is closed without commit", rollback_error)


def _application_name(ctx: ExecutionContext) -> str:
    # Shows up in pg_stat_activity, which makes a running task easy to find.
    # PostgreSQL truncates application_name to 63 bytes.
    return f"jobc:{ctx.job_id}:{ctx.task_id}"[:63]

"""##, contract: ##"""
# Contract of PostgreSQLFunction (postgres_sql_function.py): what jobc checks at compile time.
name: PostgreSQLFunction
module: postgres_sql_function
class: PostgreSQLFunction
description: >-
  Runs one SQL file on PostgreSQL in a single transaction. Every kwarg not declared below is bound as
  a pyformat parameter (%(name)s), as are execution_date (YYYY-MM-DD) and every run parameter of the
  job (params:); a kwarg named like a run parameter fails the task (ambiguous). The secret holds host,
  user, password and the database as database or dbname (both only if equal); port is optional
  (libpq's default, 5432), as are sslmode and connect_timeout.
secret: required
secret_keys: [host, user, password, {one_of: [database, dbname]}]
extra_parameters: scalar
# jobc parses the SQL file with PostgreSQL's own parser: syntax errors, unbound %(name)s
# parameters and the tables each task reads and writes are known before deploy.
sql: {parameter: sql_file_path, dialect: postgresql}
parameters:
  sql_file_path:
    type: path
    required: true
    description: The SQL file to run, relative to the project root.
  use_dict_cursor:
    type: boolean
    default: true
    description: Return rows as dictionaries (RealDictCursor).

"""##),
    ]
}
