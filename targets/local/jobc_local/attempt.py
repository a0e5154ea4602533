"""One attempt of a task, in a process of its own: ``python -m jobc_local.attempt``.

The executor starts it in a new session (so a timeout or an interrupt can kill the function and
whatever it started), its stdout and stderr going to the attempt's log file, and writes one JSON
line to its stdin, keeping stdin open: when stdin closes (the executor ended) the attempt kills its
own process group, so no attempt outlives its run. The outcome, ``{"outcome": "success"}`` or
``{"outcome": "failed", "error": "<Type>: <message>"}``, goes to the file descriptor ``result_fd``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import jobc_runtime
from jobc_runtime.alerts import error_text
from jobc_runtime.attempt_process import run_attempt

from .job import definition
from .stub import run_stub


def main() -> int:
    # The attempt's own log file: each line carries its time.
    return run_attempt(run, log_format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run(request: dict[str, Any]) -> dict[str, Any]:
    try:
        if request.get("stub") is not None:
            run_stub(definition(request["job_id"], request["task"]), request["stub"], run_id=request["run_id"],
                     execution_date=jobc_runtime.parse_logical_date(request["logical_date"]),
                     attempt=request["attempt"])
            return {"outcome": "success"}
        jobc_runtime.run_task(
            definition(request["job_id"], request["task"]),
            run_id=request["run_id"],
            execution_date=jobc_runtime.parse_logical_date(request["logical_date"]),
            attempt=request["attempt"],
            params=request["params"],
            item=request.get("item"),
            project_root=request["project_root"],
        )
    except BaseException as error:  # the attempt's outcome, whatever ended it (SystemExit too)
        logging.getLogger("jobc.local").error("attempt failed: %s", error_text(error), exc_info=True)
        return {"outcome": "failed", "error": error_text(error)}
    return {"outcome": "success"}


if __name__ == "__main__":
    sys.exit(main())
