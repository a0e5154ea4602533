"""Run parameters, failure alerts, trigger rules, task groups and fan-out, compiled by jobc into
Dagster 1.13 modules and run by a real Dagster (dagster_harness) against a real PostgreSQL 15.

Each test writes its job and SQL into a scratch project (a copy of orchestration/ and secret/), so
the job, what it does and what the test expects are read together.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import textwrap

import pytest
from alert_receiver import WebhookReceiver
from jobc_cli import compile_jobs
from jobc_test_support import REPO_ROOT

UTC = datetime.timezone.utc
LOGICAL_DATE = datetime.datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
RUN_OUTCOME = "jobc_run_outcome"
FEATURES_GOLDEN_JOB = REPO_ROOT / "Tests" / "JobcEmittersTests" / "Golden" / "jobs" / "features_dagster_all.yaml"
FLAT_GROUPS_GOLDEN_JOB = REPO_ROOT / "Tests" / "JobcEmittersTests" / "Golden" / "jobs" / "features_dagster_groups_flat.yaml"
EXECUTORS = ["in_process", "multiprocess"]


@pytest.fixture
def project(tmp_path):
    """A scratch jobc project: the repository's functions and secret store, plus what a test adds."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "orchestration", root / "orchestration", ignore=shutil.ignore_patterns("job", "__pycache__"))
    shutil.copytree(REPO_ROOT / "secret", root / "secret")
    (root / "orchestration" / "job").mkdir()
    return root


def add_job(project, job_yaml: str, sql: dict[str, str]) -> str:
    for name, text in sql.items():
        (project / "orchestration" / "sql" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    text = textwrap.dedent(job_yaml)
    job_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("job_id:"))
    (project / "orchestration" / "job" / f"{job_id}.yaml").write_text(text, encoding="utf-8")
    return job_id


def compile_project(project, tmp_path):
    out = tmp_path / "dagster_modules"
    compile_jobs("dagster", out, project / "orchestration" / "job", root=project)
    return out


def engine_env(project, secret_dir) -> dict[str, str]:
    return {"JOBC_PROJECT_ROOT": str(project), "JOBC_SECRET_DIR": str(secret_dir)}


def run(dagster, project, tmp_path, secret_dir, job_id, **options):
    modules = compile_project(project, tmp_path)
    return dagster.run_job(modules / f"{job_id}.py", job_id, LOGICAL_DATE, extra_env=engine_env(project, secret_dir),
                           **options)


def outcomes(report) -> dict[str, tuple[str, str | None, int]]:
    """{task id: (Dagster step status, jobc outcome, attempts)}."""
    return {name: (op.status, op.outcome, op.attempts) for name, op in report.ops.items()}


