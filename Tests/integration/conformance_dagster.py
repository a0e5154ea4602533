"""Conformance driver: Dagster (dagster_harness executes the job in process)."""

from __future__ import annotations

from conformance import EngineRun
from jobc_cli import compile_jobs


class DagsterDriver:
    name = "dagster"
    # The harness's op statuses, in the suite's words ("skipped": never started, an upstream failed).
    STATES = {"success": "success", "failure": "failed", "skipped": "not_run"}
    # jobc outcomes of jobs with trigger rules (outcome passing: every op runs and reports one).
    OUTCOMES = {"success": "success", "failed": "failed", "upstream_failed": "not_run", "skipped": "not_run"}

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        compile_jobs("dagster", out, scenario.job)
        report = self.harness.run_job(out / f"{job_id}.py", job_id, scenario.logical_date, extra_env=env,
                                      params=scenario.params)
        # report.ops holds jobc's tasks only: jobc_run_outcome and the fan-out item sources are helpers.
        tasks = {task_id: self.task_result(op) for task_id, op in report.ops.items()}
        return EngineRun(run="success" if report.success else "failed", tasks=tasks, output=report.output)

    def task_result(self, op) -> dict:
        if op.items is None:
            state = self.state(op.status, op.outcome)
            return {"state": state, "attempts": 0 if state == "not_run" else op.attempts}
        # A fan-out task: how many of its runs started, the most attempts any took, failed if any failed.
        started = [item for item in op.items if self.state(item.status, item.outcome) != "not_run"]
        states = [self.state(item.status, item.outcome) for item in started]
        state = "failed" if "failed" in states else "success" if started else "not_run"
        return {"state": state, "attempts": max((item.attempts for item in started), default=0),
                "items": len(started)}

    def state(self, status: str, outcome: str | None) -> str:
        # A handled failure is a succeeded step whose outcome is "failed"; an op that raised (e.g.
        # before it could decide) has no outcome, and its step status says what happened.
        return self.OUTCOMES[outcome] if outcome is not None else self.STATES[status]
