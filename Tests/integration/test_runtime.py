"""jobc_runtime + the project's functions against a real PostgreSQL cluster."""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import os
import pathlib
import subprocess
import sys
import time
import traceback
from decimal import Decimal

import jobc_runtime
import psycopg2
import psycopg2.errors
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jobc_runtime import (
    FunctionLoadError,
    ProjectRootNotFoundError,
    SecretError,
    TaskConfigurationError,
    find_project_root,
    load_function,
    resolve_secret,
    run_task,
)
from jobc_test_support import FIXTURE_FUNCTIONS, run_task_attempt

UTC = datetime.timezone.utc
DATE = datetime.datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
OTHER_DATE = datetime.datetime(2024, 3, 2, 0, 0, tzinfo=UTC)
SEED_SQL = "orchestration/sql/seed_source.sql"
TRANSFORM_SQL = "orchestration/sql/transform_source_to_sink.sql"
FAILING_SQL = "Tests/integration/fixtures/sql/failing.sql"
BIND_SQL = "Tests/integration/fixtures/sql/bind_params.sql"
EXPECTED_SINK = [
    ("alpha", Decimal("30.00"), 2),
    ("beta", Decimal("7.50"), 2),
    ("gamma", Decimal("100.25"), 1),
]


def run(**overrides):
    """run_task with the arguments of the sample job, overridable per test."""
    arguments = dict(
        job_id="derived_dataset_materialize_sink",
        task_id="postgres_transformation_task",
        run_id="test_run",
        execution_date=DATE,
        attempt=1,
        max_attempts=1,
        module="postgres_sql_function",
        class_name="PostgreSQLFunction",
        kwargs={"sql_file_path": TRANSFORM_SQL, "use_dict_cursor": True},
        secret_key="postgres_credentials",
    )
    arguments.update(overrides)
    return run_task_attempt(**arguments)


def probe(**overrides):
    """run_task with the database-free ProbeFunction."""
    arguments = dict(module="recording_functions", class_name="ProbeFunction", kwargs={}, secret_key=None)
    arguments.update(overrides)
    return run(**arguments)


def function_base(project_root):
    return jobc_runtime.load_function_base(project_root)


def fetch(postgres, sql, params=None):
    return postgres.fetch(sql, params)


def execute(postgres, sql):
    postgres.execute(sql)


def assert_no_jobc_connections_left(postgres, timeout=10.0):
    """The function closed its connection: no jobc:* backend remains."""
    deadline = time.monotonic() + timeout
    sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'jobc:%%'"
    while (count := fetch(postgres, sql)[0][0]) and time.monotonic() < deadline:
        time.sleep(0.1)  # a backend exits shortly after its client closed
    assert count == 0


def sink_rows(postgres):
    return fetch(postgres, "SELECT ds, name, total, row_count FROM sink ORDER BY ds, name")


# -- the sample job ------------------------------------------------------------


def test_seed_then_transform_materializes_the_expected_sink_rows(jobc_env, clean_db):
    assert run(kwargs={"sql_file_path": SEED_SQL}) == {"rowcount": 5}

    assert run() == {"rowcount": 3}

    assert_no_jobc_connections_left(clean_db)
    assert sink_rows(clean_db) == [(DATE.date(), *row) for row in EXPECTED_SINK]


def test_transform_is_idempotent_per_logical_date(jobc_env, clean_db):
    run(kwargs={"sql_file_path": SEED_SQL})
    run()
    run()  # same date again: replaces, does not duplicate
    run(execution_date=OTHER_DATE, kwargs={"sql_file_path": TRANSFORM_SQL, "use_dict_cursor": False})

    expected = [(day.date(), *row) for day in (DATE, OTHER_DATE) for row in EXPECTED_SINK]
    assert sink_rows(clean_db) == expected


def test_extra_kwargs_are_bind_parameters_and_double_percent_is_a_literal(jobc_env, clean_db):
    run(kwargs={"sql_file_path": BIND_SQL, "label": "from kwargs; DROP TABLE x"})

    assert fetch(clean_db, "SELECT ds, label, pattern FROM bind_target") == [
        (DATE.date(), "from kwargs; DROP TABLE x", "100% {{ ds }}")
    ]


def test_execution_date_is_supplied_by_the_runtime_not_kwargs(jobc_env):
    base = function_base(find_project_root())
    with pytest.raises(base.FunctionParameterError, match="execution_date"):
        run(kwargs={"sql_file_path": TRANSFORM_SQL, "execution_date": "1999-01-01"})


# -- failures: nothing committed, the right hook runs ------------------------------


