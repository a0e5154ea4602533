"""The state directory: small JSON files that every executor process serving a run shares.

Nothing here relies on a process's memory: several processes (Cloud Run instances sharing a Cloud
Storage volume) read and write the same folder. A record is either replaced whole (temp file +
rename: a progress record) or written once, first writer wins (``O_EXCL``: a decision, a claim, an
outcome). On Cloud Storage FUSE a file becomes visible when it is closed and a second creator's
close fails (precondition), so the loser of a race finds out either at open or at close.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import tempfile
import threading
import time
import uuid
from typing import Any

STATE_DIR_ENV = "JOBC_EXECUTOR_STATE_DIR"
DEFAULT_FOLDER = "jobc-executor"
# How long a reader waits for a write-once record that exists to become readable (its writer is
# between create and close) before calling the state broken.
SETTLE_SECONDS = 10.0
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_PREFIX_CHARS = 40

# Wakes waiters in this process as soon as it writes something; other processes' writes are seen
# by polling.
_changed = threading.Condition()


class StateError(RuntimeError):
    """The state directory holds something it cannot: a record that never becomes readable."""


def state_root() -> pathlib.Path:
    configured = os.environ.get(STATE_DIR_ENV)
    return pathlib.Path(configured) if configured else pathlib.Path(tempfile.gettempdir()) / DEFAULT_FOLDER


def safe_name(text: str) -> str:
    """A file name for any string: a readable prefix plus a hash (distinct texts, distinct names)."""
    prefix = _SAFE.sub("_", text)[:_PREFIX_CHARS].strip("._") or "x"
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def read_json(path: pathlib.Path) -> Any:
    """The record at ``path``; None when it does not exist or is not (yet) complete JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def write_json(path: pathlib.Path, record: Any) -> None:
    """Replace the record at ``path`` whole: readers see the old record or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(_text(record), encoding="utf-8")
    os.replace(temporary, path)
    _notify()


def write_once(path: pathlib.Path, record: Any) -> tuple[Any, bool]:
    """Create the record at ``path`` unless it exists. Returns the record that is stored (this one,
    or the one another writer stored first) and whether this call stored it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return _settled(path), False
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(_text(record))
    except OSError:
        # Cloud Storage FUSE: another instance created the object first (ESTALE at close).
        return _settled(path), False
    _notify()
    return record, True


def wait_for_change(seconds: float) -> None:
    """Sleep up to ``seconds``; return early when this process writes a record."""
    if seconds <= 0:
        return
    with _changed:
        _changed.wait(seconds)


def _settled(path: pathlib.Path) -> Any:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        record = read_json(path)
        if record is not None:
            return record
        if time.monotonic() >= deadline:
            raise StateError(f"{path} exists but holds no complete record after {SETTLE_SECONDS:g} s")
        time.sleep(0.05)


def _notify() -> None:
    with _changed:
        _changed.notify_all()


def _text(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True)
