"""Conformance driver: Dagster (dagster_harness executes the job in process)."""

from __future__ import annotations

from conformance import EngineRun
from jobc_cli import compile_jobs


class DagsterDriver:
    name = "dagster"
    # The harness's op statuses, in the suite's words ("skipped": never started, an upstream failed).
    STATES = {"success": "success", "failure": "failed", "skipped": "not_run"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("dagster", out, scenario.job)
        report = self.harness.run_job(out / f"{job_id}.py", job_id, scenario.logical_date, extra_env=env)
        tasks = {}
        for op, op_report in report.ops.items():
            state = self.STATES[op_report.status]
            tasks[op] = {"state": state, "attempts": 0 if state == "not_run" else op_report.attempts}
        return EngineRun(run="success" if report.success else "failed", tasks=tasks, output=report.output)
