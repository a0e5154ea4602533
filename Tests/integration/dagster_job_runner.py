"""Subprocess entry point of dagster_harness: run one job of a definitions file.

    python dagster_job_runner.py --module PATH --job NAME [--tags JSON] [--run-config JSON]
                                 [--executor in_process|multiprocess]

Runs under the Dagster venv's python with DAGSTER_HOME set, against that
instance (so runs, tags and events are stored like in a deployment).
``in_process`` uses ``JobDefinition.execute_in_process``; ``multiprocess`` uses
``dagster.execute_job`` on the file's job (each op in its own process, as when
Dagster's daemon or webserver launches a run).

Prints Dagster's own output, then one line ``JOBC_DAGSTER_RESULT <json>``:
``{"run_id", "success", "run_tags", "ops": {op: {...}}, "helpers": {op: {...}}}``, keyed by op
name (a jobc task id: ops inside group graphs have step keys like ``group.op``, which the
``handle`` field keeps). ``helpers`` holds the ops jobc adds itself (``<task>_items_``,
``jobc_run_outcome``). Per op: ``status`` is success / failure / skipped (never started: an
upstream op failed); ``attempts`` counts STEP_START plus STEP_RESTARTED events (Dagster emits
STEP_START once per step, STEP_RESTARTED for every retry); ``errors`` lists the class names of
every failed attempt's error and its causes; ``outcome`` is the ``jobc/outcome`` output metadata
of jobs that pass outcomes (trigger rules), else None. A fan-out task's op (mapped over its items)
also has ``items``: per mapped step, in mapping-key order, ``{"key", "status", "attempts",
"outcome"}``; its own fields then aggregate them (failure if any item failed, the most attempts,
the outcome reduced as jobc_dagster does: failed if any failed). Exits non-zero only when the
runner itself cannot do its job (e.g. unknown job); a failed run is a normal result.
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
    parser.add_argument("--run-config", default="{}", help="JSON object: the run config")
    parser.add_argument("--executor", choices=("in_process", "multiprocess"), default="in_process")
    args = parser.parse_args(argv)
    tags = json.loads(args.tags)
    run_config = json.loads(args.run_config)

    # Imported here so that argument errors do not pay for importing Dagster.
    import dagster as dg

    instance = dg.DagsterInstance.get()  # DAGSTER_HOME: the harness's private home
    path = pathlib.Path(args.module).resolve()
    if args.executor == "in_process":
        job = _load(path).defs.get_job_def(args.job)
        run_id = job.execute_in_process(
            instance=instance, tags=tags, run_config=run_config, raise_on_error=False).run_id
    else:
        # Child processes re-load the job from the file: a reconstructable job
        # pointing at the module attribute (generated code names it after the job).
        # Not exported by `dagster` in 1.13; the public `reconstructable()` needs
        # an importable module, which a loose definitions file is not.
        from dagster._core.definitions.reconstruct import ReconstructableJob

        recon = ReconstructableJob.for_file(str(path), args.job)
        with dg.execute_job(recon, instance=instance, tags=tags, run_config=run_config,
                            raise_on_error=False) as result:
            run_id = result.run_id
        job = recon.get_definition()

    report = _report(instance, run_id, job)
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


ITEM_INPUT = "jobc_item_"  # jobc_dagster: the input a fan-out task's op gets its item on
RUN_OUTCOME_OP = "jobc_run_outcome"


def _report(instance, run_id: str, job) -> dict:
    from dagster import DagsterEventType as T
    from dagster import OpDefinition

    run = instance.get_run_by_id(run_id)
    # Every op of the job, also those nested in graphs, by handle ("group.inner.op").
    ops = {}
    for handle in job.graph.iterate_node_handles():
        node = job.graph.get_node(handle)
        if isinstance(node.definition, OpDefinition):
            ops[str(handle)] = {"mapped": ITEM_INPUT in node.definition.ins, "steps": {}}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        handle, _, mapping_key = event.step_key.partition("[")
        if handle not in ops:
            continue
        step = ops[handle]["steps"].setdefault(mapping_key.rstrip("]"), _new_step())
        kind = event.event_type
        if kind in (T.STEP_START, T.STEP_RESTARTED):
            step["attempts"] += 1
            step["started_at"] = step["started_at"] or entry.timestamp
        elif kind in (T.STEP_SUCCESS, T.STEP_FAILURE):
            step["status"] = "success" if kind == T.STEP_SUCCESS else "failure"
            step["finished_at"] = entry.timestamp
        elif kind == T.STEP_SKIPPED:
            step["status"] = "skipped"
        elif kind == T.STEP_OUTPUT:
            outcome = event.event_specific_data.metadata.get("jobc/outcome")
            if outcome is not None:
                step["outcome"] = outcome.value
        if kind in (T.STEP_FAILURE, T.STEP_UP_FOR_RETRY):
            step["errors"].append(_error_chain(event.event_specific_data.error))
    report = {"run_id": run_id, "success": run.is_success, "run_tags": dict(run.tags), "ops": {}, "helpers": {}}
    for handle, op in ops.items():
        name = handle.rsplit(".", 1)[-1]
        section = "helpers" if name == RUN_OUTCOME_OP or name.endswith("_") else "ops"
        report[section][name] = _aggregate(handle, op["mapped"], op["steps"])
    return report


def _new_step() -> dict:
    return {"status": "skipped", "attempts": 0, "started_at": None, "finished_at": None, "errors": [],
            "outcome": None}


def _aggregate(handle: str, mapped: bool, steps: dict) -> dict:
    if not mapped:
        return {"handle": handle, "items": None, **steps.get("", _new_step())}
    ordered = [steps[key] for key in sorted(steps, key=_mapping_key_order)]
    statuses = [step["status"] for step in ordered]
    outcomes = [step["outcome"] for step in ordered if step["outcome"] is not None]
    if "failed" in outcomes:
        outcome = "failed"
    elif outcomes and all(value == "success" for value in outcomes):
        outcome = "success"
    else:
        outcome = next((value for value in outcomes if value != "success"), None)
    return {
        "handle": handle,
        "status": "failure" if "failure" in statuses else "success" if statuses and all(
            status == "success" for status in statuses) else "skipped",
        "attempts": max((step["attempts"] for step in ordered), default=0),
        "started_at": min((step["started_at"] for step in ordered if step["started_at"]), default=None),
        "finished_at": max((step["finished_at"] for step in ordered if step["finished_at"]), default=None),
        "errors": [errors for step in ordered for errors in step["errors"]],
        "outcome": outcome,
        "items": [{"key": key, "status": step["status"], "attempts": step["attempts"], "outcome": step["outcome"]}
                  for key, step in sorted(steps.items(), key=lambda pair: _mapping_key_order(pair[0]))],
    }


def _mapping_key_order(key: str):
    # item_2 before item_10.
    prefix, _, number = key.rpartition("_")
    return (prefix, int(number)) if number.isdigit() else (key, 0)


def _error_chain(error) -> list[str]:
    # Dagster wraps user errors (e.g. RetryRequestedFromPolicy caused by TimeoutError).
    names = []
    while error is not None:
        names.append(error.cls_name)
        error = error.cause
    return names


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
