"""Per-op time limit. Dagster has run-level limits only (the ``dagster/max_runtime``
tag, enforced by the run monitoring daemon), so the adapter enforces a task's
``timeout`` itself.

It uses SIGALRM, which works in the thread that runs Dagster's op compute for
the in-process executor (``execute_in_process``) and the multiprocess executor
(each step in its own process): both run it on the main thread. When the op
runs anywhere else (another thread, or a platform without SIGALRM) the limit
cannot be enforced; a warning is logged and the op runs unbounded.

Like any signal-based limit (Airflow's ``execution_timeout`` included), the
TimeoutError is raised between Python bytecodes: a call blocked inside C code
(e.g. a long SQL statement in libpq) is interrupted only when that call returns.
Functions should also set server-side limits (PostgreSQL ``statement_timeout``).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str, logger: logging.Logger) -> Iterator[None]:
    """Raise ``TimeoutError("<what> timed out after N seconds")`` in the body after ``seconds``."""
    if seconds is None:
        yield
        return
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        logger.warning(
            "%s: timeout of %gs NOT enforced: the op is not running on the main thread "
            "(only there can SIGALRM interrupt it)",
            what,
            seconds,
        )
        yield
        return

    armed = True

    def on_alarm(signum, frame):
        # The body may have finished just as the timer fired: never fail it then.
        if armed:
            raise TimeoutError(f"{what} timed out after {seconds:g} seconds")

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:
            # Someone else's timer was running: give it back what is left of it.
            remaining = max(previous_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)
