"""Subprocess entry point of prefect_harness: run one flow of a generated module, once.

    python prefect_flow_runner.py --module PATH --flow NAME --tasks N [--logical-date DATE] [--params JSON]

Runs under the Prefect venv's python, against the harness's Prefect server (PREFECT_API_URL), so
the run and its task runs are recorded like in a deployment. Calls the flow like a manual run
(``logical_date`` as its parameter when given, and the run parameter overrides ``--params``, a JSON
object, as its other parameters), then reads what the server recorded.

Prefect 3 reports task run states to the server as events, which the server applies a moment
later: the runner waits until the server has all ``N`` task runs of the flow run in a final state
(or in NotReady: never started, an upstream task did not complete) before it reports.

Prints Prefect's own output, then one line ``JOBC_PREFECT_RESULT <json>``:
``{"flow_run_id", "state_type", "state_name", "message", "task_runs": [{"name", "state_type",
"state_name", "run_count", "tags"}]}``. Exits non-zero only when the runner itself cannot do its job (no
such flow, the server never settles); a failed run is a normal result.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import sys
import time

RESULT_PREFIX = "JOBC_PREFECT_RESULT "
SETTLE_SECONDS = 60


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", required=True, help="path of a generated flow module")
    parser.add_argument("--flow", required=True, help="the flow's name (the job id)")
    parser.add_argument("--tasks", required=True, type=int, help="how many task runs the flow run has")
    parser.add_argument("--logical-date", help="the flow's logical_date parameter")
    parser.add_argument("--params", type=json.loads, default={}, help="run parameter overrides, a JSON object")
    args = parser.parse_args(argv)

    # Imported here so that argument errors do not pay for importing Prefect.
    from prefect import Flow

    module = _load(pathlib.Path(args.module).resolve())
    flows = [value for value in vars(module).values() if isinstance(value, Flow) and value.name == args.flow]
    if len(flows) != 1:
        print(f"{args.module} defines {len(flows)} flows named {args.flow!r}", file=sys.stderr)
        return 2
    parameters = dict(args.params)
    if args.logical_date is not None:
        parameters["logical_date"] = args.logical_date
    state = flows[0](**parameters, return_state=True)
    flow_run_id = state.state_details.flow_run_id
    task_runs = _settled_task_runs(flow_run_id, args.tasks)
    sys.stdout.flush()
    sys.stderr.flush()
    report = {
        "flow_run_id": str(flow_run_id),
        "state_type": state.type.value,
        "state_name": state.name,
        "message": state.message,
        "task_runs": task_runs,
    }
    print(RESULT_PREFIX + json.dumps(report, sort_keys=True), flush=True)
    return 0


def _load(path: pathlib.Path):
    # Like `python PATH`: the file's stem is the module name.
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _settled_task_runs(flow_run_id, expected: int) -> list[dict]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + SETTLE_SECONDS
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            reports = [_task_run(run) for run in runs]
            if len(reports) == expected and all(_settled(report) for report in reports):
                return sorted(reports, key=lambda report: report["name"])
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not settle {expected} task runs of flow run {flow_run_id} "
                                 f"within {SETTLE_SECONDS}s: {reports}")
            time.sleep(0.2)


def _task_run(run) -> dict:
    state = run.state
    return {
        "name": run.name,
        "state_type": None if state is None else state.type.value,
        "state_name": None if state is None else state.name,
        "run_count": run.run_count,
        "tags": sorted(run.tags),
    }


def _settled(report: dict) -> bool:
    return report["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") or report["state_name"] == "NotReady"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
