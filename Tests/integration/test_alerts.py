"""Failure alerts sent by jobc_runtime.run_task, received by real local HTTP and SMTP servers."""

from __future__ import annotations

import datetime
import json
import logging
import socket
import textwrap
import traceback

import psycopg2
import pytest
from alert_receiver import PortInUseError, SMTPReceiver, WebhookReceiver
import jobc_runtime
from jobc_runtime import TaskConfigurationError
from jobc_test_support import run_task_attempt

UTC = datetime.timezone.utc
JOB_ID = "alerting_job"
TASK_ID = "alerting_task"
RUN_ID = "manual__2024-03-01T00:00:00+00:00"


def probe(**overrides):
    """run_task of the database-free ProbeFunction, failing in execute unless told otherwise."""
    arguments = dict(
        job_id=JOB_ID,
        task_id=TASK_ID,
        run_id=RUN_ID,
        execution_date=datetime.datetime(2024, 3, 1, 6, 30, tzinfo=UTC),
        attempt=1,
        max_attempts=1,
        module="recording_functions",
        class_name="ProbeFunction",
        kwargs={"fail_in": "execute"},
        secret_key=None,
    )
    arguments.update(overrides)
    return run_task_attempt(**arguments)


def expected_alert(attempt, max_attempts, error="ProbeFailure: probe failure in execute"):
    return {
        "event": "task_failed",
        "job_id": JOB_ID,
        "task_id": TASK_ID,
        "run_id": RUN_ID,
        "logical_date": "2024-03-01",
        "attempt": attempt,
        "max_attempts": max_attempts,
        "error": error,
    }


@pytest.fixture
def webhook():
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp(jobc_env):
    with SMTPReceiver() as receiver:
        for name, value in receiver.environment().items():
            jobc_env.setenv(name, value)
        jobc_env.delenv("JOBC_ALERT_FROM", raising=False)
        yield receiver


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


@pytest.fixture
def failing_functions(tmp_path, jobc_env):
    """A module of functions that fail the ways engines and users make them fail."""
    (tmp_path / "alert_functions.py").write_text(
        textwrap.dedent(
            '''
            from function_abstract import Function


            class EngineTimeout(BaseException):
                """Like Airflow's AirflowTaskTimeout or Dagster's interrupts: not an Exception."""


            class TimesOut(Function):
                def execute(self, ctx):
                    raise EngineTimeout("task exceeded its timeout of 5 s")


            class Interrupted(Function):
                def execute(self, ctx):
                    raise KeyboardInterrupt()


            class Unprintable(Exception):
                def __str__(self):
                    raise RuntimeError("no message")


            class RaisesUnprintable(Function):
                def execute(self, ctx):
                    raise Unprintable()


            class LongWinded(Function):
                def execute(self, ctx):
                    raise ValueError("first line\\n" + "x" * 5000)
            '''
        ),
        encoding="utf-8",
    )
    jobc_env.syspath_prepend(str(tmp_path))
    return "alert_functions"


# -- webhooks --------------------------------------------------------------------------------


def test_only_the_last_failed_attempt_sends_one_webhook_message(jobc_env, hook_log, webhook):
    on_failure = {"webhooks": [webhook.url], "emails": []}

    for attempt in (1, 2):
        with pytest.raises(RuntimeError, match="probe failure in execute"):
            probe(attempt=attempt, max_attempts=3, on_failure=on_failure)
        # run_task returns only after the POST was answered: nothing can still be on its way.
        assert webhook.requests == []

    with pytest.raises(RuntimeError, match="probe failure in execute") as raised:
        probe(attempt=3, max_attempts=3, on_failure=on_failure)

    assert type(raised.value).__name__ == "ProbeFailure"
    assert webhook.wait_for(1) == [expected_alert(3, 3)]
    [request] = webhook.requests
    assert request.path == "/alerts"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == f"jobc-runtime/{jobc_runtime.__version__}"
    assert json.loads(request.body.decode("utf-8")) == expected_alert(3, 3)
    assert hook_log.hooks()[-1] == "on_failure"


