"""jobc_prefect.runtime inside real Prefect 3: hand-written flow modules in the generated shape, run
by the harness against its Prefect server. (The generated modules themselves run in the
conformance suite, test_conformance.py.)"""

from __future__ import annotations

import pathlib
import subprocess
import textwrap

import pytest
from jobc_cli import compile_jobs
from jobc_test_support import HERE, REPO_ROOT
from prefect_harness import plugin_path_env

HOSTILE_KWARGS = {"quotes": "\" ' \"\"\"", "template": "{{ ds }} {x} %(x)s", "nested": [{"a": None}, 1.5, True]}


def flow_module(tmp_path: pathlib.Path, tasks: str, flow_body: str) -> pathlib.Path:
    """A module like the generated ones: ``tasks`` are jobc_task calls, ``flow_body`` the flow's body."""
    path = tmp_path / "probe_flow.py"
    path.write_text(textwrap.dedent("""\
        import datetime

        from prefect import flow
        from prefect.context import FlowRunContext

        from jobc_prefect.runtime import finish_run, is_scheduled_before, jobc_task, run_logical_date, skipped_before

        START_DATE = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)

        {tasks}

        @flow(name="probe")
        def probe(logical_date: str | None = None):
        {body}
        """).format(tasks=textwrap.dedent(tasks), body=textwrap.indent(textwrap.dedent(flow_body), "    ")),
        encoding="utf-8")
    return path


def probe_task(name: str, **arguments) -> str:
    settings = {"function_module": "recording_functions", "function_class": "ProbeFunction", **arguments}
    listed = "".join(f"    {key}={value!r},\n" for key, value in settings.items())
    return f"{name} = jobc_task(\n    task_id={name!r},\n    job_id='probe',\n{listed})\n"


def hook_trace(hook_log) -> list[tuple]:
    return [(entry["hook"], entry["attempt"], entry["max_attempts"], entry.get("error")) for entry in hook_log.entries()]


def test_a_task_gets_its_kwargs_verbatim_the_logical_date_and_the_run_id(prefect, task_env, hook_log, tmp_path):
    module = flow_module(tmp_path, probe_task("record", function_kwargs=HOSTILE_KWARGS), """\
        day = run_logical_date(logical_date)
        return finish_run({"record": record.submit(day)})
    """)

    report = prefect.run_flow(module, "probe", 1, "2024-03-01", extra_env=task_env)

    assert (report.state_type, report.message) == ("COMPLETED", "all 1 tasks completed"), report.tail()
    [execute] = [entry for entry in hook_log.entries() if entry["hook"] == "execute"]
    assert execute["kwargs"] == HOSTILE_KWARGS
    assert execute["execution_date"] == "2024-03-01"
    assert execute["run_id"] == report.flow_run_id
    assert hook_trace(hook_log) == [("pre_execute", 1, 1, None), ("execute", 1, 1, None),
                                    ("post_execute", 1, 1, None), ("on_success", 1, 1, None)]


def test_a_timed_out_attempt_fails_and_is_retried_once_its_blocking_call_returns(prefect, task_env, hook_log, tmp_path):
    # Prefect runs tasks in worker threads, where its timeout cannot interrupt a blocking call (here
    # time.sleep): the attempt fails as TimedOut as soon as the call returns.
    module = flow_module(tmp_path, probe_task(
        "too_slow", function_module="sleeping_functions", function_class="SleepingProbeFunction",
        function_kwargs={"sleep_seconds": 2}, retries=1, retry_delay_seconds=0, timeout_seconds=1), """\
        day = run_logical_date(logical_date)
        return finish_run({"too_slow": too_slow.submit(day)})
    """)

    report = prefect.run_flow(module, "probe", 1, "2024-03-01", extra_env=task_env)

    assert report.state_type == "FAILED" and report.message.startswith("failed: too_slow;"), report.tail()
    [task_run] = report.task_runs
    assert (task_run.state_name, task_run.run_count) == ("TimedOut", 2)
    # Prefect's own error reaches the hooks; the sleep returned, but nothing after it ran.
    assert [(hook, attempt, error) for hook, attempt, _, error in hook_trace(hook_log)] == [
        ("pre_execute", 1, None), ("sleep", 1, None), ("on_retry", 1, "CancelledError"),
        ("pre_execute", 2, None), ("sleep", 2, None), ("on_failure", 2, "CancelledError"),
    ]


