"""Run parameters, failure alerts, trigger rules, task groups and fan-out, compiled by jobc into
Airflow 3 DAG files and run by a real Airflow 3 against a real PostgreSQL 15.

Each test writes its job and SQL into a scratch project (a copy of orchestration/ and secret/), so
the job, what it does and what the test expects are read together.
"""

from __future__ import annotations

import datetime
import shutil
import textwrap

import pytest
from airflow_harness import ParamsRefused
from alert_receiver import SMTPReceiver, WebhookReceiver
from jobc_cli import compile_jobs
from jobc_test_support import REPO_ROOT

UTC = datetime.timezone.utc
LOGICAL_DATE = datetime.datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
RUN_OUTCOME = "jobc-run-outcome"
GOLDEN_JOBS = REPO_ROOT / "Tests" / "JobcEmittersTests" / "Golden" / "jobs"
FEATURES_GOLDEN_JOB = GOLDEN_JOBS / "features_airflow_all.yaml"


@pytest.fixture
def project(tmp_path):
    """A scratch jobc project: the repository's functions and secret store, plus what a test adds."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "orchestration", root / "orchestration", ignore=shutil.ignore_patterns("job", "__pycache__"))
    shutil.copytree(REPO_ROOT / "secret", root / "secret")
    (root / "orchestration" / "job").mkdir()
    return root


def add_job(project, job_yaml: str, sql: dict[str, str]) -> None:
    for name, text in sql.items():
        (project / "orchestration" / "sql" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    text = textwrap.dedent(job_yaml)
    job_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("job_id:"))
    (project / "orchestration" / "job" / f"{job_id}.yaml").write_text(text, encoding="utf-8")


def compile_project(project, tmp_path):
    dags = tmp_path / "dags"
    compile_jobs("airflow", dags, project / "orchestration" / "job", root=project)
    return dags


def engine_env(project, secret_dir) -> dict[str, str]:
    return {"JOBC_PROJECT_ROOT": str(project), "JOBC_SECRET_DIR": str(secret_dir)}


def states(report) -> dict[str, str | None]:
    return {task_id: ti.state for task_id, ti in report.task_instances.items()}


# -- the golden job: every feature at once ----------------------------------------------------


def test_job_with_every_feature_imports_and_airflow_sees_params_groups_rules_and_mapping(airflow, tmp_path, secret_dir):
    dags = tmp_path / "dags"
    compile_jobs("airflow", dags, FEATURES_GOLDEN_JOB)

    report = airflow.load_dags(dags, extra_env=engine_env(REPO_ROOT, secret_dir), describe=True)

    assert report.import_errors == {}, report.output
    dag = report.dags["features_airflow_all"]
    assert {name: (param["default"], param["schema"]["type"]) for name, param in dag["params"].items()} == {
        "region": ('emea "north" {{ ds }}', "string"),
        "min_quantity": (1, "integer"),
        "ratio": (0.5, "number"),
        "dry_run": (False, "boolean"),
    }
    assert dag["params"]["region"]["description"] == "Sales region to load"
    groups = dag["task_groups"]
    assert {group_id: group["parent"] for group_id, group in groups.items() if group_id is not None} == {
        "staging": None, "per_table": "staging", "dag": None,
    }
    assert groups["staging"]["tooltip"] == "Load the raw tables \n (second line)"
    assert groups["staging"]["children"] == ["check_staging", "per_table"]
    assert groups["per_table"]["children"] == ["load_table"]
    tasks = dag["tasks"]
    # Task ids are the job's, whatever group they sit in.
    assert {task_id: (task["task_group"], task["trigger_rule"], task["mapped"]) for task_id, task in tasks.items()} == {
        "load_table": ("per_table", "all_success", True),
        "check_staging": ("staging", "all_success", False),
        "publish": ("dag", "all_success", False),
        "cleanup": (None, "one_failed", False),
        "report": (None, "all_done", False),
        RUN_OUTCOME: (None, "one_failed", False),
    }
    assert tasks["publish"]["upstream"] == ["check_staging", "load_table"]
    assert tasks[RUN_OUTCOME]["upstream"] == ["check_staging", "cleanup", "load_table", "publish", "report"]


def test_every_golden_job_compiles_to_a_dag_that_imports(airflow, tmp_path, secret_dir):
    jobs = sorted(GOLDEN_JOBS.glob("*.yaml"))
    dags = tmp_path / "dags"
    compile_jobs("airflow", dags, *jobs)

    report = airflow.load_dags(dags, extra_env=engine_env(REPO_ROOT, secret_dir))

    assert report.import_errors == {}, report.output
    assert len(report.dag_ids) == len(jobs)


# -- run parameters -----------------------------------------------------------------------------

PARAMS_JOB = """\
    job_id: airflow_params
    params:
      label:
        type: string
        default: "from default {{ ds }}"
        description: Written into the row
      amount:
        type: integer
        default: 3
      ratio:
        type: number
        default: 0.5
      flag:
        type: boolean
        default: false
    tasks:
      write_row:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        retries: 1
        retry_delay: 1s
        kwargs: {sql_file_path: orchestration/sql/write_param_row.sql}
