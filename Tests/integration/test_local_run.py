"""`jobc run` end to end against the throwaway PostgreSQL: outcomes, retries, timeouts, task
selection, run parameters and Ctrl-C. (Every conformance scenario also runs through it: the
`local` driver of test_conformance.py.)"""

from __future__ import annotations

import datetime
import os
import pty
import re
import signal
import subprocess
import time

import pytest
from jobc_test_support import FIXTURES, REPO_ROOT
from local_run import command, read_report, run_env, run_job

JOBS = FIXTURES / "local_run"


@pytest.fixture
def local_db(postgres, secret_dir):
    postgres.execute((JOBS / "setup.sql").read_text(encoding="utf-8"))
    return {"JOBC_SECRET_DIR": str(secret_dir)}


def logged(postgres) -> list[str]:
    return sorted(row[0] for row in postgres.fetch("SELECT step FROM local_log"))


def test_a_failed_middle_task_fails_the_run_and_the_cleanup_still_runs(postgres, local_db, tmp_path):
    run = run_job(JOBS / "middle_fails.yaml", tmp_path / "report.json", env=local_db)

    assert run.returncode == 1, run.output
    assert run.report["state"] == "failed"
    states = {task["task_id"]: task["state"] for task in run.report["tasks"]}
    assert states == {"extract": "success", "transform": "failed", "load": "upstream_failed",
                      "cleanup": "success", "independent": "success"}
    transform = run.task("transform")
    assert transform["error"] == "DivisionByZero: division by zero"
    assert transform["attempts"] == 1 and transform["history"][0]["outcome"] == "failed"
    assert run.task("load")["attempts"] == 0
    assert logged(postgres) == ["cleanup", "extract", "independent"]
    # The attempt's log is kept, and the run names its folder.
    log = transform["history"][0]["log"]
    assert "division by zero" in open(log, encoding="utf-8").read()
    assert f"logs: {run.report['run_folder']}" in run.stdout
    assert re.search(r"^\d\d:\d\d:\d\d transform attempt 1/1 started$", run.stdout, re.MULTILINE), run.stdout
    assert "run failed" in run.stdout and "transform failed" in run.stdout
    # No secret value reaches the output or the report.
    password = postgres.credentials()["password"]
    assert password not in run.stdout + run.stderr + (tmp_path / "report.json").read_text(encoding="utf-8")


def test_retries_wait_their_delay_and_a_timeout_kills_each_attempt(postgres, local_db, tmp_path):
    started = time.monotonic()
    run = run_job(JOBS / "retry_and_timeout.yaml", tmp_path / "report.json", env=local_db)
    elapsed = time.monotonic() - started

    assert run.returncode == 1, run.output
    flaky = run.task("flaky")
    assert (flaky["state"], flaky["attempts"]) == ("success", 2)
    first, second = flaky["history"]
    gap = _at(second["started_at"]) - _at(first["started_at"]) - datetime.timedelta(seconds=first["seconds"])
    assert gap >= datetime.timedelta(seconds=2), flaky
    too_slow = run.task("too_slow")
    assert (too_slow["state"], too_slow["attempts"]) == ("failed", 2)
    assert [attempt["outcome"] for attempt in too_slow["history"]] == ["timeout", "timeout"]
    assert too_slow["error"] == "TimeoutError: task exceeded its timeout of 2 s"
    assert elapsed < 20, f"a 30 s sleep was not killed at its 2 s timeout ({elapsed:.1f} s)"
    assert logged(postgres) == ["flaky"]
    assert "retrying in 2.0 s" in run.stdout and "timed out after" in run.stdout


