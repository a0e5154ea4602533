"""The call log: one JSON line per finished attempt, in the file named by JOBC_EXECUTOR_CALL_LOG.

How a local test learns which tasks ran and how often (unset in the cloud, where Cloud Logging has
the same). Written by the runner when an attempt ended, timed-out and stopped attempts included.
"""

from __future__ import annotations

import json
import os
import threading

from .run_state import Run, Unit

CALL_LOG_ENV = "JOBC_EXECUTOR_CALL_LOG"

_lock = threading.Lock()


def record(run: Run, unit: Unit, attempt: int, outcome: str) -> None:
    path = os.environ.get(CALL_LOG_ENV)
    if not path:
        return
    definition = unit.task.definition
    entry = {
        "job_id": definition.job_id,
        "task_id": definition.task_id,
        "run_id": run.run_id,
        "attempt": attempt,
        "max_attempts": definition.max_attempts,
        "outcome": outcome,
    }
    if unit.index is not None:
        entry.update(item_index=unit.index, item=unit.item)
    line = json.dumps(entry, ensure_ascii=False)
    with _lock, open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")
