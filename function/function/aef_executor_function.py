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