def inspect_module(dagster, module, script: str) -> list[str]:
    """Run ``script`` (which finds the job module as ``job_module``) in the Dagster venv; its output lines."""
    prelude = textwrap.dedent(f"""\
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location({module.stem!r}, {str(module)!r})
        job_module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = job_module
        spec.loader.exec_module(job_module)
        """)
    completed = subprocess.run([str(dagster.python), "-c", prelude + textwrap.dedent(script)], env=dagster.env(),
                               cwd=dagster.home, capture_output=True, text=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.splitlines()


# -- the golden jobs: every feature at once ------------------------------------------------------


def test_job_with_every_feature_loads_with_nested_graphs_a_params_resource_and_mapping(dagster, tmp_path):
    out = tmp_path / "modules"
    compile_jobs("dagster", out, FEATURES_GOLDEN_JOB)
    module = out / "features_dagster_all.py"

    assert dagster.validate(module).ok
    lines = inspect_module(dagster, module, """\
        import json
        import dagster as dg
        job = job_module.defs.get_job_def("features_dagster_all")
        ops = {}
        for handle in job.graph.iterate_node_handles():
            node = job.graph.get_node(handle)
            if isinstance(node.definition, dg.OpDefinition):
                ops[str(handle)] = sorted(node.definition.ins)
        print(json.dumps(ops, sort_keys=True))
        fields = job.resource_defs["jobc_params"].config_schema.as_field().config_type.fields
        print(json.dumps({name: [field.config_type.given_name, field.default_value, field.description]
                          for name, field in fields.items()}, sort_keys=True))
        print(job.graph.node_named("staging").definition.description)
        """)
    assert json.loads(lines[0]) == {
        "extract": [],
        "staging.per_table.load_table_items_": [],
        "staging.per_table.load_table": ["extract", "jobc_item_"],
        "staging.check_staging": ["load_table"],
        "defs.publish": ["check_staging", "load_table"],
        "cleanup": ["publish"],
        "report_items_": ["load_table"],
        "report": ["jobc_item_", "load_table", "publish"],
        RUN_OUTCOME: ["check_staging", "cleanup", "extract", "load_table", "publish", "report"],
    }
    assert json.loads(lines[1]) == {
        "region": ["String", 'emea "north" \\ {{ ds }}\n', 'Sales region to load ("quoted")'],
        "min_quantity": ["Int", 1, None],
        "ratio": ["Float", 0.5, None],
        "dry_run": ["Bool", False, None],
    }
    assert lines[2:] == ["Load the raw tables ", " (second line)"]


def test_groups_that_cannot_nest_become_op_tags(dagster, tmp_path):
    out = tmp_path / "modules"
    compile_jobs("dagster", out, FLAT_GROUPS_GOLDEN_JOB)
    module = out / "features_dagster_groups_flat.py"

    assert dagster.validate(module).ok
    lines = inspect_module(dagster, module, """\
        job = job_module.defs.get_job_def("features_dagster_groups_flat")
        for node in sorted(job.graph.nodes, key=lambda node: node.name):
            print(node.name, node.definition.tags.get("jobc/group"))
        """)
    assert lines == ["first loop/inner", "first_items_ None", "outside None", "outside_items_ None", "second loop"]


# -- run parameters -------------------------------------------------------------------------------

PARAMS_JOB = """\
    job_id: dagster_params
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
    groups:
      writing: {}
    tasks:
      write_row:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        group: writing
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
def params_job(project, postgres):
    postgres.execute(
        "DROP TABLE IF EXISTS param_rows; "
        "CREATE TABLE param_rows (label text, amount integer, ratio numeric, flag boolean, ds date)"
    )
    return add_job(project, PARAMS_JOB, PARAMS_SQL)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_run_parameters_reach_the_sql_with_their_defaults(dagster, project, tmp_path, secret_dir, postgres, params_job,
                                                         executor):
    report = run(dagster, project, tmp_path, secret_dir, params_job, executor=executor)

    assert report.success, report.tail()
    assert report.op("write_row").handle == "writing.write_row"
    assert postgres.fetch("SELECT label, amount, ratio::text, flag, ds::text FROM param_rows") == [
        ("from default {{ ds }}", 3, "0.5", False, "2024-03-01"),
    ]


def test_run_config_overrides_the_run_parameters(dagster, project, tmp_path, secret_dir, postgres, params_job):
    overrides = {"label": "from run config \"quoted\" {{ ti }}", "amount": 7, "ratio": 2, "flag": True}

    report = run(dagster, project, tmp_path, secret_dir, params_job, params=overrides)

    assert report.success, report.tail()
    # ratio 2: an integer is a number; it reaches the SQL as given (Dagster's Float would make it 2.0).
    assert postgres.fetch("SELECT label, amount, ratio::text, flag FROM param_rows") == [
        ("from run config \"quoted\" {{ ti }}", 7, "2", True),
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"amount": 4, "colour": "red"}, 'Received unexpected config entry "colour"'),
     ({"amount": "seven"}, 'Invalid scalar at path root:resources:jobc_params:config:amount')],
    ids=["unknown-name", "wrong-type"],
)
def test_dagster_refuses_bad_run_parameters_before_any_op_starts(dagster, project, tmp_path, secret_dir, postgres,
                                                                 params_job, overrides, message):
    modules = compile_project(project, tmp_path)
    completed = subprocess.run(
        [str(dagster.python), str(REPO_ROOT / "Tests" / "integration" / "dagster_job_runner.py"),
         "--module", str(modules / f"{params_job}.py"), "--job", params_job,
         "--run-config", json.dumps({"resources": {"jobc_params": {"config": overrides}}})],
        env=dagster.env(engine_env(project, secret_dir)), cwd=dagster.home, capture_output=True, text=True,
        check=False, timeout=300,
    )

    # No run is created: execute_in_process raises DagsterInvalidConfigError.
    assert completed.returncode != 0
    assert "DagsterInvalidConfigError" in completed.stderr
    assert message in completed.stderr
    assert postgres.fetch("SELECT count(*) FROM param_rows") == [(0,)]


# -- trigger rules --------------------------------------------------------------------------------

TRIGGER_RULES_JOB = """\
    job_id: dagster_trigger_rules
    tasks:
      breaks:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        retries: 1
        retry_delay: 1s
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
      after_after_breaks:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [after_breaks]
        trigger_rule: one_failed
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: after_after_breaks}
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


