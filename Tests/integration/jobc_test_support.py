"""Paths and small helpers shared by the integration tests and their fixtures."""

from __future__ import annotations

import json
import pathlib

import jobc_runtime

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
FIXTURES = HERE / "fixtures"
FIXTURE_FUNCTIONS = FIXTURES / "functions"
AIRFLOW_DAGS = FIXTURES / "airflow_dags"
DAGSTER_JOBS = FIXTURES / "dagster_jobs"


class HookLog:
    """The JSON-lines file the recording test functions append their hook calls to."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        path.touch()

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def hooks(self) -> list[str]:
        return [entry["hook"] for entry in self.entries()]


def seed_source(postgres) -> None:
    """(Re)create and fill the demo job's `source` table with its fixed sample rows."""
    postgres.execute((REPO_ROOT / "orchestration" / "sql" / "seed_source.sql").read_text(encoding="utf-8"))


def secret_values(folder: pathlib.Path) -> list[str]:
    """What must never appear in jobc's output: every leaf string of every `*.json` in the secret
    folder, and every number with more than 3 digits (shorter ones, like a port's digits, occur
    anywhere by chance)."""
    found: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str) and value:
            found.add(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(abs(value)).replace(".", "")) > 3:
            found.add(str(value))

    for path in sorted(folder.glob("*.json")):
        collect(json.loads(path.read_text(encoding="utf-8")))
    return sorted(found)


def run_task_attempt(*, job_id, task_id, module, class_name, kwargs, secret_key, max_attempts=1, on_failure=None,
                     **attempt):
    """jobc_runtime.run_task of the TaskDefinition these arguments describe (``max_attempts``: its
    retries + 1), for one attempt (``run_id``, ``execution_date``, ``attempt``, ``params``, ...)."""
    definition = jobc_runtime.TaskDefinition(
        job_id=job_id, task_id=task_id, function_module=module, function_class=class_name, function_kwargs=kwargs,
        secret_key=secret_key, retries=max_attempts - 1, on_failure=on_failure)
    return jobc_runtime.run_task(definition, **attempt)


def sample_job_files() -> list[pathlib.Path]:
    """The sample project's job files: orchestration/job/*.yaml without the `jobc test` files beside them."""
    return sorted(path for path in (REPO_ROOT / "orchestration" / "job").glob("*.yaml") if not path.name.endswith(".test.yaml"))
