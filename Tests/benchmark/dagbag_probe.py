"""Parse one DAG folder with Airflow's DagBag and print one JSON line: how long it took and what
it loaded. Run by bench.py in a fresh interpreter each time (Airflow keeps process-wide state).

    python dagbag_probe.py DAG_FOLDER

`structure` is a digest of every DAG's settings (but the tag dag-factory adds) and every task's id, upstream ids and policy, so
the benchmark can check that jobc's output, the hand-written files and dag-factory built the
same DAGs.
"""

import hashlib
import json
import sys
import time


def describe(dag) -> list:
    def seconds(delta):
        return None if delta is None else delta.total_seconds()

    # JobcFunctionOperator keeps what the runtime runs in one checked jobc_runtime.TaskDefinition.
    tasks = sorted(
        (task.task_id, sorted(task.upstream_task_ids), task.retries, seconds(task.retry_delay),
         seconds(task.execution_timeout), task.definition.function_module, task.definition.function_class,
         dict(task.definition.function_kwargs or {}), task.definition.secret_key)
        for task in dag.tasks
    )
    start = dag.start_date.isoformat() if dag.start_date else None
    timetable = dag.timetable
    schedule = [type(timetable).__name__, getattr(timetable, "expression", None), str(getattr(timetable, "timezone", None))]
    tags = sorted(set(dag.tags) - {"dagfactory"})  # dag-factory tags every DAG it builds
    return [dag.dag_id, dag.description, schedule, start, dag.catchup, tags, tasks]


def main() -> None:
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag

    imported = time.perf_counter()
    cpu_before = time.process_time()
    bag = DagBag(dag_folder=sys.argv[1])
    parsed = time.perf_counter()
    cpu = time.process_time() - cpu_before
    structure = [describe(bag.dags[dag_id]) for dag_id in sorted(bag.dags)]
    print(json.dumps({
        "import_seconds": imported - started,
        "parse_seconds": parsed - imported,
        "parse_cpu_seconds": cpu,  # what other processes on the machine cannot inflate
        "dags": len(bag.dags),
        "tasks": sum(len(dag.tasks) for dag in bag.dags.values()),
        "import_errors": {path: str(error)[-400:] for path, error in bag.import_errors.items()},
        "structure": hashlib.sha256(json.dumps(structure, default=str).encode()).hexdigest()[:16],
    }))


if __name__ == "__main__":
    main()
