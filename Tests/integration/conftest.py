"""Shared fixtures for the jobc integration tests.

Everything here runs for real: a throwaway PostgreSQL 15 cluster, the installed
jobc-runtime / jobc-airflow packages, Airflow 3 with its own metadata DB,
Dagster 1.13 in its own virtualenv with its own instance, and Prefect 3 in its own
virtualenv with its own server.
Missing PostgreSQL binaries or a missing engine venv make the tests FAIL, never skip.
"""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
# Helper modules next to this file (postgres_cluster, airflow_harness, ...).
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from airflow_harness import AirflowHarness  # noqa: E402
from dagster_harness import DagsterHarness, DagsterHarnessError  # noqa: E402
from jobc_test_support import FIXTURE_FUNCTIONS, REPO_ROOT, HookLog  # noqa: E402
from postgres_cluster import PostgresCluster  # noqa: E402

FIXTURE_EXECUTOR = HERE / "fixtures" / "executor"

TABLES = (
    "source", "sink", "failing_target", "bind_target",
    # written by orchestration/job/sales_diamond.yaml's SQL files
    "sales_orders", "sales_by_region", "sales_by_product", "sales_report",
)


@pytest.fixture(scope="session")
def project_root() -> pathlib.Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def postgres():
    try:
        cluster = PostgresCluster.start()
    except Exception as error:  # fail loudly with the reason; never skip
        pytest.fail(f"could not start the test PostgreSQL cluster: {error}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def secret_dir(postgres, tmp_path_factory) -> pathlib.Path:
    """A secret folder holding postgres_credentials.json for the test cluster."""
    directory = tmp_path_factory.mktemp("secrets")
    (directory / "postgres_credentials.json").write_text(json.dumps(postgres.credentials()), encoding="utf-8")
    return directory


@pytest.fixture
def clean_db(postgres):
    """Drop every table the tests use, so each test starts from an empty database."""
    with postgres.connect() as connection, connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS " + ", ".join(TABLES))
    connection.close()
    return postgres


@pytest.fixture
def hook_log(tmp_path, monkeypatch) -> HookLog:
    log = HookLog(tmp_path / "hooks.jsonl")
    monkeypatch.setenv("JOBC_TEST_HOOK_LOG", str(log.path))
    return log


@pytest.fixture
def jobc_env(monkeypatch, project_root, secret_dir):
    """Environment of a jobc task process: project root and secret folder."""
    monkeypatch.setenv("JOBC_PROJECT_ROOT", str(project_root))
    monkeypatch.setenv("JOBC_SECRET_DIR", str(secret_dir))
    # The test-only functions are importable by module name, like the
    # project's own functions (jobc_runtime puts those on sys.path).
    monkeypatch.syspath_prepend(str(FIXTURE_FUNCTIONS))
    return monkeypatch


@pytest.fixture
def task_env(project_root, secret_dir, hook_log):
    """What an engine worker (Airflow task, Dagster op) running jobc functions needs in its
    environment; PYTHONPATH makes the test-only functions importable."""
    return {
        "JOBC_PROJECT_ROOT": str(project_root),
        "JOBC_SECRET_DIR": str(secret_dir),
        "JOBC_TEST_HOOK_LOG": str(hook_log.path),
        "PYTHONPATH": str(FIXTURE_FUNCTIONS),
    }


@pytest.fixture(scope="session")
def airflow(tmp_path_factory) -> AirflowHarness:
    """An Airflow 3 installation with a migrated sqlite metadata DB (once per session)."""
    harness = AirflowHarness(home=tmp_path_factory.mktemp("airflow_home"))
    harness.migrate()
    return harness


@pytest.fixture(scope="session")
def dagster(tmp_path_factory) -> DagsterHarness:
    """Dagster 1.13 from the venv at $JOBC_DAGSTER_VENV (default <repo>/.venv/dagster), private DAGSTER_HOME."""
    try:
        return DagsterHarness(home=tmp_path_factory.mktemp("dagster_home"))
    except DagsterHarnessError as error:  # fail loudly with the reason; never skip
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def cloud_workflows(tmp_path_factory):
    """workflows-emulator and the executor (functions-framework) from $JOBC_CLOUD_WORKFLOWS_VENV."""
    from cloud_workflows_harness import CloudWorkflowsHarness, CloudWorkflowsHarnessError

    try:
        return CloudWorkflowsHarness(work=tmp_path_factory.mktemp("cloud_workflows"))
    except CloudWorkflowsHarnessError as error:  # fail loudly with the reason; never skip
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def prefect(tmp_path_factory):
    """Prefect 3 from $JOBC_PREFECT_VENV (default <repo>/.venv/prefect): one local server (SQLite,
    private PREFECT_HOME) for the whole session, and the jobc-emit-prefect plugin."""
    from prefect_harness import PrefectHarness, PrefectHarnessError

    try:
        harness = PrefectHarness(home=tmp_path_factory.mktemp("prefect_home"))
        harness.start_server()
    except PrefectHarnessError as error:  # fail loudly with the reason; never skip
        pytest.fail(str(error), pytrace=False)
    try:
        yield harness
    finally:
        harness.stop_server()


@pytest.fixture(scope="session")
def prefect_plugin() -> pathlib.Path:
    """$JOBC_PREFECT_VENV/bin/jobc-emit-prefect, without starting a Prefect server."""
    from prefect_harness import PrefectHarnessError, plugin_command

    try:
        return plugin_command()
    except PrefectHarnessError as error:  # fail loudly with the reason; never skip
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def conformance_webhook():
    """The webhook receiver the conformance scenarios' jobs alert to: 127.0.0.1 on the fixed port
    their job files name (conformance.WEBHOOK_PORT), for one test. While another test session
    holds the port (it runs the conformance suite too), wait for it (bounded), then fail."""
    import time

    from alert_receiver import PortInUseError, WebhookReceiver
    from conformance import WEBHOOK_PORT

    deadline = time.monotonic() + 600
    while True:
        try:
            receiver = WebhookReceiver(port=WEBHOOK_PORT).__enter__()
            break
        except PortInUseError as error:
            if time.monotonic() > deadline:  # fail loudly with the reason; never skip
                pytest.fail(f"the conformance webhook receiver cannot listen: {error}", pytrace=False)
            time.sleep(2)
    try:
        yield receiver
    finally:
        receiver.__exit__(None, None, None)


@pytest.fixture(scope="module")
def executor(tmp_path_factory):
    """A Cloud Workflows executor of its own for a module's protocol tests (fixtures/executor/)."""
    sys.path.insert(0, str(FIXTURE_EXECUTOR))
    from executor_client import Executor

    work = tmp_path_factory.mktemp("executor")
    server = Executor(work, work / "state").start()
    yield server
    server.stop()