def test_an_unparsable_logical_date_fails_the_run_before_any_task(prefect, task_env, hook_log, tmp_path):
    module = flow_module(tmp_path, probe_task("record"), """\
        day = run_logical_date(logical_date)
        return finish_run({"record": record.submit(day)})
    """)

    report = prefect.run_flow(module, "probe", 0, "yesterday", extra_env=task_env)

    assert report.state_type == "FAILED" and report.task_runs == []
    assert "logical_date 'yesterday' is not an ISO 8601 date or date-time" in report.output
    assert hook_log.entries() == []


@pytest.mark.parametrize(("tick", "held_back"), [("2023-12-31T23:45:00+00:00", True), ("2024-01-01T00:00:00+00:00", False)])
def test_scheduled_runs_before_the_start_date_are_held_back(prefect, task_env, hook_log, tmp_path, tick, held_back):
    # Only Prefect's scheduler makes runs with auto_scheduled set: the flow pretends to be its tick.
    module = flow_module(tmp_path, probe_task("record"), f"""\
        context = FlowRunContext.get()
        tick = datetime.datetime.fromisoformat({tick!r})
        context.flow_run = context.flow_run.model_copy(update={{"auto_scheduled": True, "expected_start_time": tick}})
        day = run_logical_date(logical_date)
        if is_scheduled_before(START_DATE):
            return skipped_before(START_DATE)
        return finish_run({{"record": record.submit(day)}})
    """)

    report = prefect.run_flow(module, "probe", 0 if held_back else 1, None, extra_env=task_env)

    if held_back:
        assert (report.state_type, report.state_name) == ("COMPLETED", "Skipped"), report.tail()
        assert report.message == (f"scheduled for {tick}, before the job's start_date 2024-01-01T00:00:00+00:00: "
                                  "no task ran")
        assert hook_log.entries() == []
    else:
        assert (report.state_type, report.state_name) == ("COMPLETED", "Completed"), report.tail()
        [execute] = [entry for entry in hook_log.entries() if entry["hook"] == "execute"]
        assert execute["execution_date"] == "2024-01-01"  # the tick's date, as on Airflow and Dagster


def test_the_deployment_has_the_cron_schedule_in_utc_and_the_tags(prefect_plugin, tmp_path):
    compile_jobs("prefect", tmp_path, REPO_ROOT / "orchestration" / "job" / "sales_diamond.yaml",
                 extra_env=plugin_path_env())
    script = textwrap.dedent("""\
        import json, sys
        sys.path.insert(0, sys.argv[1])
        import sales_diamond
        from jobc_prefect.deployment import deployment
        built = deployment(sales_diamond.sales_diamond, cron=sales_diamond.CRON, tags=sales_diamond.TAGS)
        schedules = [(item.schedule.cron, item.schedule.timezone, item.active) for item in built.schedules]
        print(json.dumps([built.name, built.tags, schedules]))
    """)
    completed = subprocess.run([str(prefect_plugin.parent / "python"), "-c", script, str(tmp_path)], cwd=tmp_path,
                               env={"PATH": "/usr/bin:/bin", "DO_NOT_TRACK": "1", "PREFECT_HOME": str(tmp_path / "home"),
                                    "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false"},
                               capture_output=True, text=True, timeout=120, check=False)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == \
        '["sales_diamond", ["sales", "example"], [["30 2 * * *", "UTC", true]]]'


def test_the_prefect_venv_matches_its_pinned_requirements(prefect_plugin):
    completed = subprocess.run([str(prefect_plugin.parent / "python"), "-m", "pip", "freeze", "--all",
                                "--disable-pip-version-check"], capture_output=True, text=True, check=True, timeout=120)
    installed = {line for line in completed.stdout.splitlines()
                 if not line.startswith(("pip==", "jobc-runtime", "jobc-prefect"))}
    pinned = {line.strip() for line in (HERE / "requirements-prefect.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    assert installed == pinned
