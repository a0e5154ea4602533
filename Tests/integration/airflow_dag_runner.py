"""Subprocess entry point of airflow_harness: parse a DAG folder, optionally run one DAG.

    python airflow_dag_runner.py --dag-folder DIR [--describe] [--dag-id ID --logical-date ISO|none [--run-conf JSON]]

Prints Airflow's own output, then one line ``JOBC_AIRFLOW_RESULT <json>``:
``{"import_errors": {...}, "dag_ids": [...], "dags": null | {...}, "run": null | {...}}``.
``--describe`` fills ``dags``: each DAG's params, task groups and tasks as Airflow parsed them.
Exits non-zero only when the harness itself cannot do its job (e.g. unknown
DAG id); a DAG run that fails is a normal result.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys

RESULT_PREFIX = "JOBC_AIRFLOW_RESULT "


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dag-folder", required=True)
    parser.add_argument("--dag-id")
    parser.add_argument("--logical-date", help="ISO 8601 with offset, or 'none' for a run without logical date")
    parser.add_argument("--run-conf", help="JSON object passed as the run's conf")
    parser.add_argument("--describe", action="store_true", help="report each DAG's params, groups and tasks")
    args = parser.parse_args(argv)
    if args.dag_id and not args.logical_date:
        parser.error("--logical-date is required with --dag-id")

    # Imported here so that argument errors do not pay for importing Airflow.
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=args.dag_folder)
    result = {"import_errors": dict(bag.import_errors), "dag_ids": sorted(bag.dag_ids), "dags": None, "run": None,
              "refused": None}
    if args.describe:
        result["dags"] = {dag_id: describe(dag) for dag_id, dag in bag.dags.items()}

    if args.dag_id and not bag.import_errors:
        dag = bag.dags.get(args.dag_id)
        if dag is None:
            print(f"error: DAG {args.dag_id!r} not found in {args.dag_folder}; found {sorted(bag.dag_ids)}",
                  file=sys.stderr)
            return 3
        logical_date = None if args.logical_date == "none" else datetime.datetime.fromisoformat(args.logical_date)
        if logical_date is not None and logical_date.tzinfo is None:
            print("error: --logical-date must carry a UTC offset", file=sys.stderr)
            return 2
        run_conf = json.loads(args.run_conf) if args.run_conf else None
        from airflow.sdk.definitions.param import ParamValidationError

        try:
            dag_run = dag.test(logical_date=logical_date, run_conf=run_conf)
        except ParamValidationError as error:
            # Airflow refuses to create a run whose conf breaks a Param's schema: a result, not a
            # harness failure.
            result["refused"] = f"{type(error).__name__}: {error}"
            sys.stdout.flush()
            print(RESULT_PREFIX + json.dumps(result, sort_keys=True), flush=True)
            return 0
        result["run"] = {
            "run_id": dag_run.run_id,
            "state": str(dag_run.state.value if hasattr(dag_run.state, "value") else dag_run.state),
            "logical_date": dag_run.logical_date.isoformat() if dag_run.logical_date else None,
            "task_instances": [
                {
                    "task_id": ti.task_id,
                    "state": None if ti.state is None else str(getattr(ti.state, "value", ti.state)),
                    "try_number": ti.try_number,
                    "map_index": ti.map_index,
                }
                for ti in dag_run.get_task_instances()
            ],
        }

    sys.stdout.flush()
    print(RESULT_PREFIX + json.dumps(result, sort_keys=True), flush=True)
    return 0


def describe(dag) -> dict:
    """What a test needs to check how jobc's DAG file was understood: params, groups, tasks."""
    return {
        "params": {
            name: {"default": param.value, "schema": param.schema, "description": param.description}
            for name, param in dag.params.items()
        },
        "task_groups": {
            group_id: {
                "parent": group.parent_group.group_id if group.parent_group else None,
                "tooltip": group.tooltip,
                "children": sorted(group.children),
            }
            for group_id, group in dag.task_group_dict.items()
        },
        "tasks": {
            task.task_id: {
                "mapped": bool(getattr(task, "is_mapped", False)),
                "trigger_rule": str(getattr(task.trigger_rule, "value", task.trigger_rule)),
                "task_group": task.task_group.group_id if task.task_group else None,
                "upstream": sorted(task.upstream_task_ids),
            }
            for task in dag.tasks
        },
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
