"""Paths and small helpers shared by the integration tests and their fixtures."""

from __future__ import annotations

import json
import pathlib

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