def test_failing_sql_commits_nothing_and_runs_on_failure(jobc_env, clean_db, hook_log):
    execute(clean_db, "CREATE TABLE failing_target (ds date NOT NULL, note text NOT NULL)")

    # `raised` keeps the traceback, hence the function's frame and its
    # connection object, alive: only an explicit close() ends the backend.
    with pytest.raises(psycopg2.errors.DivisionByZero) as raised:
        run(
            module="recording_functions",
            class_name="RecordingSQLFunction",
            kwargs={"sql_file_path": FAILING_SQL},
            attempt=3,
            max_attempts=3,
        )

    # The INSERT ran before the error; one transaction means it is gone. (This
    # catches e.g. running the file statement by statement with commits.)
    assert fetch(clean_db, "SELECT count(*) FROM failing_target") == [(0,)]
    assert_no_jobc_connections_left(clean_db)
    assert raised.value.__traceback__ is not None
    assert hook_log.entries() == [
        {"hook": "pre_execute", "task_id": "postgres_transformation_task", "attempt": 3, "max_attempts": 3},
        {
            "hook": "on_failure",
            "task_id": "postgres_transformation_task",
            "attempt": 3,
            "max_attempts": 3,
            "error": "DivisionByZero",
        },
    ]


def test_failing_sql_with_attempts_left_runs_on_retry(jobc_env, clean_db, hook_log):
    execute(clean_db, "CREATE TABLE failing_target (ds date NOT NULL, note text NOT NULL)")

    with pytest.raises(psycopg2.errors.DivisionByZero):
        run(
            module="recording_functions",
            class_name="RecordingSQLFunction",
            kwargs={"sql_file_path": FAILING_SQL},
            attempt=1,
            max_attempts=3,
        )

    assert fetch(clean_db, "SELECT count(*) FROM failing_target") == [(0,)]
    assert hook_log.hooks() == ["pre_execute", "on_retry"]
    assert hook_log.entries()[-1]["error"] == "DivisionByZero"


@pytest.mark.parametrize(
    ("attempt", "max_attempts", "expected_hook"),
    [(1, 1, "on_failure"), (1, 3, "on_retry"), (2, 3, "on_retry"), (3, 3, "on_failure"), (4, 3, "on_failure")],
)
def test_failure_hook_depends_on_attempts_left(jobc_env, hook_log, attempt, max_attempts, expected_hook):
    with pytest.raises(RuntimeError, match="probe failure in execute"):
        probe(kwargs={"fail_in": "execute"}, attempt=attempt, max_attempts=max_attempts)

    assert hook_log.hooks() == ["pre_execute", "execute", expected_hook]
    assert hook_log.entries()[-1]["error"] == "ProbeFailure"


@pytest.mark.parametrize(
    ("phase", "hooks_before_failure"),
    [
        ("pre_execute", ["pre_execute"]),
        ("execute", ["pre_execute", "execute"]),
        ("post_execute", ["pre_execute", "execute", "post_execute"]),
    ],
)
def test_an_error_in_any_phase_runs_the_failure_hook_and_reraises(jobc_env, hook_log, phase, hooks_before_failure):
    with pytest.raises(RuntimeError, match=f"probe failure in {phase}") as raised:
        probe(kwargs={"fail_in": phase})

    assert type(raised.value).__name__ == "ProbeFailure"
    assert hook_log.hooks() == [*hooks_before_failure, "on_failure"]