@pytest.mark.parametrize("executor", EXECUTORS)
def test_one_failed_and_all_done_tasks_run_after_a_failure_and_the_run_still_fails(
    dagster, project, tmp_path, secret_dir, marks, executor
):
    job_id = add_job(project, TRIGGER_RULES_JOB, TRIGGER_RULES_SQL)

    report = run(dagster, project, tmp_path, secret_dir, job_id, executor=executor)

    assert not report.success, report.tail()
    # The failed task's step "succeeds" (its failure is handled and passed on as its outcome).
    assert outcomes(report) == {
        "breaks": ("success", "failed", 2),
        "works": ("success", "success", 1),
        "cleanup": ("success", "success", 1),
        "finally_done": ("success", "success", 1),
        "after_breaks": ("success", "upstream_failed", 1),
        # upstream_failed counts as a failure for one_failed, as on Airflow.
        "after_after_breaks": ("success", "success", 1),
        "on_works_failure": ("success", "skipped", 1),
    }
    assert [errors[-1] for errors in report.op("breaks").errors] == ["DivisionByZero"]  # the retried attempt
    assert report.helpers[RUN_OUTCOME].status == "failure"
    assert marks() == ["after_after_breaks", "cleanup", "finally_done", "works"]
    assert "jobc job dagster_trigger_rules: task(s) failed: breaks" in report.output
    # The handled failure is in the run's log at ERROR, with the function's error.
    assert "jobc task dagster_trigger_rules/breaks failed at its last attempt (2 of 2)" in report.output
    assert "division by zero" in report.output


def test_without_a_failure_one_failed_tasks_are_skipped_and_the_run_succeeds(
    dagster, project, tmp_path, secret_dir, marks
):
    job_id = add_job(project, TRIGGER_RULES_JOB.replace("should_break: true", "should_break: false"), TRIGGER_RULES_SQL)

    report = run(dagster, project, tmp_path, secret_dir, job_id)

    assert report.success, report.tail()
    assert {name: op.outcome for name, op in report.ops.items()} == {
        "breaks": "success",
        "works": "success",
        "cleanup": "skipped",
        "finally_done": "success",
        "after_breaks": "success",
        "after_after_breaks": "skipped",
        "on_works_failure": "skipped",
    }
    assert report.helpers[RUN_OUTCOME].status == "success"
    assert marks() == ["after_breaks", "breaks", "finally_done", "works"]


# -- task groups ----------------------------------------------------------------------------------

GROUPS_JOB = """\
    job_id: dagster_groups
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
        kwargs: {sql_file_path: orchestration/sql/mark_after.sql, mark: first, after: ""}
      second:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        group: extract
        depends_on: [first]
        kwargs: {sql_file_path: orchestration/sql/mark_after.sql, mark: second, after: first}
      third:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        group: publish
        kwargs: {sql_file_path: orchestration/sql/mark_after.sql, mark: third, after: second}
      last:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [first, third]
        kwargs: {sql_file_path: orchestration/sql/mark_after.sql, mark: last, after: third}
"""
# Fails unless the mark it must come after is already there: order is checked by the job itself.
MARK_AFTER_SQL = {
    "mark_after.sql": """\
        INSERT INTO marks (mark)
        SELECT %(mark)s WHERE %(after)s = '' OR 1 / (SELECT count(*) FROM marks WHERE mark = %(after)s) = 1;
    """,
}


@pytest.mark.parametrize("executor", EXECUTORS)
def test_groups_become_nested_graphs_and_their_dependencies_hold(dagster, project, tmp_path, secret_dir, marks,
                                                                 executor):
    job_id = add_job(project, GROUPS_JOB, MARK_AFTER_SQL)

    report = run(dagster, project, tmp_path, secret_dir, job_id, executor=executor)

    assert report.success, report.tail()
    assert {name: (op.handle, op.status, op.attempts) for name, op in report.ops.items()} == {
        "first": ("extract.inner.first", "success", 1),
        "second": ("extract.second", "success", 1),
        "third": ("publish.third", "success", 1),
        "last": ("last", "success", 1),
    }
    assert marks() == ["first", "last", "second", "third"]


def test_a_failure_inside_a_group_stops_what_waits_for_the_group(dagster, project, tmp_path, secret_dir, marks):
    job_id = add_job(project, GROUPS_JOB.replace("mark: second, after: first", "mark: second, after: nothing"),
                     MARK_AFTER_SQL)

    report = run(dagster, project, tmp_path, secret_dir, job_id)

    assert not report.success
    assert report.statuses() == {"first": ("success", 1), "second": ("failure", 1), "third": ("skipped", 0),
                                 "last": ("skipped", 0)}
    assert marks() == ["first"]