"""
PARAMS_SQL = {
    "write_param_row.sql": """\
        INSERT INTO param_rows (label, amount, ratio, flag, ds)
        VALUES (%(label)s, %(amount)s, %(ratio)s, %(flag)s, %(execution_date)s::date);
    """,
}


@pytest.fixture
def params_dags(project, tmp_path, postgres):
    add_job(project, PARAMS_JOB, PARAMS_SQL)
    postgres.execute(
        "DROP TABLE IF EXISTS param_rows; "
        "CREATE TABLE param_rows (label text, amount integer, ratio numeric, flag boolean, ds date)"
    )
    return compile_project(project, tmp_path)


def test_run_parameters_reach_the_sql_with_their_defaults(airflow, params_dags, project, secret_dir, postgres):
    report = airflow.run_dag(params_dags, "airflow_params", LOGICAL_DATE, extra_env=engine_env(project, secret_dir))

    assert report.state == "success", report.tail()
    assert postgres.fetch("SELECT label, amount, ratio::text, flag, ds::text FROM param_rows") == [
        ("from default {{ ds }}", 3, "0.5", False, "2024-03-01"),
    ]


@pytest.mark.parametrize("airflow_merges_conf", ["True", "False"])
def test_a_runs_conf_overrides_the_run_parameters(
    airflow, params_dags, project, secret_dir, postgres, airflow_merges_conf
):
    conf = {"label": "from conf \"quoted\" {{ ti }}", "amount": 7, "flag": True}
    # Also when the deployment turned off Airflow's own merge of conf into params.
    env = {**engine_env(project, secret_dir), "AIRFLOW__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS": airflow_merges_conf}

    report = airflow.run_dag(params_dags, "airflow_params", LOGICAL_DATE, extra_env=env, run_conf=conf)

    assert report.state == "success", report.tail()
    assert postgres.fetch("SELECT label, amount, ratio::text, flag FROM param_rows") == [
        ("from conf \"quoted\" {{ ti }}", 7, "0.5", True),
    ]


def test_an_unknown_run_parameter_fails_the_run_without_retrying(airflow, params_dags, project, secret_dir, postgres):
    report = airflow.run_dag(
        params_dags, "airflow_params", LOGICAL_DATE, extra_env=engine_env(project, secret_dir),
        run_conf={"amount": 4, "colour": "red"},
    )

    assert report.state == "failed", report.tail()
    task = report.task("write_row")
    assert (task.state, task.try_number) == ("failed", 1)  # retries: 1, but no second attempt
    assert "unknown run parameter(s): colour" in report.output
    assert postgres.fetch("SELECT count(*) FROM param_rows") == [(0,)]


def test_a_run_parameter_of_the_wrong_type_is_refused_before_the_run_exists(airflow, params_dags, project, secret_dir, postgres):
    with pytest.raises(ParamsRefused) as refused:
        airflow.run_dag(
            params_dags, "airflow_params", LOGICAL_DATE, extra_env=engine_env(project, secret_dir),
            run_conf={"amount": "seven"},
        )

    assert "seven" in refused.value.reason
    assert postgres.fetch("SELECT count(*) FROM param_rows") == [(0,)]


# -- trigger rules ------------------------------------------------------------------------------

TRIGGER_RULES_JOB = """\
    job_id: airflow_trigger_rules
    tasks:
      breaks:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        kwargs: {sql_file_path: orchestration/sql/breaks.sql, should_break: true}
      works:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: works}
      cleanup:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [breaks]
        trigger_rule: one_failed
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: cleanup}
      finally_done:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [breaks, works]
        trigger_rule: all_done
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: finally_done}
      after_breaks:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [breaks]
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: after_breaks}
      on_works_failure:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [works]
        trigger_rule: one_failed
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: on_works_failure}
"""
TRIGGER_RULES_SQL = {
    "mark.sql": "INSERT INTO marks (mark) VALUES (%(mark)s);\n",
    # Fails only when asked to, so one job file serves the failing and the passing run.
    "breaks.sql": "INSERT INTO marks (mark) SELECT 'breaks' WHERE 1 / (CASE WHEN %(should_break)s THEN 0 ELSE 1 END) = 1;\n",
}


@pytest.fixture
def marks(postgres):
    postgres.execute("DROP TABLE IF EXISTS marks; CREATE TABLE marks (mark text NOT NULL)")
    return lambda: sorted(row[0] for row in postgres.fetch("SELECT mark FROM marks"))


def test_one_failed_and_all_done_tasks_run_after_a_failure_and_the_run_still_fails(
    airflow, project, tmp_path, secret_dir, marks
):
    add_job(project, TRIGGER_RULES_JOB, TRIGGER_RULES_SQL)
    dags = compile_project(project, tmp_path)

    report = airflow.run_dag(dags, "airflow_trigger_rules", LOGICAL_DATE, extra_env=engine_env(project, secret_dir))

    assert report.state == "failed", report.tail()
    assert states(report) == {
        "breaks": "failed",
        "works": "success",
        "cleanup": "success",
        "finally_done": "success",
        "after_breaks": "upstream_failed",
        "on_works_failure": "skipped",
        RUN_OUTCOME: "failed",
    }
    assert marks() == ["cleanup", "finally_done", "works"]
    assert "the run failed because these tasks failed: breaks" in report.output


def test_without_a_failure_one_failed_tasks_are_skipped_and_the_run_succeeds(
    airflow, project, tmp_path, secret_dir, marks
):
    add_job(project, TRIGGER_RULES_JOB.replace("should_break: true", "should_break: false"), TRIGGER_RULES_SQL)
    dags = compile_project(project, tmp_path)

    report = airflow.run_dag(dags, "airflow_trigger_rules", LOGICAL_DATE, extra_env=engine_env(project, secret_dir))

    assert report.state == "success", report.tail()
    assert states(report) == {
        "breaks": "success",
        "works": "success",
        "cleanup": "skipped",
        "finally_done": "success",
        "after_breaks": "success",
        "on_works_failure": "skipped",
        RUN_OUTCOME: "skipped",
    }
    assert marks() == ["after_breaks", "breaks", "finally_done", "works"]


# -- task groups ---------------------------------------------------------------------------------

GROUPS_JOB = """\
    job_id: airflow_groups
    groups:
      extract:
        description: "Pull the \\"raw\\" data"
      inner:
        group: extract
      publish:
        depends_on: [extract]
    tasks:
      first:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        group: inner
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: first}
      second:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        group: extract
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: second}
      third:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        group: publish
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: third}
"""


def test_groups_become_nested_task_groups_and_their_dependencies_hold(
    airflow, project, tmp_path, secret_dir, marks
):
    add_job(project, GROUPS_JOB, {"mark.sql": TRIGGER_RULES_SQL["mark.sql"]})
    dags = compile_project(project, tmp_path)

    shape = airflow.load_dags(dags, extra_env=engine_env(project, secret_dir), describe=True)
    report = airflow.run_dag(dags, "airflow_groups", LOGICAL_DATE, extra_env=engine_env(project, secret_dir))

    dag = shape.dags["airflow_groups"]
    assert {group_id: (group["parent"], group["children"]) for group_id, group in dag["task_groups"].items()
            if group_id is not None} == {
        "extract": (None, ["inner", "second"]),
        "inner": ("extract", ["first"]),
        "publish": (None, ["third"]),
    }
    assert dag["task_groups"]["extract"]["tooltip"] == 'Pull the "raw" data'
    assert dag["tasks"]["third"]["upstream"] == ["first", "second"]
    assert report.state == "success", report.tail()
    assert states(report) == {"first": "success", "second": "success", "third": "success"}
    assert marks() == ["first", "second", "third"]


# -- fan-out -------------------------------------------------------------------------------------

FAN_OUT_JOB = """\
    job_id: airflow_fan_out
    tasks:
      load_table:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        for_each:
          parameter: table_name
          items: [orders, "cust'omers", "{{ ti }}"]
        kwargs: {sql_file_path: orchestration/sql/load_table.sql}
      count_tables:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [load_table]
        kwargs: {sql_file_path: orchestration/sql/count_tables.sql}