@pytest.mark.parametrize("failing_hook", ["on_failure", "on_retry"])
def test_a_broken_failure_hook_is_logged_and_the_original_error_reraised(jobc_env, hook_log, caplog, failing_hook):
    max_attempts = {"on_failure": 1, "on_retry": 2}[failing_hook]
    caplog.set_level(logging.INFO)

    with pytest.raises(RuntimeError) as raised:
        probe(kwargs={"fail_in": "execute", "failing_hook": failing_hook}, attempt=1, max_attempts=max_attempts)

    assert type(raised.value).__name__ == "ProbeFailure"
    assert hook_log.hooks() == ["pre_execute", "execute", failing_hook]
    [record] = [r for r in caplog.records if f"ProbeFunction.{failing_hook} raised" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert type(record.exc_info[1]).__name__ == "HookFailure"


def test_success_runs_every_hook_in_order_and_returns_the_result(jobc_env, hook_log):
    result = probe(kwargs={"answer": 42}, run_id="scheduled__2024-03-01", params={"region": "eu"}, max_attempts=3)

    assert result == {
        "kwargs": {"answer": 42},
        "execution_date": "2024-03-01",
        "run_id": "scheduled__2024-03-01",
        "params": {"region": "eu"},
    }
    assert hook_log.hooks() == ["pre_execute", "execute", "post_execute", "on_success"]


# -- parameter and configuration errors --------------------------------------------


def test_missing_required_params_error_lists_every_missing_one(jobc_env, project_root):
    base = function_base(project_root)

    with pytest.raises(base.FunctionParameterError) as raised:
        probe(class_name="NeedsManyParams", kwargs={"target_table": "sink", "partition_column": None})

    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert "NeedsManyParams is missing required parameter(s): source_table, partition_column" in message
    assert "target_table" not in message


def test_postgres_function_without_sql_file_path_is_rejected(jobc_env, project_root):
    base = function_base(project_root)
    with pytest.raises(base.FunctionParameterError, match="missing required parameter\\(s\\): sql_file_path"):
        run(kwargs={"use_dict_cursor": True})


@pytest.mark.parametrize("bad_value", ["yes", 1, None])
def test_use_dict_cursor_must_be_boolean(jobc_env, project_root, bad_value):
    base = function_base(project_root)
    with pytest.raises(base.FunctionParameterError, match="use_dict_cursor must be a boolean"):
        run(kwargs={"sql_file_path": TRANSFORM_SQL, "use_dict_cursor": bad_value})


@pytest.mark.parametrize(
    "sql_file_path",
    ["../outside.sql", "orchestration/../../outside.sql", "/etc/passwd", "orchestration/sql/../../../etc/passwd"],
)
def test_sql_paths_outside_the_project_root_are_refused(jobc_env, project_root, sql_file_path):
    base = function_base(project_root)
    with pytest.raises(base.FunctionParameterError, match="absolute path|escapes the project root"):
        run(kwargs={"sql_file_path": sql_file_path})


def test_missing_sql_file_is_a_clear_error(jobc_env, project_root):
    base = function_base(project_root)
    with pytest.raises(base.FunctionParameterError, match="SQL file not found: .*orchestration/sql/nope.sql"):
        run(kwargs={"sql_file_path": "orchestration/sql/nope.sql"})


def test_function_that_requires_a_secret_needs_a_secret_key(jobc_env):
    with pytest.raises(TaskConfigurationError, match="requires a secret but task 'postgres_transformation_task'"):
        run(secret_key=None)


def test_naive_execution_date_is_rejected(jobc_env):
    with pytest.raises(TaskConfigurationError, match="timezone-aware"):
        probe(execution_date=datetime.datetime(2024, 3, 1))


# -- secrets -----------------------------------------------------------------------


@pytest.fixture
def isolated_secrets(tmp_path, monkeypatch):
    """A secret folder with ok.json, and a JSON file just outside it."""
    directory = tmp_path / "secrets"
    directory.mkdir()
    (directory / "ok.json").write_text(json.dumps({"token": "inside"}), encoding="utf-8")
    (tmp_path / "outside.json").write_text(json.dumps({"token": "outside"}), encoding="utf-8")
    monkeypatch.setenv("JOBC_SECRET_DIR", str(directory))
    return directory


def test_resolve_secret_reads_the_named_json_object(isolated_secrets):
    secret = resolve_secret("ok")
    assert dict(secret) == {"token": "inside"}
    with pytest.raises(TypeError):
        secret["token"] = "changed"  # read-only view


@pytest.mark.parametrize(
    "name",
    ["../outside", "..", "a/b", "/etc/passwd", "", ".hidden", "ok.json", "ok\n", "ok\x00", "ok ", "ök", "secrets/ok"],
)
def test_secret_names_that_could_escape_the_secret_folder_are_rejected(isolated_secrets, name):
    with pytest.raises(SecretError, match="invalid secret name"):
        resolve_secret(name)


def test_run_task_rejects_a_traversing_secret_key_before_running_anything(isolated_secrets, jobc_env, hook_log):
    jobc_env.setenv("JOBC_SECRET_DIR", str(isolated_secrets))
    with pytest.raises(SecretError, match="invalid secret name '../outside'"):
        probe(secret_key="../outside")
    assert hook_log.hooks() == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=30))
def test_only_plain_names_are_ever_looked_up_inside_the_secret_folder(isolated_secrets, name):
    plain = name != "" and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    if name == "ok":
        assert dict(resolve_secret(name)) == {"token": "inside"}
        return
    with pytest.raises(SecretError) as raised:
        resolve_secret(name)
    message = str(raised.value)
    if plain:
        assert message == f"secret {name!r} not found: {isolated_secrets / (name + '.json')} does not exist"
    else:
        assert message.startswith("invalid secret name")


def test_missing_secret_and_non_object_secret_are_clear_errors(isolated_secrets):
    with pytest.raises(SecretError, match="secret 'absent' not found: .*absent.json does not exist"):
        resolve_secret("absent")

    (isolated_secrets / "listy.json").write_text('["s3cr3t-in-a-list"]', encoding="utf-8")
    with pytest.raises(SecretError, match="must be a JSON object, got list") as raised:
        resolve_secret("listy")
    assert "s3cr3t" not in str(raised.value)

    (isolated_secrets / "broken.json").write_text('{"password": "s3cr3t-broken"', encoding="utf-8")
    with pytest.raises(SecretError, match="is not valid JSON") as raised:
        resolve_secret("broken")
    assert "s3cr3t" not in "".join(traceback.format_exception(raised.value))