def test_a_group_and_a_task_may_share_the_jobs_name(dagster, project, tmp_path, secret_dir, marks):
    # The job's graph, a nested graph and an op all named alike: Dagster keeps job names apart from
    # node names, so jobc needs no rule against it.
    job_id = add_job(project, GROUPS_JOB.replace("job_id: dagster_groups", "job_id: second")
                     .replace("  extract:\n", "  second_stage:\n").replace("group: extract", "group: second_stage")
                     .replace("depends_on: [extract]", "depends_on: [second_stage]")
                     .replace("  inner:\n", "  third:\n").replace("group: inner", "group: third")
                     .replace("  third:\n        function", "  publisher:\n        function")
                     .replace("depends_on: [first, third]", "depends_on: [first, publisher]"), MARK_AFTER_SQL)
    assert job_id == "second"

    report = run(dagster, project, tmp_path, secret_dir, job_id)

    assert report.success, report.tail()
    assert {name: op.handle for name, op in report.ops.items()} == {
        "first": "second_stage.third.first", "second": "second_stage.second", "publisher": "publish.publisher",
        "last": "last",
    }
    assert marks() == ["first", "last", "second", "third"]


# -- fan-out --------------------------------------------------------------------------------------

FAN_OUT_JOB = """\
    job_id: dagster_fan_out
    groups:
      loading: {}
    tasks:
      prepare:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: prepare}
      load_table:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        group: loading
        depends_on: [prepare]
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
    "mark.sql": TRIGGER_RULES_SQL["mark.sql"],
    # Fails for the item 'fail' (division by zero), so one job serves the passing and the failing run.
    "load_table.sql": "INSERT INTO loaded (table_name, ds, prepared) SELECT %(table_name)s, %(execution_date)s::date, "
                      "(SELECT count(*) FROM marks) WHERE 1 / (CASE WHEN %(table_name)s = 'fail' THEN 0 ELSE 1 END) = 1;\n",
    "count_tables.sql": "INSERT INTO loaded_count (tables) SELECT count(*) FROM loaded;\n",
}


@pytest.fixture
def loaded(postgres, marks):
    postgres.execute(
        "DROP TABLE IF EXISTS loaded, loaded_count; "
        "CREATE TABLE loaded (table_name text, ds date, prepared integer); CREATE TABLE loaded_count (tables integer)"
    )
    return postgres


@pytest.mark.parametrize("executor", EXECUTORS)
def test_fan_out_runs_once_per_item_and_the_next_task_waits_for_every_run(
    dagster, project, tmp_path, secret_dir, loaded, executor
):
    job_id = add_job(project, FAN_OUT_JOB, FAN_OUT_SQL)

    report = run(dagster, project, tmp_path, secret_dir, job_id, executor=executor)

    assert report.success, report.tail()
    load_table = report.op("load_table")
    assert load_table.handle == "loading.load_table"
    assert [(item.key, item.status, item.attempts) for item in load_table.items] == [
        ("item_0", "success", 1), ("item_1", "success", 1), ("item_2", "success", 1),
    ]
    assert sorted(loaded.fetch("SELECT table_name, ds::text, prepared FROM loaded")) == [
        ("cust'omers", "2024-03-01", 1), ("orders", "2024-03-01", 1), ("{{ ti }}", "2024-03-01", 1),
    ]
    # count_tables ran after all three inserts (fan-in).
    assert loaded.fetch("SELECT tables FROM loaded_count") == [(3,)]


def test_a_fan_out_task_after_a_fan_out_task_waits_for_every_run(dagster, project, tmp_path, secret_dir, loaded):
    job = FAN_OUT_JOB.replace(
        "        kwargs: {sql_file_path: orchestration/sql/count_tables.sql}",
        "        for_each: {parameter: label, items: [first, second]}\n"
        "        kwargs: {sql_file_path: orchestration/sql/count_tables_labelled.sql}")
    job_id = add_job(project, job, {
        **FAN_OUT_SQL,
        "count_tables_labelled.sql": "INSERT INTO loaded_count (tables) SELECT count(*) FROM loaded WHERE %(label)s <> '';\n",
    })

    report = run(dagster, project, tmp_path, secret_dir, job_id, executor="multiprocess")

    assert report.success, report.tail()
    assert [(item.key, item.status) for item in report.op("count_tables").items] == [
        ("item_0", "success"), ("item_1", "success"),
    ]
    assert report.helpers["count_tables_items_"].status == "success"
    # Each run of count_tables started after every run of load_table.
    assert loaded.fetch("SELECT tables FROM loaded_count") == [(3,), (3,)]


def test_a_failed_item_is_retried_alone_and_fails_the_fan_in(dagster, project, tmp_path, secret_dir, loaded):
    job = FAN_OUT_JOB.replace('"{{ ti }}"]', "fail]").replace(
        "      for_each:", "      retries: 1\n        retry_delay: 1s\n        for_each:")
    job_id = add_job(project, job, FAN_OUT_SQL)

    report = run(dagster, project, tmp_path, secret_dir, job_id)

    assert not report.success
    assert [(item.key, item.status, item.attempts) for item in report.op("load_table").items] == [
        ("item_0", "success", 1), ("item_1", "success", 1), ("item_2", "failure", 2),
    ]
    assert report.statuses()["count_tables"] == ("skipped", 0)
    assert sorted(row[0] for row in loaded.fetch("SELECT table_name FROM loaded")) == ["cust'omers", "orders"]


FAN_OUT_RULES_JOB = """\
    job_id: dagster_fan_out_rules
    tasks:
      load_table:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        for_each:
          parameter: table_name
          items: [orders, fail, customers]
        kwargs: {sql_file_path: orchestration/sql/load_table.sql}
      mark_each:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [load_table]
        trigger_rule: all_done
        for_each:
          parameter: mark
          items: [x, y]
        kwargs: {sql_file_path: orchestration/sql/mark.sql}
      count_tables:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [load_table]
        kwargs: {sql_file_path: orchestration/sql/count_tables.sql}
      after_count:
        function: PostgreSQLFunction
        secret_key: postgres_credentials
        depends_on: [count_tables]
        trigger_rule: one_failed
        kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: cleanup}
