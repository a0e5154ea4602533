"""The real-world SQL of Tests/JobcCLITests/Fixtures/sql on a real PostgreSQL 15: the files jobc's
parser (libpg_query) accepted run on the server, in the job's order, through the real
PostgreSQLFunction, twice (they are rerunnable); and every table `jobc ir` says a task writes is a
table PostgreSQL resolves by exactly that name (to_regclass), so lineage names are the server's."""

from __future__ import annotations

import datetime
import json
import pathlib
import shutil

import pytest
from jobc_cli import REPO_ROOT, ir
from jobc_test_support import run_task_attempt

SQL_PROJECT = REPO_ROOT / "Tests" / "JobcCLITests" / "Fixtures" / "sql"
DATE = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def warehouse(postgres, tmp_path) -> pathlib.Path:
    """A copy of the SQL project with the repository's functions and contracts (the fixture keeps
    no copies of them) and a secret for the test cluster."""
    project = tmp_path / "project"
    shutil.copytree(SQL_PROJECT, project)
    shutil.copytree(REPO_ROOT / "orchestration" / "function", project / "orchestration" / "function",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (project / "secret" / "warehouse.json").write_text(json.dumps(postgres.credentials()), encoding="utf-8")
    yield project
    with postgres.connect() as connection, connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA IF EXISTS staging, marts, "Reporting" CASCADE')
    connection.close()


def run_job(graph: dict, project: pathlib.Path) -> None:
    """Every task once, in the IR's topological order (each depends only on earlier ones)."""
    for task in graph["tasks"]:
        run_task_attempt(
            job_id=graph["job"]["id"], task_id=task["taskId"], module=task["function"]["module"],
            class_name=task["function"]["className"], kwargs=task["parameters"], secret_key=task["secret"]["name"],
            run_id="sql_lineage", execution_date=DATE, attempt=1, params={}, project_root=project)


def test_real_world_sql_runs_on_postgres_and_lineage_names_resolve(postgres, warehouse, monkeypatch):
    monkeypatch.delenv("JOBC_SECRET_DIR", raising=False)
    monkeypatch.delenv("JOBC_PROJECT_ROOT", raising=False)
    graph = ir(warehouse / "orchestration" / "job" / "warehouse.yaml", root=warehouse)
    run_job(graph, warehouse)
    run_job(graph, warehouse)  # rerunnable: the second run gives the same tables
    written = sorted({table for task in graph["tasks"] for table in task["writes"]})
    read = sorted({table for task in graph["tasks"] for table in task["reads"]})
    assert '"Reporting"."Q1 Summary"' in written and "marts.big_orders" in written
    for table in written + read:
        assert postgres.fetch("SELECT to_regclass(%s) IS NOT NULL", (table,)) == [(True,)], table
    # What the tasks computed, so the files really ran (not only parsed).
    assert postgres.fetch("SELECT customer, orders, amount::text FROM marts.daily_orders ORDER BY customer") == [
        ("Ada", 1, "120.00"), ("Alan", 1, "35.50"), ("Grace", 1, "310.00")]
    assert postgres.fetch("SELECT count(*) FROM marts.all_parties") == [(5,)]  # (name, kind): Ada is both
    # The one order above average, banded by the dollar-quoted function, with a %% literal in the SQL.
    assert postgres.fetch('SELECT label FROM "Reporting"."Q1 Summary"') == [("big (100.0%)",)]
    assert postgres.fetch("SELECT customer_id, total::text FROM marts.customer_totals ORDER BY 1") == [
        (1, "120.00"), (2, "35.50"), (3, "310.00")]
