"""`jobc init` in a repository with the demo's layout (jobs in orchestration/jobs/, SQL in
orchestration/sqls/, secrets in airflow_artifacts/secret/, no contracts), then its job, verbatim,
compiled for Airflow and run by a real Airflow 3 against a real PostgreSQL 15.

No JOBC_PROJECT_ROOT or JOBC_SECRET_DIR: the task finds the project from the DAG file's folder and
the secret in the folder jobc.yaml names, as the generated code passes it to the runtime.
"""

from __future__ import annotations

import datetime
import json
import shutil

from jobc_cli import run_jobc
from jobc_test_support import REPO_ROOT

DEMO_LAYOUT = REPO_ROOT / "Tests" / "JobcCLITests" / "Fixtures" / "demo-layout"
# The demo's SQL stamps its source row with NOW() and copies the rows created up to the run's date.
LOGICAL_DATE = datetime.datetime(2099, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)


def test_init_makes_the_demo_layout_a_project_that_runs_on_airflow(airflow, clean_db, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_LAYOUT, demo)

    init = run_jobc("init", str(demo))
    assert init.returncode == 0, init.stderr + init.stdout
    assert "secrets: airflow_artifacts/secret" in (demo / "jobc.yaml").read_text(encoding="utf-8")
    assert (demo / "orchestration" / "function" / "postgres_sql_function.contract.yaml").is_file()

    # The fixture's secret holds the keys, not this cluster's values: same keys, real values, plus
    # the cluster's port (it is not PostgreSQL's default).
    secret = demo / "airflow_artifacts" / "secret" / "postgres_credentials.json"
    keys = json.loads(secret.read_text(encoding="utf-8"))
    credentials = clean_db.credentials()
    values = {"host": credentials["host"], "database": credentials["dbname"], "user": credentials["user"],
              "password": credentials["password"]}
    secret.write_text(json.dumps({**{key: values[key] for key in keys}, "port": credentials["port"]}), encoding="utf-8")

    lint = run_jobc("lint", cwd=demo)
    assert lint.returncode == 0, lint.stderr
    dags = demo / "airflow_artifacts" / "dags"
    compiled = run_jobc("compile", "--target", "airflow", "--out", str(dags), cwd=demo)
    assert compiled.returncode == 0, compiled.stderr
    assert 'secret_folder="airflow_artifacts/secret"' in (dags / "derived_dataset_materialize_sink.py").read_text(encoding="utf-8")

    # Empty values count as unset: the runtime must find both from the generated code alone.
    report = airflow.run_dag(dags, "derived_dataset_materialize_sink", LOGICAL_DATE,
                             extra_env={"JOBC_PROJECT_ROOT": "", "JOBC_SECRET_DIR": ""})

    assert report.state == "success", report.tail()
    assert report.task("postgres_transformation_task").state == "success"
    assert clean_db.fetch("SELECT name FROM sink") == [("source",)]
    assert credentials["password"] not in report.output