def test_secret_without_connection_keys_names_them_but_not_the_values(jobc_env, tmp_path, project_root):
    (tmp_path / "partial.json").write_text(json.dumps({"host": "127.0.0.1", "password": "s3cr3t-partial"}))
    jobc_env.setenv("JOBC_SECRET_DIR", str(tmp_path))
    base = function_base(project_root)

    with pytest.raises(base.FunctionConfigurationError) as raised:
        run(secret_key="partial")

    assert str(raised.value) == "PostgreSQL secret is missing key(s): user, database or dbname"


def test_a_demo_style_secret_with_database_and_no_port_connects(jobc_env, clean_db, tmp_path, monkeypatch):
    """The demo's secret: host, database, user, password; no port, so libpq's default applies (5432,
    or PGPORT: the test cluster listens elsewhere, as the worker's environment would say)."""
    credentials = clean_db.credentials()
    demo = {"host": credentials["host"], "database": credentials["dbname"], "user": credentials["user"],
            "password": credentials["password"]}
    (tmp_path / "demo.json").write_text(json.dumps(demo))
    jobc_env.setenv("JOBC_SECRET_DIR", str(tmp_path))
    monkeypatch.setenv("PGPORT", str(credentials["port"]))

    assert run(kwargs={"sql_file_path": SEED_SQL}, secret_key="demo") == {"rowcount": 5}
    assert run(secret_key="demo") == {"rowcount": 3}


def test_a_secret_without_port_uses_libpqs_default(jobc_env, tmp_path, monkeypatch, project_root):
    """Without PGPORT, libpq's default is 5432: nothing listens there for the test cluster, so the
    connection is refused on that port (and the error names no secret value)."""
    monkeypatch.delenv("PGPORT", raising=False)
    (tmp_path / "noport.json").write_text(json.dumps(
        {"host": "127.0.0.1", "database": "jobc", "user": "jobc", "password": "s3cr3t-noport", "connect_timeout": 2}))
    jobc_env.setenv("JOBC_SECRET_DIR", str(tmp_path))
    with pytest.raises(psycopg2.OperationalError) as raised:
        run(secret_key="noport")
    assert "5432" in str(raised.value)
    assert "s3cr3t" not in str(raised.value)


def test_database_and_dbname_that_differ_are_an_error_naming_the_keys_not_the_values(jobc_env, clean_db, tmp_path, project_root):
    credentials = clean_db.credentials()
    (tmp_path / "both.json").write_text(json.dumps({**credentials, "database": "s3cr3t-other-db"}))
    (tmp_path / "same.json").write_text(json.dumps({**credentials, "database": credentials["dbname"]}))
    jobc_env.setenv("JOBC_SECRET_DIR", str(tmp_path))
    base = function_base(project_root)

    with pytest.raises(base.FunctionConfigurationError) as raised:
        run(secret_key="both")
    message = str(raised.value)
    assert "'database'" in message and "'dbname'" in message
    assert "s3cr3t" not in message and credentials["dbname"] not in message
    assert run(kwargs={"sql_file_path": SEED_SQL}, secret_key="same") == {"rowcount": 5}


def test_the_secret_value_never_appears_in_logs_errors_or_reprs(jobc_env, clean_db, tmp_path, caplog, project_root):
    caplog.set_level(logging.DEBUG)
    password = clean_db.password

    run(kwargs={"sql_file_path": SEED_SQL})
    run()
    # A failing connection (nothing listens on port 1) must not leak it either.
    (tmp_path / "unreachable.json").write_text(json.dumps({**clean_db.credentials(), "port": 1}))
    jobc_env.setenv("JOBC_SECRET_DIR", str(tmp_path))
    with pytest.raises(psycopg2.OperationalError) as raised:
        run(secret_key="unreachable")

    assert "Running SQL file orchestration/sql/transform_source_to_sink.sql" in caplog.text
    assert password not in caplog.text
    for record in caplog.records:
        assert password not in record.getMessage()
        assert password not in repr(record.args)
    assert password not in "".join(traceback.format_exception(raised.value))

    base = function_base(project_root)
    ctx = base.ExecutionContext(
        job_id="j", task_id="t", run_id="r", execution_date=DATE, attempt=1, max_attempts=1,
        project_root=project_root, secret=clean_db.credentials(),
    )
    assert password not in repr(ctx)
    assert "secret=" not in repr(ctx)


# -- project root and function loading ------------------------------------------------


def test_project_root_is_found_by_walking_up_from_the_working_directory(monkeypatch, project_root):
    monkeypatch.delenv("JOBC_PROJECT_ROOT", raising=False)
    monkeypatch.chdir(project_root / "Tests" / "integration" / "fixtures")
    assert find_project_root() == project_root.resolve()


