"""`jobc test` end to end against the throwaway PostgreSQL: the sample project's tests pass (JUnit
written and well-formed), stubs behave like real attempts (retries, a failure's downstream task,
a timeout, the failure alerts of a last attempt), and a wrong expectation fails with a message
located in the test file."""

from __future__ import annotations

import json
import pathlib
import shutil
import time
import xml.etree.ElementTree as ElementTree

import pytest
from alert_receiver import WebhookReceiver
from jobc_cli import run_jobc
from jobc_test_support import FIXTURES, REPO_ROOT
from local_run import local_python

TESTS = FIXTURES / "jobc_test"
SETUP = FIXTURES / "local_run" / "setup.sql"


@pytest.fixture
def test_env(postgres, secret_dir):
    postgres.execute(SETUP.read_text(encoding="utf-8"))
    return {"JOBC_SECRET_DIR": str(secret_dir)}


def jobc_test(*arguments: str, env: dict[str, str]):
    return run_jobc("test", "--root", str(REPO_ROOT), "--python", str(local_python()), *arguments,
                    extra_env=env, timeout=300)


def output(result) -> str:
    return f"--- exit {result.returncode} ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"


def test_the_sample_project_tests_pass_and_junit_is_written(clean_db, test_env, tmp_path):
    # clean_db: other tests (the demo layout's verbatim SQL) leave a `sink` of another shape behind.
    clean_db.execute((REPO_ROOT / "orchestration" / "sql" / "seed_source.sql").read_text(encoding="utf-8"))
    junit = tmp_path / "results.xml"
    # No path: every *.test.yaml in the project's jobs folder.
    result = run_jobc("test", "--python", str(local_python()), "--junit", str(junit), extra_env=test_env, timeout=300)

    assert result.returncode == 0, output(result)
    assert "PASS orchestration/job/sales_diamond.test.yaml: happy_path" in result.stdout
    assert "PASS orchestration/job/derived_dataset_materialize_sink.test.yaml: materializes_the_sink" in result.stdout
    assert "0 failed (2 test files)" in result.stdout
    root = ElementTree.parse(junit).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "0" and root.get("errors") == "0"
    suites = {suite.get("name"): [case.get("name") for case in suite.iter("testcase")] for suite in root.iter("testsuite")}
    assert suites == {
        "orchestration/job/derived_dataset_materialize_sink.test.yaml": ["materializes_the_sink", "a_failure_is_reported"],
        "orchestration/job/sales_diamond.test.yaml": ["happy_path", "a_failed_transform_stops_the_report"],
    }


def test_stubs_retry_fail_and_time_out_like_real_attempts(postgres, test_env):
    result = jobc_test(str(TESTS / "stubbed.test.yaml"), env=test_env)

    assert result.returncode == 0, output(result)
    assert "PASS " in result.stdout and "stubs_behave_like_real_attempts" in result.stdout
    assert "2 scenarios: 2 passed, 0 failed" in result.stdout
    # Stubbed tasks did not run their function: only the real ones logged their step.
    assert sorted(row[0] for row in postgres.fetch("SELECT step FROM local_log")) == ["cleanup", "extract"]


def test_a_wrong_expectation_fails_with_a_located_message(postgres, test_env, tmp_path):
    junit = tmp_path / "wrong.xml"
    result = jobc_test(str(TESTS / "wrong.test.yaml"), "--junit", str(junit), env=test_env)

    assert result.returncode == 1, output(result)
    path = TESTS.relative_to(REPO_ROOT) / "wrong.test.yaml"
    assert f"FAIL {TESTS / 'wrong.test.yaml'}: wrong_expectations" in result.stdout, output(result)
    assert ":13:30: error: task 'after_break' ended upstream_failed, expected success" in result.stdout, output(result)
    assert ":14:27: error: task 'flaky' made 1 attempt, expected 2" in result.stdout
    assert ":18:17: error: the query returned [[1, a<b>&\"c\"]], expected [[2, x]]" in result.stdout
    assert "^" in result.stdout  # the expectation's line, quoted with a caret
    case = ElementTree.parse(junit).getroot().find("testsuite/testcase")
    failure = case.find("failure")
    assert case.get("name") == "wrong_expectations" and failure is not None
    assert "expected success" in failure.get("message") and 'a<b>&"c"' in failure.text
    assert str(path) in failure.text


def test_a_malformed_test_file_reports_every_problem_located(test_env):
    result = jobc_test(str(TESTS / "malformed.test.yaml"), env=test_env)

    assert result.returncode == 1, output(result)
    assert "malformed.test.yaml:5:7: error: a stub of scenario 'bad' names task 'extrat'" in result.stderr, output(result)
    assert "did you mean 'extract'?" in result.stderr
    assert "malformed.test.yaml:6:30: error: unknown key 'sleeps'" in result.stderr
    assert "malformed.test.yaml:9:25: error: unknown task state 'broken'" in result.stderr
    assert "ERROR " in result.stdout


def test_a_stub_that_fails_its_last_attempt_sends_the_alerts(test_env, tmp_path):
    # A project of its own (the webhook's port is in the job): the repository's functions, one SQL file.
    shutil.copytree(REPO_ROOT / "orchestration" / "function", tmp_path / "orchestration" / "function")
    (tmp_path / "orchestration" / "job").mkdir()
    shutil.copytree(test_env["JOBC_SECRET_DIR"], tmp_path / "secret")
    shutil.copy(FIXTURES / "local_run" / "log_step.sql", tmp_path / "log_step.sql")
    job = tmp_path / "orchestration" / "job" / "alerting.yaml"
    with WebhookReceiver() as webhook:
        job.write_text(f"""job_id: jobc_test_alerting
on_failure: {{webhook: "{webhook.url}"}}
tasks:
  gives_up:
    function: PostgreSQLFunction
    secret_key: postgres_credentials
    retries: 1
    retry_delay: 1s
    kwargs: {{sql_file_path: log_step.sql, step: gives_up}}
  recovers:
    function: PostgreSQLFunction
    secret_key: postgres_credentials
    retries: 1
    retry_delay: 1s
    allow_unordered: [local_log]
    kwargs: {{sql_file_path: log_step.sql, step: recovers}}
""", encoding="utf-8")
        job.with_name("alerting.test.yaml").write_text("""scenarios:
  alerts:
    stubs:
      gives_up: {fail_times: 5}
      recovers: {fail_times: 1}
    expect:
      tasks:
        gives_up: {state: failed, attempts: 2}
        recovers: {state: success, attempts: 2}
""", encoding="utf-8")
        result = run_jobc("test", "--python", str(local_python()), cwd=tmp_path, extra_env=test_env, timeout=300)

        assert result.returncode == 0, output(result)
        (message,) = webhook.wait_for(1)
        assert "gives_up" in json.dumps(message), message
        time.sleep(0.5)
        assert len(webhook.messages) == 1, webhook.messages
