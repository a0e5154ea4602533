"""One attempt of a task in a child process of its own, for the executors that run attempts
themselves (jobc_local for ``jobc run``, jobc_cloud_workflows).

Why a process: a task's timeout must stop the function and whatever it started, and only a separate
process group can be killed whole. Both executors speak the same small protocol with the child
(``python -m <executor package>.attempt``), so both sides of it live here:

- the executor writes the request as one JSON line on the child's stdin, with ``result_fd`` (the
  write end of a pipe) added, and keeps stdin open;
- the child writes its outcome, ``{"outcome": "success"}`` or ``{"outcome": "failed", "error":
  "<Type>: <message>"}``, to ``result_fd``; when its stdin closes (the executor closed it, or is
  gone) the child kills its own process group, so no attempt outlives its executor.

What differs between the executors (what stops an attempt besides its timeout, how often the wait
looks, where the output goes, how the request becomes a ``run_task`` call) stays with them.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import pathlib
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

# The outcomes a child may report; anything else on the pipe counts as no outcome.
_OUTCOMES = ("success", "failed")


def start_attempt(entry_module: str, request: Mapping[str, Any], *, environment: Mapping[str, str] | None = None,
                  output: int | None = None, cwd: str | None = None) -> tuple[subprocess.Popen, int]:
    """Start ``python -m entry_module`` in a new session (its own process group, so a timeout can
    kill everything the function started) and send it ``request``; returns the child and the read
    end of the pipe its outcome comes through (the caller closes it, and the child's stdin).

    ``environment`` is added to this process's environment; ``output``, a file descriptor, takes the
    child's stdout and stderr (None: they stay this process's)."""
    read_end, write_end = os.pipe()
    child_environment = dict(os.environ)
    child_environment.update(environment or {})
    child_environment["PYTHONPATH"] = os.pathsep.join(
        [*_search_path(entry_module.partition(".")[0]), *filter(None, [os.environ.get("PYTHONPATH")])])
    try:
        child = subprocess.Popen([sys.executable, "-m", entry_module], stdin=subprocess.PIPE, stdout=output,
                                 stderr=output, pass_fds=(write_end,), start_new_session=True, env=child_environment,
                                 cwd=cwd)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    try:
        child.stdin.write(json.dumps({**request, "result_fd": write_end}, ensure_ascii=False).encode("utf-8") + b"\n")
        child.stdin.flush()
    except BrokenPipeError:
        pass  # the child died at once: its exit code says how
    return child, read_end


@functools.cache
def _search_path(package: str) -> list[str]:
    """Where the child finds the executor's package and jobc_runtime: the very code this process
    runs, whatever the child's working directory and sys.path would find first."""
    modules = (sys.modules[package], sys.modules[__package__])
    return list(dict.fromkeys(str(pathlib.Path(module.__file__).resolve().parents[1]) for module in modules))


def read_result(descriptor: int) -> dict[str, Any] | None:
    """The outcome the child wrote to the pipe, or None when it wrote none (it died, or was killed)."""
    # Non-blocking: a process the function started may still hold the pipe open.
    os.set_blocking(descriptor, False)
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    try:
        result = json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError:
        return None
    return result if isinstance(result, dict) and result.get("outcome") in _OUTCOMES else None


def signal_group(child: subprocess.Popen, number: int) -> None:
    """Send ``number`` to the attempt's whole process group (the function's own children too)."""
    try:
        os.killpg(child.pid, number)
    except ProcessLookupError:
        pass  # the group has already ended


def kill_group(child: subprocess.Popen) -> None:
    """SIGKILL the attempt's process group and reap the child."""
    signal_group(child, signal.SIGKILL)
    child.wait()


def exit_description(code: int) -> str:
    """A Popen return code in words, for the error of an attempt that ended without an outcome."""
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


def run_attempt(run: Callable[[dict[str, Any]], dict[str, Any]], log_format: str) -> int:
    """The child's whole life: read the request, watch stdin, log to stderr, ``run(request)`` and
    write the outcome it returns to ``result_fd``. The entry point of ``<executor>.attempt``."""
    request = json.loads(read_line(sys.stdin.fileno()))
    threading.Thread(target=_die_with_the_executor, name="jobc-attempt-watchdog", daemon=True).start()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=log_format)
    outcome = run(request)
    with os.fdopen(request["result_fd"], "w", encoding="utf-8") as result:
        result.write(json.dumps(outcome, ensure_ascii=False))
    return 0


def read_line(descriptor: int) -> bytes:
    """The first line on ``descriptor``, read unbuffered: nothing is sent after it, a watchdog reads
    on from the same descriptor, and a buffered reader a daemon thread holds at exit aborts the
    interpreter."""
    chunks: list[bytes] = []
    while not chunks or not chunks[-1].endswith(b"\n"):
        chunk = os.read(descriptor, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _die_with_the_executor() -> None:
    while os.read(sys.stdin.fileno(), 4096):
        pass  # nothing more is sent; end of file means the executor closed stdin or is gone
    os.killpg(os.getpgrp(), signal.SIGKILL)