def test_an_attempt_beyond_max_attempts_is_a_last_attempt(jobc_env, hook_log, webhook):
    with pytest.raises(RuntimeError):
        probe(attempt=4, max_attempts=3, on_failure={"webhooks": [webhook.url]})
    assert webhook.messages == [expected_alert(4, 3)]


def test_a_successful_last_attempt_sends_nothing(jobc_env, hook_log, webhook):
    probe(kwargs={}, attempt=3, max_attempts=3, on_failure={"webhooks": [webhook.url], "emails": []})
    assert webhook.requests == []


def test_every_webhook_gets_one_message_and_duplicates_get_one(jobc_env, hook_log):
    with WebhookReceiver() as first, WebhookReceiver() as second:
        with pytest.raises(RuntimeError):
            probe(on_failure={"webhooks": [first.url, second.url, first.url]})
        assert first.messages == [expected_alert(1, 1)]
        assert second.messages == [expected_alert(1, 1)]


def test_an_unreachable_webhook_is_logged_and_does_not_hide_the_task_error(
    jobc_env, hook_log, webhook, closed_port, caplog
):
    caplog.set_level(logging.INFO)
    unreachable_url = f"http://127.0.0.1:{closed_port}/hook/s3cr3t-webhook-token"

    with pytest.raises(RuntimeError, match="probe failure in execute") as raised:
        probe(on_failure={"webhooks": [unreachable_url, webhook.url]})

    assert type(raised.value).__name__ == "ProbeFailure"
    assert raised.value.__context__ is None  # not raised while handling an alert error
    assert webhook.messages == [expected_alert(1, 1)]  # the next webhook still got its message
    [failure_record] = [r for r in caplog.records if "could not be delivered" in r.getMessage()]
    assert failure_record.levelno == logging.ERROR
    assert failure_record.getMessage() == (
        f"failure alert to webhook http://127.0.0.1:{closed_port}/… could not be delivered: "
        "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    # The URL's path may hold a token: it is never logged.
    assert "s3cr3t-webhook-token" not in caplog.text


def test_a_webhook_answering_an_error_status_is_logged(jobc_env, hook_log, caplog):
    import http.server
    import threading

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(RuntimeError, match="probe failure in execute"):
            probe(on_failure={"webhooks": [f"http://127.0.0.1:{server.server_port}/down"]})
    finally:
        server.shutdown()
        server.server_close()
    assert "could not be delivered: HTTP status 503" in caplog.text


def _serve(handler_class):
    import http.server
    import threading

    server = http.server.HTTPServer(("127.0.0.1", 0), handler_class)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_redirecting_webhook_is_not_followed_and_is_logged(jobc_env, hook_log, caplog, webhook):
    # urllib would follow a 302 as a GET without the message (and an Authorization header to
    # another host): the alert would be logged as sent while nobody received it.
    import http.server

    target = webhook.url

    class Redirecting(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = _serve(Redirecting)
    try:
        with pytest.raises(RuntimeError, match="probe failure in execute"):
            probe(on_failure={"webhooks": [f"http://127.0.0.1:{server.server_port}/old"]})
    finally:
        server.shutdown()
        server.server_close()
    assert "could not be delivered: HTTP status 302" in caplog.text
    assert webhook.requests == []


def test_a_receiver_answering_byte_by_byte_cannot_hold_the_task(jobc_env, hook_log, caplog, monkeypatch):
    import http.server
    import time

    class Dripping(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(40):  # one header byte every 0.25 s: every read is well within the timeout
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.25)

        def log_message(self, *args):
            pass

    monkeypatch.setattr(jobc_runtime.alerts, "ALERTS_DEADLINE_SECONDS", 2)
    server = _serve(Dripping)
    started = time.monotonic()
    try:
        with pytest.raises(RuntimeError, match="probe failure in execute"):
            probe(on_failure={"webhooks": [f"http://127.0.0.1:{server.server_port}/slow"]})
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert elapsed < 6, elapsed
    assert "failure alerts not all delivered within 2 s" in caplog.text


# -- which failures count ----------------------------------------------------------------------


def test_an_engine_timeout_raised_as_base_exception_is_reported(jobc_env, failing_functions, webhook):
    with pytest.raises(BaseException, match="exceeded its timeout") as raised:
        probe(module=failing_functions, class_name="TimesOut", kwargs={}, on_failure={"webhooks": [webhook.url]})

    assert type(raised.value).__name__ == "EngineTimeout"
    assert webhook.messages == [expected_alert(1, 1, "EngineTimeout: task exceeded its timeout of 5 s")]


def test_an_interrupted_process_sends_no_alert(jobc_env, failing_functions, webhook):
    with pytest.raises(KeyboardInterrupt):
        probe(module=failing_functions, class_name="Interrupted", kwargs={}, on_failure={"webhooks": [webhook.url]})
    assert webhook.requests == []


def test_a_function_that_cannot_be_loaded_fails_the_task_and_is_reported(jobc_env, webhook):
    with pytest.raises(Exception, match="not found"):
        probe(module="no_such_function_module", on_failure={"webhooks": [webhook.url]})
    [message] = webhook.messages
    assert message["error"].startswith("FunctionLoadError: function module 'no_such_function_module' not found in ")


def test_the_error_text_is_kept_whole_up_to_2000_characters(jobc_env, failing_functions, webhook):
    with pytest.raises(ValueError):
        probe(module=failing_functions, class_name="LongWinded", kwargs={}, on_failure={"webhooks": [webhook.url]})
    error = webhook.messages[0]["error"]
    assert len(error) == 2000
    assert error.startswith("ValueError: first line\nxxx")
    assert error.endswith("x…")


def test_an_error_whose_message_cannot_be_read_is_still_reported_and_reraised(jobc_env, failing_functions, webhook):
    with pytest.raises(Exception) as raised:
        probe(
            module=failing_functions, class_name="RaisesUnprintable", kwargs={}, on_failure={"webhooks": [webhook.url]}
        )
    assert type(raised.value).__name__ == "Unprintable"
    assert webhook.messages[0]["error"] == "Unprintable: (the error's message could not be read)"


def test_a_failed_database_login_reports_the_error_without_the_password(
    jobc_env, clean_db, tmp_path, webhook, smtp, caplog
):
    caplog.set_level(logging.DEBUG)
    password = "s3cr3t-wrong-password-1234"
    (tmp_path / "wrong.json").write_text(json.dumps({**clean_db.credentials(), "password": password}))
    jobc_env.setenv("JOBC_SECRET_DIR", str(tmp_path))

    with pytest.raises(psycopg2.OperationalError) as raised:
        probe(
            module="postgres_sql_function",
            class_name="PostgreSQLFunction",
            kwargs={"sql_file_path": "orchestration/sql/seed_source.sql"},
            secret_key="wrong",
            on_failure={"webhooks": [webhook.url], "emails": ["oncall@example.com"]},
        )

    [message] = webhook.messages
    assert message["error"].startswith("OperationalError: ")
    assert "password authentication failed" in message["error"]
    [mail] = smtp.wait_for(1)
    for text in (json.dumps(message), mail.as_string(), caplog.text, "".join(traceback.format_exception(raised.value))):
        assert password not in text
        assert clean_db.password not in text


# -- e-mail ----------------------------------------------------------------------------------


def test_the_last_failed_attempt_sends_one_email_to_all_addresses(jobc_env, hook_log, smtp):
    on_failure = {"webhooks": [], "emails": ["oncall@example.com", "owner@example.com", "oncall@example.com"]}

    with pytest.raises(RuntimeError):
        probe(attempt=1, max_attempts=2, on_failure=on_failure)
    assert smtp.messages == []

    with pytest.raises(RuntimeError, match="probe failure in execute"):
        probe(attempt=2, max_attempts=2, on_failure=on_failure)

    [mail] = smtp.wait_for(1)
    [envelope] = smtp.envelopes
    assert envelope.mail_from == "jobc@localhost"
    assert envelope.recipients == ("oncall@example.com", "owner@example.com")
    assert mail["From"] == "jobc@localhost"
    assert mail["To"] == "oncall@example.com, owner@example.com"
    assert mail["Subject"] == f"jobc: task {TASK_ID} of job {JOB_ID} failed (run {RUN_ID})"
    body = mail.get_content()
    for fact in (
        f"job_id: {JOB_ID}",
        f"task_id: {TASK_ID}",
        f"run_id: {RUN_ID}",
        "logical_date: 2024-03-01",
        "attempt: 2 of 2",
        "error: ProbeFailure: probe failure in execute",
    ):
        assert fact in body


def test_the_sender_is_configurable_and_a_run_id_cannot_add_headers(jobc_env, hook_log, smtp):
    jobc_env.setenv("JOBC_ALERT_FROM", "alerts@example.org")
    run_id = "manual\r\nBcc: attacker@example.com"

    with pytest.raises(RuntimeError):
        probe(run_id=run_id, on_failure={"emails": ["oncall@example.com"]})

    [mail] = smtp.wait_for(1)
    assert mail["From"] == "alerts@example.org"
    assert mail["Bcc"] is None
    assert mail["Subject"] == f"jobc: task {TASK_ID} of job {JOB_ID} failed (run manual Bcc: attacker@example.com)"
    assert smtp.envelopes[0].recipients == ("oncall@example.com",)


def test_an_unreachable_smtp_server_is_logged_and_webhooks_still_get_the_alert(
    jobc_env, hook_log, webhook, closed_port, caplog
):
    jobc_env.setenv("JOBC_SMTP_HOST", "127.0.0.1")
    jobc_env.setenv("JOBC_SMTP_PORT", str(closed_port))

    with pytest.raises(RuntimeError, match="probe failure in execute"):
        probe(on_failure={"webhooks": [webhook.url], "emails": ["oncall@example.com"]})

    assert webhook.messages == [expected_alert(1, 1)]
    assert "failure alert e-mail to 1 address(es) could not be sent: ConnectionRefusedError" in caplog.text


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_failure", "message"),
    [
        (["http://127.0.0.1/x"], "on_failure must be a mapping"),
        ({"webhook": ["http://127.0.0.1/x"]}, "unknown key\\(s\\): webhook \\(expected: webhooks, emails\\)"),
        ({"webhooks": "http://127.0.0.1/x"}, "on_failure webhooks must be a list of strings, got str"),
        ({"webhooks": [None]}, "must be a list of non-empty strings"),
        ({"webhooks": ["file:///etc/passwd"]}, "is not an http or https URL"),
        ({"webhooks": ["https:///no-host"]}, "is not an http or https URL"),
        ({"webhooks": ["https://hook:s3cret@127.0.0.1/x"]}, "carries user info, spaces or control characters"),
        ({"webhooks": ["https://127.0.0.1/x y"]}, "carries user info, spaces or control characters"),
        ({"emails": ["not-an-address"]}, "'not-an-address' is not an e-mail address"),
        ({"emails": ["a@example.com\r\nBcc: b@example.com"]}, "is not an e-mail address"),
        ({"emails": ["a@example.com, b@example.com"]}, "is not an e-mail address"),
    ],
)
def test_a_malformed_on_failure_is_refused_before_anything_runs(jobc_env, hook_log, on_failure, message):
    with pytest.raises(TaskConfigurationError, match=message):
        probe(on_failure=on_failure)
    assert hook_log.hooks() == []


def test_no_alerts_configured_means_nothing_is_sent(jobc_env, hook_log, webhook):
    for on_failure in (None, {}, {"webhooks": [], "emails": []}):
        with pytest.raises(RuntimeError):
            probe(on_failure=on_failure)
    assert webhook.requests == []


# -- the receivers themselves ------------------------------------------------------------------


def test_a_receiver_on_a_busy_port_is_a_clear_error():
    with WebhookReceiver() as webhook:
        with pytest.raises(PortInUseError, match=f"port {webhook.port} on 127.0.0.1 is already in use"):
            with WebhookReceiver(port=webhook.port):
                pass
        with pytest.raises(PortInUseError, match="SMTPReceiver: port"):
            with SMTPReceiver(port=webhook.port):
                pass


def test_wait_for_times_out_naming_what_arrived():
    with WebhookReceiver() as webhook:
        with pytest.raises(TimeoutError, match="expected 1 webhook message\\(s\\) within 0.2 s, received 0"):
            webhook.wait_for(1, timeout=0.2)
