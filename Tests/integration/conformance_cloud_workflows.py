"""Conformance driver: Cloud Workflows (workflows-emulator + the executor on 127.0.0.1)."""

from __future__ import annotations

from cloud_workflows_harness import task_outcomes
from conformance import EngineRun, task_ids
from jobc_cli import run_jobc
from jobc_test_support import REPO_ROOT


# Seconds per executor call in the conformance runs (the program's default is Workflows' 1800).
HTTP_TIMEOUT = 5


class CloudWorkflowsDriver:
    """The program runs in workflows-emulator against the executor on 127.0.0.1; the executor's
    call log says which tasks ran, how often, and how their last attempt ended. A task the executor
    decided upstream_failed or skipped never runs an attempt: not_run."""

    name = "cloud-workflows"

    def __init__(self, harness) -> None:
        self.harness = harness

    def compile_and_run(self, scenario, job_id, out, env) -> EngineRun:
        with self.harness.executor(env) as (url, call_log):
            result = run_jobc("compile", str(scenario.job), "--target", "cloud-workflows", "--out", str(out),
                              "--root", str(REPO_ROOT), "--option", f"executor_url={url}",
                              # Short executor calls: any task over 4 s outlives one call and is polled.
                              "--option", f"http_timeout={HTTP_TIMEOUT}")
            assert result.returncode == 0, f"jobc compile failed ({result.returncode}):\n{result.stderr}{result.stdout}"
            argument = {"logical_date": scenario.logical_date.date().isoformat()}
            if scenario.params is not None:
                argument["params"] = dict(scenario.params)
            run = self.harness.run(out / f"{job_id}.workflows.yaml", argument, call_log)
        tasks = {task_id: {"state": "not_run", "attempts": 0} for task_id in task_ids(scenario)}
        tasks.update(task_outcomes(run.calls))
        output = run.output + "\n--- executor ---\n" + self.harness.last_executor_output
        return EngineRun(run="success" if run.succeeded else "failed", tasks=tasks, output=output)

