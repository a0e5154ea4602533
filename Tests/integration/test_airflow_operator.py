"""JobcFunctionOperator inside real Airflow 3: hand-written DAGs run with DAG.test()."""

from __future__ import annotations

import datetime
import sqlite3

import pytest
from jobc_test_support import AIRFLOW_DAGS, seed_source

UTC = datetime.timezone.utc
LOGICAL_DATE = datetime.datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
DAG_IDS = ["derived_dataset_failing", "derived_dataset_materialize_sink", "verbatim_kwargs"]


def xcom_count(airflow, dag_id: str) -> int:
    with sqlite3.connect(airflow.database) as db:
        return db.execute("SELECT count(*) FROM xcom WHERE dag_id = ?", (dag_id,)).fetchone()[0]


def test_hand_written_dags_import_without_errors(airflow, task_env):
    report = airflow.load_dags(AIRFLOW_DAGS, extra_env=task_env)

    assert report.import_errors == {}
    assert report.dag_ids == DAG_IDS


def test_materialize_dag_fills_the_sink_table(airflow, task_env, clean_db, project_root):
    seed_source(clean_db)

    report = airflow.run_dag(AIRFLOW_DAGS, "derived_dataset_materialize_sink", LOGICAL_DATE, extra_env=task_env)

    assert report.state == "success", report.tail()
    task = report.task("postgres_transformation_task")
    assert (task.state, task.try_number) == ("success", 1)
    assert report.logical_date == LOGICAL_DATE.isoformat()
    assert clean_db.fetch("SELECT ds::text, name, total::text, row_count FROM sink ORDER BY name") == [
        ("2024-03-01", "alpha", "30.00", 2),
        ("2024-03-01", "beta", "7.50", 2),
        ("2024-03-01", "gamma", "100.25", 1),
    ]
    # The jobc log lines reach Airflow's task log; the secret never does.
    assert "Running SQL file orchestration/sql/transform_source_to_sink.sql" in report.output
    assert clean_db.password not in report.output
    # do_xcom_push is off by default: the function's result is not stored.
    assert xcom_count(airflow, "derived_dataset_materialize_sink") == 0


def test_failing_dag_retries_then_fails_and_commits_nothing(airflow, task_env, clean_db, hook_log):
    clean_db.execute("CREATE TABLE failing_target (ds date NOT NULL, note text NOT NULL)")

    report = airflow.run_dag(AIRFLOW_DAGS, "derived_dataset_failing", LOGICAL_DATE, extra_env=task_env)

    assert report.state == "failed", report.tail()
    task = report.task("failing_transformation_task")
    assert (task.state, task.try_number) == ("failed", 2)  # retries=1: two attempts
    assert "DivisionByZero" in report.output
    assert clean_db.fetch("SELECT count(*) FROM failing_target") == [(0,)]
    assert [(e["hook"], e["attempt"], e["max_attempts"], e.get("error")) for e in hook_log.entries()] == [
        ("pre_execute", 1, 2, None),
        ("on_retry", 1, 2, "DivisionByZero"),
        ("pre_execute", 2, 2, None),
        ("on_failure", 2, 2, "DivisionByZero"),
    ]
    assert clean_db.password not in report.output


def test_function_kwargs_reach_the_function_verbatim(airflow, task_env, hook_log):
    report = airflow.run_dag(AIRFLOW_DAGS, "verbatim_kwargs", LOGICAL_DATE, extra_env=task_env)

    assert report.state == "success", report.tail()
    [execute] = [e for e in hook_log.entries() if e["hook"] == "execute"]
    # Not rendered by Jinja: function_kwargs is not a templated field.
    assert execute["kwargs"] == {
        "query": "SELECT '{{ ds }}'",
        "nested": {"template": "{{ run_id }}", "items": [1, "{{ ti }}"]},
    }
    assert execute["execution_date"] == "2024-03-01"
    assert execute["run_id"] == report.run_id
    assert (execute["attempt"], execute["max_attempts"]) == (1, 1)


def test_run_without_logical_date_uses_run_after_and_finds_the_project_from_the_dag_file(
    airflow, task_env, hook_log
):
    # No JOBC_PROJECT_ROOT, and Airflow runs in a temp dir: the project root
    # must be found by walking up from the DAG file.
    env = {key: value for key, value in task_env.items() if key != "JOBC_PROJECT_ROOT"}
    before = datetime.datetime.now(UTC).date()

    report = airflow.run_dag(AIRFLOW_DAGS, "verbatim_kwargs", None, extra_env=env)

    after = datetime.datetime.now(UTC).date()
    assert report.state == "success", report.tail()
    assert report.logical_date is None
    [execute] = [e for e in hook_log.entries() if e["hook"] == "execute"]
    assert execute["execution_date"] in {before.isoformat(), after.isoformat()}


def test_operator_arguments_for_the_orchestration_features_are_checked_when_the_dag_is_parsed():
    from jobc_airflow import JobcFunctionOperator, JobcRunOutcomeOperator

    common = {"job_id": "job", "function_module": "module", "function_class": "Class"}
    with pytest.raises(ValueError, match="for_each parameter 'table' is also set in function_kwargs"):
        JobcFunctionOperator(task_id="t1", function_kwargs={"table": "x"}, fan_out_parameter="table", **common)
    with pytest.raises(TypeError, match="on_failure must be a mapping"):
        JobcFunctionOperator(task_id="t2", on_failure=["https://example.com"], **common)
    with pytest.raises(ValueError, match="always uses the trigger rule one_failed"):
        JobcRunOutcomeOperator(trigger_rule="all_done")
    outcome = JobcRunOutcomeOperator()
    assert (outcome.task_id, outcome.trigger_rule, outcome.retries) == ("jobc-run-outcome", "one_failed", 0)


@pytest.mark.parametrize(
    ("try_number", "max_tries", "retries", "expected"),
    [
        (1, 2, 2, (1, 3)),  # the first run: max_tries == retries
        (3, 2, 2, (3, 3)),  # its last attempt
        (4, 5, 2, (1, 3)),  # cleared after try 3: max_tries = 3 + 2, a new round of 3 tries
        (6, 5, 2, (3, 3)),  # that round's last attempt: one alert, not one per try
        (2, 0, 2, (2, 3)),  # a context without max_tries counts from try 1
        (1, 0, 0, (1, 1)),
    ],
)
def test_attempts_count_within_the_round_a_clear_starts(try_number, max_tries, retries, expected):
    from jobc_airflow.operator import attempt_in_round

    assert attempt_in_round(try_number, max_tries, retries) == expected