"""


def test_fan_out_with_trigger_rules_passes_every_items_outcome_on(dagster, project, tmp_path, secret_dir, loaded, marks):
    job_id = add_job(project, FAN_OUT_RULES_JOB, FAN_OUT_SQL)

    report = run(dagster, project, tmp_path, secret_dir, job_id)

    assert not report.success
    assert [(item.key, item.outcome) for item in report.op("load_table").items] == [
        ("item_0", "success"), ("item_1", "failed"), ("item_2", "success"),
    ]
    assert {name: op.outcome for name, op in report.ops.items()} == {
        "load_table": "failed", "mark_each": "success", "count_tables": "upstream_failed", "after_count": "success",
    }
    assert marks() == ["cleanup", "x", "y"]
    assert report.helpers[RUN_OUTCOME].status == "failure"


# -- failure alerts -------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [False, True], ids=["plain", "outcome-passing"])
def test_a_task_failing_its_last_attempt_sends_one_webhook_alert(dagster, project, tmp_path, secret_dir, marks, rules):
    with WebhookReceiver() as webhook:
        job = textwrap.dedent(f"""\
            job_id: dagster_alerts
            on_failure:
              webhook: {webhook.url}
            tasks:
              breaks:
                function: PostgreSQLFunction
                secret_key: postgres_credentials
                retries: 1
                retry_delay: 1s
                kwargs: {{sql_file_path: orchestration/sql/breaks.sql, should_break: true}}
              fine:
                function: PostgreSQLFunction
                secret_key: postgres_credentials
                kwargs: {{sql_file_path: orchestration/sql/mark.sql, mark: fine}}
            """)
        if rules:
            job += textwrap.indent(textwrap.dedent("""\
                cleanup:
                  function: PostgreSQLFunction
                  secret_key: postgres_credentials
                  depends_on: [breaks]
                  trigger_rule: one_failed
                  kwargs: {sql_file_path: orchestration/sql/mark.sql, mark: cleanup}
                """), "  ")
        job_id = add_job(project, job, TRIGGER_RULES_SQL)

        report = run(dagster, project, tmp_path, secret_dir, job_id)

        [alert] = webhook.wait_for(1)
    assert not report.success, report.tail()
    assert report.op("breaks").attempts == 2
    # Only the last attempt alerts; the tasks that succeeded never do.
    assert len(webhook.messages) == 1
    assert {key: alert[key] for key in ("event", "job_id", "task_id", "run_id", "attempt", "max_attempts")} == {
        "event": "task_failed",
        "job_id": "dagster_alerts",
        "task_id": "breaks",
        "run_id": report.run_id,
        "attempt": 2,
        "max_attempts": 2,
    }
    assert alert["logical_date"].startswith("2024-03-01")
    assert alert["error"].startswith("DivisionByZero: division by zero")
    assert marks() == (["cleanup", "fine"] if rules else ["fine"])
