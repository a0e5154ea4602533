"""Subprocess entry point of dagster_harness: run one job of a definitions file.

    python dagster_job_runner.py --module PATH --job NAME [--tags JSON] [--executor in_process|multiprocess]

Runs under the Dagster venv's python with DAGSTER_HOME set, against that
instance (so runs, tags and events are stored like in a deployment).
``in_process`` uses ``JobDefinition.execute_in_process``; ``multiprocess`` uses
``dagster.execute_job`` on the file's job (each op in its own process, as when
Dagster's daemon or webserver launches a run).

Prints Dagster's own output, then one line ``JOBC_DAGSTER_RESULT <json>``:
``{"run_id", "success", "run_tags", "ops": {op: {"status", "attempts", "started_at",
"finished_at", "errors"}}}``. ``status`` is success / failure / skipped (never
started: an upstream op failed); ``attempts`` counts STEP_START plus
STEP_RESTARTED events (Dagster emits STEP_START once per step, STEP_RESTARTED
for every retry); ``errors`` lists the class names of every failed attempt's
error and its causes. Exits non-zero only when the runner itself cannot do its
job (e.g. unknown job); a failed run is a normal result.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import sys

RESULT_PREFIX = "JOBC_DAGSTER_RESULT "


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", required=True, help="path of a Python file defining `defs`")
    parser.add_argument("--job", required=True)
    parser.add_argument("--tags", default="{}", help="JSON object of run tags")
    parser.add_argument("--executor", choices=("in_process", "multiprocess"), default="in_process")
    args = parser.parse_args(argv)
    tags = json.loads(args.tags)

    # Imported here so that argument errors do not pay for importing Dagster.
    import dagster as dg

    instance = dg.DagsterInstance.get()  # DAGSTER_HOME: the harness's private home
    path = pathlib.Path(args.module).resolve()
    if args.executor == "in_process":
        job = _load(path).defs.get_job_def(args.job)
        run_id = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False).run_id
    else:
        # Child processes re-load the job from the file: a reconstructable job
        # pointing at the module attribute (generated code names it after the job).
        # Not exported by `dagster` in 1.13; the public `reconstructable()` needs
        # an importable module, which a loose definitions file is not.
        from dagster._core.definitions.reconstruct import ReconstructableJob

        recon = ReconstructableJob.for_file(str(path), args.job)
        with dg.execute_job(recon, instance=instance, tags=tags, raise_on_error=False) as result:
            run_id = result.run_id
        job = recon.get_definition()

    report = _report(instance, run_id, [node.name for node in job.graph.nodes])
    sys.stdout.flush()
    sys.stderr.flush()
    print(RESULT_PREFIX + json.dumps(report, sort_keys=True), flush=True)
    return 0


def _load(path: pathlib.Path):
    # Like `dagster -f PATH`: the file's stem is the module name.
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _report(instance, run_id: str, op_names: list[str]) -> dict:
    from dagster import DagsterEventType as T

    run = instance.get_run_by_id(run_id)
    ops = {name: {"status": "skipped", "attempts": 0, "started_at": None, "finished_at": None, "errors": []}
           for name in op_names}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key not in ops:
            continue
        op = ops[event.step_key]
        kind = event.event_type
        if kind in (T.STEP_START, T.STEP_RESTARTED):
            op["attempts"] += 1
            op["started_at"] = op["started_at"] or entry.timestamp
        elif kind in (T.STEP_SUCCESS, T.STEP_FAILURE):
            op["status"] = "success" if kind == T.STEP_SUCCESS else "failure"
            op["finished_at"] = entry.timestamp
        elif kind == T.STEP_SKIPPED:
            op["status"] = "skipped"
        if kind in (T.STEP_FAILURE, T.STEP_UP_FOR_RETRY):
            op["errors"].append(_error_chain(event.event_specific_data.error))
    return {"run_id": run_id, "success": run.is_success, "run_tags": dict(run.tags), "ops": ops}


def _error_chain(error) -> list[str]:
    # Dagster wraps user errors (e.g. RetryRequestedFromPolicy caused by TimeoutError).
    names = []
    while error is not None:
        names.append(error.cls_name)
        error = error.cause
    return names


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