def test_no_project_root_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("JOBC_PROJECT_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    expected = "no folder containing orchestration/function/ .*set JOBC_PROJECT_ROOT"
    with pytest.raises(ProjectRootNotFoundError, match=expected):
        find_project_root()


def test_project_root_env_must_point_at_a_project(monkeypatch, tmp_path, project_root):
    monkeypatch.setenv("JOBC_PROJECT_ROOT", str(tmp_path))
    monkeypatch.chdir(project_root)  # would be found by walking up; the env var wins
    with pytest.raises(ProjectRootNotFoundError, match="is not a jobc project root"):
        find_project_root()


def test_project_root_env_wins_over_the_working_directory(monkeypatch, tmp_path, project_root):
    (tmp_path / "orchestration" / "function").mkdir(parents=True)
    monkeypatch.setenv("JOBC_PROJECT_ROOT", str(tmp_path))
    monkeypatch.chdir(project_root)
    assert find_project_root() == tmp_path.resolve()


def test_load_function_returns_the_class(jobc_env, project_root):
    cls = load_function("postgres_sql_function", "PostgreSQLFunction", project_root=project_root)
    assert cls.__name__ == "PostgreSQLFunction"
    assert pathlib.Path(__import__(cls.__module__).__file__).parent == project_root / "orchestration" / "function"
    # Idempotent: loading again neither fails nor grows sys.path.
    before = list(sys.path)
    assert load_function("postgres_sql_function", "PostgreSQLFunction", project_root=project_root) is cls
    assert sys.path == before


@pytest.mark.parametrize(
    ("module", "class_name", "message"),
    [
        ("no_such_module", "X", "function module 'no_such_module' not found in .*orchestration/function"),
        ("recording_functions", "Missing", "module 'recording_functions' .* has no class 'Missing'"),
        ("recording_functions", "NotAFunction", "NotAFunction is not a subclass of function_abstract.Function"),
        ("recording_functions", "HOOK_LOG_ENV", "recording_functions.HOOK_LOG_ENV is not a subclass"),
        ("recording_functions", "AbstractFunction", "AbstractFunction is abstract \\(does not implement: execute\\)"),
        (
            "broken_import_function",
            "BrokenImportFunction",
            "module 'broken_import_function' failed to import: No module named 'jobc_dependency_that_is_not_installed'",
        ),
        ("../evil", "X", "invalid function module name '../evil'"),
        ("recording_functions", "a.b", "invalid function class name 'a.b'"),
    ],
)
def test_load_function_errors_are_clear(jobc_env, project_root, module, class_name, message):
    with pytest.raises(FunctionLoadError, match=message):
        load_function(module, class_name, project_root=project_root)


def test_runtime_and_functions_never_import_engine_code(project_root, secret_dir, tmp_path):
    # A fresh interpreter: the pytest process may have imported anything.
    script = f"""
import datetime, sys
import jobc_runtime
jobc_runtime.load_function("postgres_sql_function", "PostgreSQLFunction", project_root={str(project_root)!r})
definition = jobc_runtime.TaskDefinition(
    job_id="j", task_id="t", function_module="recording_functions", function_class="ProbeFunction",
    secret_key="postgres_credentials",
)
result = jobc_runtime.run_task(
    definition, run_id="r", execution_date=datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc),
    attempt=1, project_root={str(project_root)!r},
)
assert result["execution_date"] == "2024-03-01", result
engines = sorted(m for m in sys.modules if m.split(".")[0] in {{"airflow", "dagster", "prefect"}})
print("ENGINE_MODULES", engines)
"""
    env = {
        **os.environ,
        "JOBC_SECRET_DIR": str(secret_dir),
        "JOBC_TEST_HOOK_LOG": str(tmp_path / "hooks.jsonl"),
        "PYTHONPATH": str(FIXTURE_FUNCTIONS),
    }
    completed = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert "ENGINE_MODULES []" in completed.stdout


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01", datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)),
    ("2024-03-01T06:30:00", datetime.datetime(2024, 3, 1, 6, 30, tzinfo=datetime.timezone.utc)),
    ("2024-03-01T06:30:00Z", datetime.datetime(2024, 3, 1, 6, 30, tzinfo=datetime.timezone.utc)),
    # An offset is the same instant in UTC, so every target hands functions the same day.
    ("2024-03-01T00:30:00+01:00", datetime.datetime(2024, 2, 29, 23, 30, tzinfo=datetime.timezone.utc)),
])
def test_parse_logical_date_gives_the_same_utc_instant_on_every_target(text, expected):
    parsed = jobc_runtime.parse_logical_date(text)
    assert parsed == expected
    assert parsed.tzinfo == datetime.timezone.utc


