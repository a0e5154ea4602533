"""Conformance driver: Prefect 3 (the jobc-emit-prefect plugin; prefect_harness runs the flow)."""

from __future__ import annotations

from conformance import EngineRun
from jobc_cli import compile_jobs, ir
from prefect_harness import plugin_path_env


class PrefectDriver:
    """jobc finds the plugin jobc-emit-prefect on PATH (the Prefect venv's bin first); the flow runs
    against the harness's Prefect server, whose task runs say which tasks ran, how often, and how
    their last attempt ended. A task run that never started (an upstream task failed) is NotReady.
    The scenario's run parameter overrides are the flow's parameters. A fan-out task has one task
    run per item, all named after the task."""

    name = "prefect"
    STATES = {"COMPLETED": "success", "FAILED": "failed", "CRASHED": "failed", "CANCELLED": "failed"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("prefect", out, scenario.job, extra_env=plugin_path_env())
        tasks_ir = ir(scenario.job)["tasks"]
        fan_out_items = {task["taskId"]: len(task["forEach"]["items"]) for task in tasks_ir if task["forEach"]}
        # task id -> how many task runs it has: one, or one per item of a fan-out.
        run_counts = {task["taskId"]: fan_out_items.get(task["taskId"], 1) for task in tasks_ir}
        report = self.harness.run_flow(out / f"{job_id}.py", job_id, sum(run_counts.values()), scenario.logical_date,
                                       extra_env=env, params=scenario.params)
        started = {task_id: [] for task_id in run_counts}
        for task_run in report.task_runs:
            assert task_run.name in started, f"task run {task_run.name!r} is not a task of {job_id}\n{report.tail()}"
            if task_run.state_name != "NotReady":
                started[task_run.name].append(task_run)
        tasks = {}
        for task_id, runs in started.items():
            states = {self.STATES[run.state_type] for run in runs}
            tasks[task_id] = {"state": "failed" if "failed" in states else "success" if runs else "not_run",
                              "attempts": max((run.run_count for run in runs), default=0)}
            if task_id in fan_out_items:
                tasks[task_id]["items"] = len(runs)
        run = "success" if report.state_type == "COMPLETED" else "failed"
        return EngineRun(run=run, tasks=tasks, output=report.output)