def test_only_runs_the_named_tasks_and_downstream_adds_what_follows(postgres, local_db, tmp_path):
    run = run_job(JOBS / "middle_fails.yaml", tmp_path / "only.json", "--only", "extract", env=local_db)
    assert run.returncode == 0, run.output
    assert [task["task_id"] for task in run.report["tasks"]] == ["extract"]
    assert run.report["not_selected"] == ["transform", "load", "cleanup", "independent"]
    assert logged(postgres) == ["extract"]

    postgres.execute((JOBS / "setup.sql").read_text(encoding="utf-8"))
    run = run_job(JOBS / "middle_fails.yaml", tmp_path / "downstream.json", "--only", "load", "--downstream",
                  env=local_db)
    # load does not wait for transform, which is not selected; cleanup follows load.
    assert run.returncode == 0, run.output
    assert {task["task_id"]: task["state"] for task in run.report["tasks"]} == {"load": "success", "cleanup": "success"}
    assert logged(postgres) == ["cleanup", "load"]


def test_only_with_an_unknown_task_is_a_usage_error(local_db, tmp_path):
    run = run_job(JOBS / "middle_fails.yaml", tmp_path / "report.json", "--only", "nope", env=local_db)
    assert run.returncode == 2, run.output
    assert "--only: no task or group 'nope'" in run.stderr
    assert run.report is None


def test_params_are_typed_by_their_declaration(postgres, local_db, tmp_path):
    run = run_job(JOBS / "params.yaml", tmp_path / "report.json", "--param", "label=it's %(x)s", "--param", "amount=7",
                  env=local_db)
    assert run.returncode == 0, run.output
    assert run.report["params"] == {"label": "it's %(x)s", "amount": 7}
    assert postgres.fetch("SELECT label, amount FROM local_log") == [("it's %(x)s", 7)]

    for bad, message in [("amount=seven", "run parameter 'amount' must be an integer"),
                         ("region=emea", "unknown run parameter(s): region")]:
        run = run_job(JOBS / "params.yaml", tmp_path / "bad.json", "--param", bad, env=local_db)
        assert run.returncode == 2, run.output
        assert message in run.stderr
        assert run.report is None


def test_ctrl_c_stops_the_running_tasks_and_names_them(postgres, local_db, tmp_path):
    report = tmp_path / "report.json"
    process = subprocess.Popen(command(JOBS / "sleepers.yaml", report, ["--max-parallel", "2"]), cwd=REPO_ROOT,
                               env=run_env(local_db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        while sum("attempt 1/1 started" in line for line in lines) < 2:
            line = process.stdout.readline()
            assert line, "jobc run ended before both tasks started:\n" + "".join(lines) + process.stderr.read()
            lines.append(line)
        time.sleep(0.5)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines) + stdout

    assert process.returncode == 130, output + stderr
    assert time.monotonic() - started < 10
    assert "run interrupted" in output and "interrupted sleep_a, sleep_b" in output, output
    assert "not started: after" in output
    result = read_report(report)
    assert result["state"] == "interrupted"
    assert {task["task_id"]: task["state"] for task in result["tasks"]} == {
        "sleep_a": "interrupted", "sleep_b": "interrupted", "after": "not_run"}
    assert result["tasks"][0]["history"][0]["outcome"] == "interrupted"
    assert logged(postgres) == []


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def test_a_report_that_cannot_be_written_fails_the_command(local_db, tmp_path):
    (tmp_path / "a_file").write_text("")
    run = run_job(JOBS / "params.yaml", tmp_path / "a_file" / "report.json", env=local_db)
    assert run.returncode == 1, run.output
    assert "run succeeded" in run.stdout
    assert f"jobc: error: cannot write the report {tmp_path / 'a_file' / 'report.json'}: " in run.stderr


def test_on_a_terminal_running_attempts_are_live_lines(postgres, local_db, tmp_path):
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command(JOBS / "params.yaml", tmp_path / "report.json", []), cwd=REPO_ROOT,
                               env={**run_env(local_db), "TERM": "xterm"}, stdout=terminal, stderr=subprocess.PIPE)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal's last writer is gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=60) == 0, process.stderr.read()
    output = b"".join(chunks).decode("utf-8")
    assert "  ▸ record  attempt 1/1  " in output, output
    assert "\x1b[1F\x1b[J" in output, "the live line is redrawn in place"
    assert "attempt 1/1 started" not in output, "no plain progress lines on a terminal"
    assert "record succeeded (attempt 1/1" in output and "run succeeded" in output