@pytest.mark.parametrize("text", ["yesterday", "", "2024-02-30", "01/03/2024"])
def test_parse_logical_date_refuses_what_is_not_iso_8601(text):
    with pytest.raises(ValueError, match="is not an ISO 8601 date or date-time"):
        jobc_runtime.parse_logical_date(text)


# -- run parameters ------------------------------------------------------------------------

RUN_PARAMS_SQL = "Tests/integration/fixtures/sql/run_params.sql"
DECLARED_PARAMS = [
    {"name": "region", "type": "string", "default": "emea", "description": "Sales region"},
    {"name": "min_quantity", "type": "integer", "default": 1, "description": None},
    {"name": "ratio", "type": "number", "default": 0.5, "description": None},
    {"name": "dry_run", "type": "boolean", "default": False, "description": None},
]


def test_run_parameters_are_bound_next_to_kwargs_with_their_types(jobc_env, clean_db):
    params = jobc_runtime.resolve_params(DECLARED_PARAMS, {"region": "apac'; DROP TABLE x; --", "min_quantity": 3})

    run(kwargs={"sql_file_path": RUN_PARAMS_SQL, "label": "from kwargs"}, params=params)

    assert fetch(clean_db, "SELECT ds, label, pattern FROM bind_target") == [
        (DATE.date(), "apac'; DROP TABLE x; --/from kwargs", "3|integer|0.5|numeric|f|boolean")
    ]


def test_a_kwarg_named_like_a_run_parameter_is_refused_before_any_sql_runs(jobc_env, clean_db, project_root):
    base = function_base(project_root)
    params = jobc_runtime.resolve_params(DECLARED_PARAMS, None)

    with pytest.raises(base.FunctionParameterError) as raised:
        run(kwargs={"sql_file_path": RUN_PARAMS_SQL, "label": "x", "region": "kwarg", "ratio": 2}, params=params)

    assert str(raised.value) == (
        "kwarg(s) ratio, region have the name of a run parameter: %(name)s would be ambiguous; "
        "rename the kwarg or use the run parameter"
    )
    assert fetch(clean_db, "SELECT to_regclass('bind_target') IS NULL") == [(True,)]


def test_a_run_parameter_named_execution_date_is_refused(jobc_env, project_root):
    base = function_base(project_root)
    with pytest.raises(base.FunctionParameterError, match="run parameter\\(s\\) execution_date are supplied by"):
        run(kwargs={"sql_file_path": RUN_PARAMS_SQL}, params={"execution_date": "1999-01-01"})


def test_functions_see_the_run_parameters_read_only(jobc_env, hook_log, project_root):
    params = {"region": "emea", "min_quantity": 2}

    result = probe(params=params)
    params["region"] = "changed after the run"

    assert result["params"] == {"region": "emea", "min_quantity": 2}
    base = function_base(project_root)
    ctx = base.ExecutionContext(
        job_id="j", task_id="t", run_id="r", execution_date=DATE, attempt=1, max_attempts=1,
        project_root=project_root, params={"region": "emea"},
    )
    with pytest.raises(TypeError):
        ctx.params["region"] = "apac"


def test_params_must_be_a_mapping(jobc_env, hook_log):
    with pytest.raises(TaskConfigurationError, match="params must be a mapping, got list"):
        probe(params=[("region", "emea")])
    assert hook_log.hooks() == []


def test_resolve_params_gives_every_declared_name_in_order_defaults_first():
    assert list(jobc_runtime.resolve_params(DECLARED_PARAMS, None).items()) == [
        ("region", "emea"), ("min_quantity", 1), ("ratio", 0.5), ("dry_run", False),
    ]
    resolved = jobc_runtime.resolve_params(DECLARED_PARAMS, {"dry_run": True, "ratio": 2, "region": ""})
    assert list(resolved.items()) == [("region", ""), ("min_quantity", 1), ("ratio", 2), ("dry_run", True)]
    assert jobc_runtime.resolve_params([], {}) == {}


@pytest.mark.parametrize(
    ("parameter_type", "accepted", "refused"),
    [
        ("string", ["", "emea", "3"], [3, True, None, ["a"]]),
        ("integer", [0, -7, 2**40], [True, False, 1.0, "1", None]),
        ("number", [0, 1.5, -2, 1e300], [True, "1.5", float("nan"), float("inf"), None]),
        ("boolean", [True, False], [0, 1, "true", None]),
    ],
)
def test_resolve_params_accepts_exactly_the_values_of_the_declared_type(parameter_type, accepted, refused):
    declared = [{"name": "p", "type": parameter_type, "default": accepted[0]}]
    for value in accepted:
        resolved = jobc_runtime.resolve_params(declared, {"p": value})
        assert resolved == {"p": value} and type(resolved["p"]) is type(value)
    for value in refused:
        with pytest.raises(jobc_runtime.RunParameterError, match="run parameter 'p' must be "):
            jobc_runtime.resolve_params(declared, {"p": value})


