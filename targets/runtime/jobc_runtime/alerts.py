"""Failure alerts: what run_task sends when a task's last attempt failed (docs/orchestration-features.md).

One ``POST`` per webhook (a JSON body) and one e-mail to all addresses. Sending never raises: an
alert that cannot be delivered is logged and the task's own error still propagates. Logs name a
webhook by its scheme and host only (webhook URLs often carry a token in their path) and never
include an alert's body.

The ``error`` text is ``"<ExceptionType>: <message>"`` of the exception that failed the attempt.
The runtime's own errors never contain secret values; what a function puts into its exceptions'
messages is the function's responsibility (``PostgreSQLFunction`` passes on psycopg2's messages,
which never contain the password).
"""

from __future__ import annotations

import datetime
import email.message
import json
import logging
import os
import re
import smtplib
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import TaskDefinitionError
from .version import VERSION

SMTP_HOST_ENV = "JOBC_SMTP_HOST"
SMTP_PORT_ENV = "JOBC_SMTP_PORT"
ALERT_FROM_ENV = "JOBC_ALERT_FROM"
DEFAULT_SMTP_HOST = "localhost"
DEFAULT_SMTP_PORT = 25
DEFAULT_ALERT_FROM = "jobc@localhost"

TIMEOUT_SECONDS = 10
# All of one failure's alerts together: see send_failure_alerts.
ALERTS_DEADLINE_SECONDS = 30
_MAX_RESPONSE_BYTES = 64 * 1024
MAX_ERROR_CHARS = 2000
USER_AGENT = f"jobc-runtime/{VERSION}"
_ALERT_KEYS = ("webhooks", "emails")
_WEBHOOK_SCHEMES = ("http", "https")
# Header values must stay on one line: a run id typed by a user could otherwise add headers.
_LINE_BREAKS = re.compile(r"[\r\n\x00-\x1f\x7f]+")
# Deliberately simple: one address, no display name, nothing that could split a header into two.
_EMAIL_ADDRESS = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")


@dataclass(frozen=True)
class FailureAlerts:
    """Where to report a task's final failure: webhook URLs and e-mail addresses."""

    webhooks: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.webhooks and not self.emails


@dataclass(frozen=True)
class TaskFailure:
    """The facts an alert reports."""

    job_id: str
    task_id: str
    run_id: str
    logical_date: datetime.date
    attempt: int
    max_attempts: int
    error: str

    def webhook_body(self) -> dict[str, Any]:
        return {
            "event": "task_failed",
            "job_id": self.job_id,
            "task_id": self.task_id,
            "run_id": self.run_id,
            "logical_date": self.logical_date.isoformat(),
            "attempt": self.attempt,
            "max_attempts": self.max_attempts,
            "error": self.error,
        }


def failure_alerts(on_failure: Mapping[str, Any] | None) -> FailureAlerts:
    """Validate the IR's ``onFailure`` object (``{"webhooks": [...], "emails": [...]}``, either list
    may be missing or empty; None means no alerts). Raises TaskDefinitionError on a bad shape."""
    if on_failure is None:
        return FailureAlerts()
    if not isinstance(on_failure, Mapping):
        raise TaskDefinitionError(
            f'on_failure must be a mapping {{"webhooks": [...], "emails": [...]}}, got {type(on_failure).__name__}'
        )
    unknown = sorted(str(key) for key in on_failure if key not in _ALERT_KEYS)
    if unknown:
        raise TaskDefinitionError(
            f"on_failure has unknown key(s): {', '.join(unknown)} (expected: {', '.join(_ALERT_KEYS)})"
        )
    webhooks = _string_list(on_failure, "webhooks")
    for url in webhooks:
        parsed = urllib.parse.urlsplit(url)
        # urllib would also open file:// and ftp:// URLs.
        if parsed.scheme.lower() not in _WEBHOOK_SCHEMES or not parsed.hostname:
            raise TaskDefinitionError(
                f"on_failure webhook {_describe_url(url)} is not an http or https URL with a host"
            )
        # A password before '@' would end up in error messages; whitespace or control characters
        # make urllib fail with the URL in its message. jobc refuses both at compile time too.
        if "@" in parsed.netloc or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
            raise TaskDefinitionError(
                f"on_failure webhook {_describe_url(url)} carries user info, spaces or control characters"
            )
    emails = _string_list(on_failure, "emails")
    for address in emails:
        if not _EMAIL_ADDRESS.fullmatch(address):
            raise TaskDefinitionError(f"on_failure e-mail {address!r} is not an e-mail address")
    return FailureAlerts(webhooks=_unique(webhooks), emails=_unique(emails))


def error_text(error: BaseException) -> str:
    """``"<ExceptionType>: <message>"``, at most MAX_ERROR_CHARS characters."""
    try:
        message = str(error).rstrip()
    except Exception:  # a broken __str__ must not replace the error being reported
        message = "(the error's message could not be read)"
    text = f"{type(error).__name__}: {message}"
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 1] + "…"
    return text


