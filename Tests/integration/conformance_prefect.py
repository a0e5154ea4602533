"""Conformance driver: Prefect 3 (the jobc-emit-prefect plugin; prefect_harness runs the flow)."""

from __future__ import annotations

from conformance import EngineRun, task_ids
from jobc_cli import compile_jobs
from prefect_harness import plugin_path_env


class PrefectDriver:
    """jobc finds the plugin jobc-emit-prefect on PATH (the Prefect venv's bin first); the flow runs
    against the harness's Prefect server, whose task runs say which tasks ran, how often, and how
    their last attempt ended. A task run that never started (an upstream task failed) is NotReady."""

    name = "prefect"
    STATES = {"COMPLETED": "success", "FAILED": "failed", "CRASHED": "failed", "CANCELLED": "failed"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("prefect", out, scenario.job, extra_env=plugin_path_env())
        ids = task_ids(scenario)
        report = self.harness.run_flow(out / f"{job_id}.py", job_id, len(ids), scenario.logical_date, extra_env=env)
        tasks = {task_id: {"state": "not_run", "attempts": 0} for task_id in ids}
        for task_run in report.task_runs:
            if task_run.state_name == "NotReady":
                continue
            assert task_run.name in tasks, f"task run {task_run.name!r} is not a task of {job_id}\n{report.tail()}"
            tasks[task_run.name] = {"state": self.STATES[task_run.state_type], "attempts": task_run.run_count}
        return EngineRun(run="success" if report.state_type == "COMPLETED" else "failed", tasks=tasks, output=report.output)