@pytest.mark.parametrize(
    ("declared", "overrides", "message"),
    [
        (DECLARED_PARAMS, {"regoin": "x", "zone": 1}, "unknown run parameter(s): regoin, zone "
         "(the job declares: region, min_quantity, ratio, dry_run)"),
        ([], {"region": "x"}, "unknown run parameter(s): region (the job declares: none)"),
        (DECLARED_PARAMS, {"region": 1, "dry_run": "yes"}, "run parameter 'region' must be a string, got integer 1; "
         "run parameter 'dry_run' must be a boolean (true or false), got string 'yes'"),
        (DECLARED_PARAMS, "region=x", "run parameters must be a mapping of parameter names to values, got str"),
        ("region", None, "declared run parameters must be a list, got str"),
        ([{"name": "a", "type": "date", "default": "2024-01-01"}], None,
         "run parameter 'a' has an unknown type 'date' (expected string, integer, number, boolean)"),
        ([{"name": "a", "type": "integer"}], None, "run parameter 'a' has no default"),
        ([{"name": "a", "type": "integer", "default": "1"}], None,
         "the default of run parameter 'a' must be an integer, got string '1'"),
        ([{"name": "a", "type": "string", "default": ""}] * 2, None, "run parameter 'a' is declared twice"),
        ([{"name": "a b", "type": "string", "default": ""}], None,
         "declared run parameter #1 has an invalid name 'a b'"),
        (["a"], None, "declared run parameter #1 must be an object, got str"),
    ],
)
def test_resolve_params_errors_name_the_problem(declared, overrides, message):
    with pytest.raises(jobc_runtime.RunParameterError) as raised:
        jobc_runtime.resolve_params(declared, overrides)
    assert str(raised.value) == message
    assert isinstance(raised.value, TaskConfigurationError)


# -- trigger rules ------------------------------------------------------------------------------

S, F, U, K = "success", "failed", "upstream_failed", "skipped"


@pytest.mark.parametrize(
    ("rule", "upstream_states", "decision"),
    [
        # no upstream task: always runs
        ("all_success", [], "run"), ("all_done", [], "run"), ("one_failed", [], "run"),
        ("all_success", [S], "run"), ("all_success", [S, S, S], "run"),
        ("all_success", [S, F], "upstream_failed"), ("all_success", [S, U], "upstream_failed"),
        ("all_success", [K, F], "upstream_failed"), ("all_success", [S, K], "skipped"), ("all_success", [K], "skipped"),
        ("all_done", [S], "run"), ("all_done", [F], "run"), ("all_done", [U, K], "run"), ("all_done", [K], "run"),
        ("one_failed", [F], "run"), ("one_failed", [S, U], "run"), ("one_failed", [K, F, S], "run"),
        ("one_failed", [S], "skipped"), ("one_failed", [S, K], "skipped"), ("one_failed", [K], "skipped"),
    ],
)
def test_trigger_decision_follows_the_table(rule, upstream_states, decision):
    assert jobc_runtime.trigger_decision(rule, upstream_states) == decision
    assert jobc_runtime.trigger_decision(rule, iter(reversed(upstream_states))) == decision  # any iterable, any order


@pytest.mark.parametrize(
    ("rule", "upstream_states", "message"),
    [
        ("none_failed", [S],
         "unknown trigger rule 'none_failed' \\(expected one of: all_success, all_done, one_failed\\)"),
        ("all_success", [S, "running"], "unknown upstream task state\\(s\\) 'running'"),
        ("all_success", "success", "must be a collection of task states, not the string 'success'"),
    ],
)
def test_trigger_decision_refuses_unknown_rules_and_states(rule, upstream_states, message):
    with pytest.raises(ValueError, match=message):
        jobc_runtime.trigger_decision(rule, upstream_states)


@pytest.mark.parametrize("value", [0, -1, True, "x"])
def test_the_attempt_number_must_be_a_positive_integer(jobc_env, hook_log, value):
    with pytest.raises(TaskConfigurationError, match=f"attempt must be a positive integer, got {value!r}"):
        probe(attempt=value)
    assert hook_log.hooks() == []


# -- the task definition: every check an adapter makes when the generated file is loaded ------------

