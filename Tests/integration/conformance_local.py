"""Conformance driver: `jobc run` (the local executor, targets/local), no engine at all."""

from __future__ import annotations

from conformance import EngineRun
from local_run import param_arguments, run_job


class LocalDriver:
    """jobc run validates the job and runs it; its JSON report says each task's state and attempts.
    A task decided upstream_failed or skipped never ran: not_run."""

    name = "local"

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        out.mkdir(parents=True, exist_ok=True)
        run = run_job(scenario.job, out / "report.json", "--logical-date", scenario.logical_date.date().isoformat(),
                      *param_arguments(scenario.params), env=env)
        assert run.report is not None and run.returncode in (0, 1), f"jobc run gave no outcome:\n{run.output}"
        tasks = {task["task_id"]: self.task_result(task) for task in run.report["tasks"]}
        assert (run.returncode == 0) == (run.report["state"] == "success"), run.output
        return EngineRun(run=run.report["state"], tasks=tasks, output=run.output)

    @staticmethod
    def task_result(task: dict) -> dict:
        if task["state"] not in ("success", "failed"):
            state = "not_run"
        else:
            state = task["state"]
        if "items" not in task:
            return {"state": state, "attempts": task["attempts"] if state != "not_run" else 0}
        started = [item for item in task["items"] if item["attempts"] > 0]
        return {"state": state, "attempts": max((item["attempts"] for item in started), default=0),
                "items": len(started)}
