"""Conformance driver: Airflow 3 (airflow_harness runs the DAG with `airflow dags test`)."""

from __future__ import annotations

from conformance import EngineRun
from jobc_cli import compile_jobs


class AirflowDriver:
    name = "airflow"
    # Airflow task states that mean "did not run because of an upstream failure".
    NOT_RUN = {None, "upstream_failed", "skipped", "removed", "scheduled", "queued", "none"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("airflow", out, scenario.job)
        report = self.harness.run_dag(out, job_id, scenario.logical_date, extra_env=env)
        tasks = {}
        for task_id, task in report.task_instances.items():
            if task.state in self.NOT_RUN:
                tasks[task_id] = {"state": "not_run", "attempts": 0}
            else:
                tasks[task_id] = {"state": task.state, "attempts": task.try_number}
        return EngineRun(run=report.state, tasks=tasks, output=report.output)