def send_failure_alerts(alerts: FailureAlerts, failure: TaskFailure, logger: logging.Logger) -> None:
    """Send every alert; log (and swallow) whatever goes wrong. Returns within
    ALERTS_DEADLINE_SECONDS: a receiver that answers byte by byte cannot hold the task (the socket
    timeout bounds each read, not a whole request), whatever is still sending is abandoned."""
    sender = threading.Thread(target=_send_all, args=(alerts, failure, logger), name="jobc-failure-alerts", daemon=True)
    sender.start()
    sender.join(ALERTS_DEADLINE_SECONDS)
    if sender.is_alive():
        logger.error("failure alerts not all delivered within %d s; the rest is abandoned", ALERTS_DEADLINE_SECONDS)


def _send_all(alerts: FailureAlerts, failure: TaskFailure, logger: logging.Logger) -> None:
    for url in alerts.webhooks:
        try:
            _post_webhook(url, failure)
        except Exception as error:  # an alert must never hide the task's own error
            logger.error(
                "failure alert to webhook %s could not be delivered: %s", _describe_url(url), _describe_error(error)
            )
        else:
            logger.info("failure alert sent to webhook %s", _describe_url(url))
    if alerts.emails:
        try:
            _send_email(alerts.emails, failure)
        except Exception as error:
            logger.error(
                "failure alert e-mail to %d address(es) could not be sent: %s",
                len(alerts.emails),
                _describe_error(error),
            )
        else:
            logger.info("failure alert e-mailed to %s", ", ".join(alerts.emails))


def _post_webhook(url: str, failure: TaskFailure) -> None:
    body = json.dumps(failure.webhook_body(), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    # Raises HTTPError for any status >= 300: a redirect is not followed (urllib would turn the POST
    # into a GET without the message and report success).
    with _NO_REDIRECTS.open(request, timeout=TIMEOUT_SECONDS) as response:
        response.read(_MAX_RESPONSE_BYTES)


def _send_email(addresses: Sequence[str], failure: TaskFailure) -> None:
    sender = os.environ.get(ALERT_FROM_ENV) or DEFAULT_ALERT_FROM
    host = os.environ.get(SMTP_HOST_ENV) or DEFAULT_SMTP_HOST
    port_text = os.environ.get(SMTP_PORT_ENV) or str(DEFAULT_SMTP_PORT)
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"{SMTP_PORT_ENV}={port_text!r} is not a port number") from None
    message = email.message.EmailMessage()
    message["Subject"] = _one_line(
        f"jobc: task {failure.task_id} of job {failure.job_id} failed (run {failure.run_id})"
    )
    message["From"] = sender
    message["To"] = ", ".join(addresses)
    message["User-Agent"] = USER_AGENT
    # quoted-printable: 7-bit clean whatever the error text holds, so any SMTP server relays it.
    message.set_content(_email_body(failure), cte="quoted-printable")
    with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message, from_addr=sender, to_addrs=list(addresses))


def _email_body(failure: TaskFailure) -> str:
    return (
        f"Task {failure.task_id} of job {failure.job_id} failed at its last attempt.\n"
        "\n"
        f"job_id: {failure.job_id}\n"
        f"task_id: {failure.task_id}\n"
        f"run_id: {failure.run_id}\n"
        f"logical_date: {failure.logical_date.isoformat()}\n"
        f"attempt: {failure.attempt} of {failure.max_attempts}\n"
        f"error: {failure.error}\n"
    )


def _string_list(on_failure: Mapping[str, Any], key: str) -> list[str]:
    value = on_failure.get(key)
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TaskDefinitionError(f"on_failure {key} must be a list of strings, got {type(value).__name__}")
    wrong = [type(item).__name__ for item in value if not isinstance(item, str) or not item]
    if wrong:
        raise TaskDefinitionError(
            f"on_failure {key} must be a list of non-empty strings, got an item of type {wrong[0]}"
        )
    return list(value)


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def _describe_url(url: str) -> str:
    """Scheme and host of a webhook URL: its path and query may hold a token."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
        port = parsed.port
    except ValueError:
        return "(unparsable URL)"
    if not parsed.scheme or not host:
        return "(not a URL)"
    return f"{parsed.scheme}://{host}{f':{port}' if port else ''}/…"


def _describe_error(error: BaseException) -> str:
    # HTTPError and URLError messages never include the URL; the full URL is not logged. Other
    # errors (e.g. http.client.InvalidURL) may quote the URL: only their type is logged.
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP status {error.code}"
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        return f"{type(reason).__name__}: {reason}" if isinstance(reason, BaseException) else f"URLError: {reason}"
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913 (urllib's signature)
        return None  # urllib then raises HTTPError with the 3xx status


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)