TASK = {"job_id": "job", "task_id": "task", "function_module": "recording_functions", "function_class": "ProbeFunction"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"job_id": ""}, "job_id must be a non-empty string, got ''"),
        ({"task_id": None}, "task_id must be a non-empty string, got None"),
        ({"function_module": 3}, "function_module must be a non-empty string, got 3"),
        ({"function_class": ""}, "function_class must be a non-empty string, got ''"),
        ({"function_kwargs": [1]}, "function_kwargs must be a mapping, got list"),
        ({"secret_key": ""}, "secret_key must be a non-empty string or None, got ''"),
        ({"retries": -1}, "retries must be a whole number >= 0, got -1"),
        ({"retries": True}, "retries must be a whole number >= 0, got True"),
        ({"timeout_seconds": 0}, "timeout_seconds must be a positive number of seconds or None, got 0"),
        ({"timeout_seconds": float("inf")}, "timeout_seconds must be a positive number of seconds or None, got inf"),
        ({"timeout_seconds": "60"}, "timeout_seconds must be a positive number of seconds or None, got '60'"),
        ({"on_failure": ["https://hooks.example.com/x"]}, "on_failure must be a mapping"),
        ({"on_failure": {"webhooks": ["ftp://hooks.example.com/x"]}}, "is not an http or https URL with a host"),
        ({"on_failure": {"emails": [""]}}, "on_failure emails must be a list of non-empty strings"),
        ({"for_each": "not an identifier"},
         "for_each must name a kwarg \\(a Python identifier\\), got 'not an identifier'"),
        ({"for_each": "table", "function_kwargs": {"table": "x"}},
         "for_each parameter 'table' is also set in function_kwargs"),
        ({"trigger_rule": "none_failed"},
         "trigger_rule must be one of all_success, all_done, one_failed or None, got 'none_failed'"),
    ],
)
def test_a_task_definition_is_checked_when_it_is_built(fields, message):
    with pytest.raises(jobc_runtime.TaskDefinitionError, match=message) as raised:
        jobc_runtime.TaskDefinition(**{**TASK, **fields})
    # What each adapter raised before the checks moved here: callers catching any of these still do.
    assert all(isinstance(raised.value, kind) for kind in (TaskConfigurationError, ValueError, TypeError))


def test_a_task_definition_keeps_its_own_copy_of_the_kwargs_and_the_checked_alerts():
    kwargs = {"nested": {"items": [1]}}
    definition = jobc_runtime.TaskDefinition(
        **TASK, function_kwargs=kwargs, retries=2,
        on_failure={"webhooks": ["https://hooks.example.com/x", "https://hooks.example.com/x"]})
    kwargs["nested"]["items"].append(2)

    assert definition.function_kwargs == {"nested": {"items": [1]}}
    assert definition.on_failure.webhooks == ("https://hooks.example.com/x",)
    assert definition.max_attempts == 3
    with pytest.raises(AttributeError):
        definition.retries = 0  # frozen
    # A changed copy is checked like a new definition.
    assert dataclasses.replace(definition, retries=0).on_failure == definition.on_failure
    with pytest.raises(jobc_runtime.TaskDefinitionError, match="for_each parameter 'nested' is also set"):
        dataclasses.replace(definition, for_each="nested")


def test_run_task_hands_each_attempt_its_own_kwargs_and_a_fan_out_item(jobc_env, hook_log):
    definition = jobc_runtime.TaskDefinition(**TASK, function_kwargs={"nested": [1]}, for_each="label")
    for item in ("a", {"b": [2]}):
        result = run_task(definition, run_id="r", execution_date=DATE, attempt=1, item=item)
        assert result["kwargs"] == {"nested": [1], "label": item}
        result["kwargs"]["nested"].append("changed by the function")
    assert definition.function_kwargs == {"nested": [1]}


def test_run_task_takes_a_task_definition_only(jobc_env, hook_log):
    with pytest.raises(TaskConfigurationError, match="definition must be a TaskDefinition, got dict"):
        run_task(dict(TASK), run_id="r", execution_date=DATE, attempt=1)
    assert hook_log.hooks() == []


def test_a_project_with_moved_folders_is_found_and_read_through_them(tmp_path, monkeypatch):
    # jobc.yaml's paths: the generated code passes function_folder / secret_folder to the runtime.
    monkeypatch.delenv("JOBC_PROJECT_ROOT", raising=False)
    monkeypatch.delenv("JOBC_SECRET_DIR", raising=False)
    (tmp_path / "code" / "functions").mkdir(parents=True)
    (tmp_path / "vault").mkdir()
    (tmp_path / "vault" / "db.json").write_text('{"host": "h"}', encoding="utf-8")
    nested = tmp_path / "dags" / "deep"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)  # not inside this repository, whose orchestration/function would be found

    root = jobc_runtime.project_root_for_generated_code(nested / "job.py", function_folder="code/functions")
    assert root == tmp_path.resolve()
    assert dict(jobc_runtime.resolve_secret("db", project_root=root, secret_folder="vault")) == {"host": "h"}
    with pytest.raises(jobc_runtime.ProjectRootNotFoundError):
        jobc_runtime.project_root_for_generated_code(nested / "job.py")
    with pytest.raises(jobc_runtime.SecretError):
        jobc_runtime.resolve_secret("db", project_root=root)
