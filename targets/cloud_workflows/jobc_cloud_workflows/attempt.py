"""One attempt of a task, in a process of its own: ``python -m jobc_cloud_workflows.attempt``.

The runner starts it in a new process group (so a timeout can kill the function and whatever it
started), writes one JSON line to its stdin and keeps stdin open: when stdin closes (the runner's
process ended) the attempt kills its own process group, so no attempt outlives its executor. The
outcome, ``{"outcome": "success"}`` or ``{"outcome": "failed", "error": "<Type>: <message>"}``, goes
to the file descriptor ``result_fd``; stdout and stderr stay the function's (they reach the
executor's log).
"""

from __future__ import annotations

import sys
from typing import Any

import jobc_runtime
from jobc_runtime.alerts import error_text
from jobc_runtime.attempt_process import run_attempt

from .job import parse_task


def main() -> int:
    return run_attempt(run, log_format="%(levelname)s %(name)s: %(message)s")


def run(request: dict[str, Any]) -> dict[str, Any]:
    try:
        task = parse_task(request["job_id"], request["task"], "task", earlier=set(request["task"].get("upstream", [])))
        jobc_runtime.run_task(
            task.definition,
            run_id=request["run_id"],
            execution_date=jobc_runtime.parse_logical_date(request["logical_date"]),
            attempt=request["attempt"],
            params=request["params"],
            item=request.get("item"),
            # The project's folders when its jobc.yaml moved them (None: the standard ones).
            function_folder=request.get("folders", {}).get("functions"),
            secret_folder=request.get("folders", {}).get("secrets"),
        )
    except BaseException as error:  # the attempt's outcome, whatever ended it (SystemExit too)
        return {"outcome": "failed", "error": error_text(error)}
    return {"outcome": "success"}


if __name__ == "__main__":
    sys.exit(main())
