"""Real, local receivers for jobc's failure alerts: an HTTP server for webhooks and a tiny SMTP server.

Both bind 127.0.0.1 (port 0: a free port), run in a background thread while used as a context
manager, and record what they receive, so a test can check the alerts a task sent through the
network exactly as a real receiver would get them. Standard library only.

    with WebhookReceiver() as webhook, SMTPReceiver() as smtp:
        ...  # run something with on_failure {"webhooks": [webhook.url], ...}, env smtp.environment()
        [alert] = webhook.wait_for(1)
        [mail] = smtp.wait_for(1)
"""

from __future__ import annotations

import dataclasses
import email.message
import email.parser
import email.policy
import errno
import http.server
import json
import socketserver
import threading
import time
from typing import Any

HOST = "127.0.0.1"


class PortInUseError(OSError):
    """The fixed port a receiver was asked to listen on is taken."""


@dataclasses.dataclass(frozen=True)
class ReceivedRequest:
    """One HTTP POST as the webhook receiver got it."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass(frozen=True)
class Envelope:
    """The SMTP envelope of one delivered message (MAIL FROM and RCPT TO)."""

    mail_from: str
    recipients: tuple[str, ...]


class _Recorder:
    """A list that several threads append to and one waits on."""

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._changed = threading.Condition()

    def append(self, item: Any) -> None:
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[Any]:
        with self._changed:
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()

    def wait_for(self, count: int, timeout: float, what: str) -> list[Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._items) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} {what} within {timeout:g} s, received {len(self._items)}: {self._items!r}"
                    )
                self._changed.wait(remaining)
            return list(self._items)


class _BackgroundServer:
    """Runs a socketserver in a daemon thread between __enter__ and __exit__."""

    def __init__(self, port: int) -> None:
        self._requested_port = port
        self._server: socketserver.BaseServer | None = None
        self._thread: threading.Thread | None = None

    def _make_server(self, address: tuple[str, int]) -> socketserver.BaseServer:
        raise NotImplementedError

    def __enter__(self):
        try:
            self._server = self._make_server((HOST, self._requested_port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    error.errno, f"{type(self).__name__}: port {self._requested_port} on {HOST} is already in use"
                ) from error
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"{type(self).__name__}-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running: use it as a context manager")
        return self._server.server_address[1]


class _ThreadingHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR: the fixed port binds again while the previous receiver's closed connections sit
    # in TIME_WAIT (this server closes first after each answer, so a test right after one that got
    # alerts would otherwise wait a minute). A port another receiver *listens* on still fails with
    # EADDRINUSE on Linux (SO_REUSEPORT would share it; it stays off).
    allow_reuse_address = True


class WebhookReceiver(_BackgroundServer):
    """An HTTP server on 127.0.0.1 that answers 200 to a POST on any path and records its JSON body.

    ``.messages``: the decoded JSON bodies, in arrival order; ``.requests``: every POST (path, headers,
    raw body), including any whose body is not JSON (answered 400, not in ``.messages``).
    """

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self._messages = _Recorder()
        self._requests = _Recorder()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/alerts"

    @property
    def messages(self) -> list[Any]:
        return self._messages.snapshot()

    @property
    def requests(self) -> list[ReceivedRequest]:
        return self._requests.snapshot()

    def wait_for(self, count: int, timeout: float = 10) -> list[Any]:
        """The messages once at least ``count`` have arrived; TimeoutError after ``timeout`` seconds."""
        return self._messages.wait_for(count, timeout, "webhook message(s)")

    def clear(self) -> None:
        self._messages.clear()
        self._requests.clear()

    def _make_server(self, address):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver._requests.append(ReceivedRequest(self.path, dict(self.headers.items()), body))
                try:
                    message = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    self.send_response(400)
                else:
                    receiver._messages.append(message)
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: pytest output is for failures."""

        return _ThreadingHTTPServer(address, Handler)


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True  # as _ThreadingHTTPServer: past TIME_WAIT, never onto a listening port


class SMTPReceiver(_BackgroundServer):
    """A minimal SMTP server on 127.0.0.1 (HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no auth, no
    TLS) that records every delivered message as an ``email.message.EmailMessage``.

    ``.messages``: the messages in arrival order; ``.envelopes``: their MAIL FROM / RCPT TO.
    """

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self._messages = _Recorder()
        self._envelopes = _Recorder()

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return self._messages.snapshot()

    @property
    def envelopes(self) -> list[Envelope]:
        return self._envelopes.snapshot()

    def environment(self) -> dict[str, str]:
        """What jobc_runtime reads to find the SMTP server."""
        return {"JOBC_SMTP_HOST": self.host, "JOBC_SMTP_PORT": str(self.port)}

    def wait_for(self, count: int, timeout: float = 10) -> list[email.message.EmailMessage]:
        """The messages once at least ``count`` have arrived; TimeoutError after ``timeout`` seconds."""
        return self._messages.wait_for(count, timeout, "e-mail(s)")

    def clear(self) -> None:
        self._messages.clear()
        self._envelopes.clear()

    def _make_server(self, address):
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def setup(self) -> None:
                super().setup()
                self.mail_from: str | None = None
                self.recipients: list[str] = []

            def reply(self, line: str) -> None:
                self.wfile.write(line.encode("ascii") + b"\r\n")
                self.wfile.flush()

            def handle(self) -> None:
                self.reply(f"220 {HOST} jobc test SMTP receiver")
                while line := self.rfile.readline():
                    command, _, argument = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
                    verb = command.upper()
                    if verb == "EHLO":
                        self.reply(f"250-{HOST}")
                        self.reply("250-8BITMIME")
                        self.reply("250 SMTPUTF8")
                    elif verb in ("HELO", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "RSET":
                        self.mail_from, self.recipients = None, []
                        self.reply("250 OK")
                    elif verb == "MAIL" and argument.upper().startswith("FROM:"):
                        self.mail_from, self.recipients = _address(argument[5:]), []
                        self.reply("250 OK")
                    elif verb == "RCPT" and argument.upper().startswith("TO:"):
                        if self.mail_from is None:
                            self.reply("503 MAIL first")
                        else:
                            self.recipients.append(_address(argument[3:]))
                            self.reply("250 OK")
                    elif verb == "DATA":
                        if not self.recipients:
                            self.reply("503 RCPT first")
                            continue
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = self.read_data()
                        if data is None:
                            return
                        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(data)
                        receiver._envelopes.append(Envelope(self.mail_from or "", tuple(self.recipients)))
                        receiver._messages.append(message)
                        self.mail_from, self.recipients = None, []
                        self.reply("250 OK queued")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

            def read_data(self) -> bytes | None:
                lines: list[bytes] = []
                while line := self.rfile.readline():
                    if line in (b".\r\n", b".\n"):
                        return b"".join(lines)
                    # RFC 5321 4.5.2: a leading dot was doubled by the sender.
                    lines.append(line[1:] if line.startswith(b".") else line)
                return None  # the client went away mid-message

        return _ThreadingTCPServer(address, Handler)


def _address(text: str) -> str:
    """``<a@b> SIZE=12`` -> ``a@b``."""
    path = text.strip().split(" ", 1)[0]
    return path[1:-1] if path.startswith("<") and path.endswith(">") else path
