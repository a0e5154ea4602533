"""Conformance driver: Airflow 3 (airflow_harness runs the DAG with `airflow dags test`)."""

from __future__ import annotations

from conformance import EngineRun
from jobc_cli import compile_jobs, ir

# The task jobc adds to a DAG whose job uses trigger rules, to fail the run when any task failed;
# not one of the job's tasks.
RUN_OUTCOME_TASK_ID = "jobc-run-outcome"


class AirflowDriver:
    name = "airflow"
    # Airflow task states that mean "did not run because of an upstream failure".
    NOT_RUN = {None, "upstream_failed", "skipped", "removed", "scheduled", "queued", "none"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("airflow", out, scenario.job)
        fan_out_tasks = {task["taskId"] for task in ir(scenario.job)["tasks"] if task.get("forEach")}
        # The run's parameter overrides are its conf (Airflow 3 lets conf override the DAG's params).
        report = self.harness.run_dag(out, job_id, scenario.logical_date, extra_env=env, run_conf=scenario.params)
        tasks = {}
        for task_id, task in report.task_instances.items():
            if task_id == RUN_OUTCOME_TASK_ID:
                continue
            tasks[task_id] = self._entry([task])
        for task_id, instances in report.mapped_instances.items():
            tasks[task_id] = self._entry(instances)
        for task_id in fan_out_tasks & tasks.keys():
            # A fan-out task that never expanded (something upstream failed) started no runs.
            if task_id not in report.mapped_instances:
                tasks[task_id] = {**tasks[task_id], "items": 0}
        return EngineRun(run=report.state, tasks=tasks, output=report.output)

    def _entry(self, instances) -> dict:
        """One task's outcome from its task instances (a mapped task has one per item): failed if
        any failed, else success if any ran; the most attempts any took; for a mapped task, how many
        instances started."""
        started = [instance for instance in instances if instance.state not in self.NOT_RUN]
        if not started:
            entry = {"state": "not_run", "attempts": 0}
        else:
            states = {instance.state for instance in started}
            # Anything but failed/success (none expected once a run is over) shows up as it is.
            state = "failed" if "failed" in states else "success" if states == {"success"} else "/".join(sorted(states))
            entry = {"state": state, "attempts": max(instance.try_number for instance in started)}
        if any(instance.map_index >= 0 for instance in instances):
            entry["items"] = len(started)
        return entry