"""
FAN_OUT_SQL = {
    "load_table.sql": "INSERT INTO loaded (table_name, ds) VALUES (%(table_name)s, %(execution_date)s::date);\n",
    "count_tables.sql": "INSERT INTO loaded_count (tables) SELECT count(*) FROM loaded;\n",
}


def test_fan_out_runs_once_per_item_and_the_next_task_waits_for_every_run(
    airflow, project, tmp_path, secret_dir, postgres
):
    add_job(project, FAN_OUT_JOB, FAN_OUT_SQL)
    postgres.execute(
        "DROP TABLE IF EXISTS loaded, loaded_count; "
        "CREATE TABLE loaded (table_name text, ds date); CREATE TABLE loaded_count (tables integer)"
    )
    dags = compile_project(project, tmp_path)

    report = airflow.run_dag(dags, "airflow_fan_out", LOGICAL_DATE, extra_env=engine_env(project, secret_dir))

    assert report.state == "success", report.tail()
    assert [(ti.map_index, ti.state, ti.try_number) for ti in report.mapped_instances["load_table"]] == [
        (0, "success", 1), (1, "success", 1), (2, "success", 1),
    ]
    assert report.task("count_tables").state == "success"
    assert sorted(postgres.fetch("SELECT table_name, ds::text FROM loaded")) == [
        ("cust'omers", "2024-03-01"), ("orders", "2024-03-01"), ("{{ ti }}", "2024-03-01"),
    ]
    # count_tables ran after all three inserts (fan-in).
    assert postgres.fetch("SELECT tables FROM loaded_count") == [(3,)]


# -- failure alerts ------------------------------------------------------------------------------


def test_a_task_failing_its_last_attempt_sends_one_webhook_alert_and_one_email(
    airflow, project, tmp_path, secret_dir, marks
):
    with WebhookReceiver() as webhook, SMTPReceiver() as smtp:
        add_job(project, f"""\
            job_id: airflow_alerts
            on_failure:
              webhook: {webhook.url}
            tasks:
              breaks:
                function: PostgreSQLFunction
                secret_key: postgres_credentials
                retries: 1
                retry_delay: 1s
                on_failure:
                  email: [owner@example.com, second@example.com]
                kwargs: {{sql_file_path: orchestration/sql/breaks.sql, should_break: true}}
              fine:
                function: PostgreSQLFunction
                secret_key: postgres_credentials
                kwargs: {{sql_file_path: orchestration/sql/mark.sql, mark: fine}}
            """, TRIGGER_RULES_SQL)
        dags = compile_project(project, tmp_path)

        report = airflow.run_dag(
            dags, "airflow_alerts", LOGICAL_DATE, extra_env={**engine_env(project, secret_dir), **smtp.environment()}
        )

        [alert] = webhook.wait_for(1)
        [mail] = smtp.wait_for(1)
        envelopes = smtp.envelopes
    assert report.state == "failed", report.tail()
    assert (report.task("breaks").state, report.task("breaks").try_number) == ("failed", 2)
    assert report.task("fine").state == "success"
    # Only the last attempt alerts, once per webhook and once by e-mail; the task that succeeded never does.
    assert len(webhook.messages) == 1
    assert {key: alert[key] for key in ("event", "job_id", "task_id", "run_id", "attempt", "max_attempts")} == {
        "event": "task_failed",
        "job_id": "airflow_alerts",
        "task_id": "breaks",
        "run_id": report.run_id,
        "attempt": 2,
        "max_attempts": 2,
    }
    assert alert["logical_date"].startswith("2024-03-01")
    assert alert["error"].startswith("DivisionByZero")
    assert [sorted(envelope.recipients) for envelope in envelopes] == [["owner@example.com", "second@example.com"]]
    assert "breaks" in mail["Subject"]
