"""jobc_prefect.runtime inside real Prefect 3: hand-written flow modules in the generated shape, run
by the harness against its Prefect server. (The generated modules themselves run in the
conformance suite, test_conformance.py.)"""

from __future__ import annotations

import json
import pathlib
import subprocess
import textwrap

import pytest
from alert_receiver import WebhookReceiver
from conformance import reset_database
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

        from jobc_prefect.runtime import (fan_out, finish_run, is_scheduled_before, jobc_task, run_logical_date,
                                          run_params, skipped_before)

        START_DATE = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)

        {tasks}

        @flow(name="probe", validate_parameters=False)
        def probe(logical_date: str | None = None, region: str = "emea", limit: int = 1):
        {body}
        """).format(tasks=textwrap.dedent(tasks), body=textwrap.indent(textwrap.dedent(flow_body), "    ")),
        encoding="utf-8")
    return path


# The probe flow's run parameters, as the generated PARAMS constant declares them.
PROBE_PARAMS = [{"name": "region", "type": "string", "default": "emea", "description": None},
                {"name": "limit", "type": "integer", "default": 1, "description": None}]


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


# -- run parameters, failure alerts, group tags (IR version 2) --------------------------------


def test_a_run_parameter_override_reaches_the_sql(prefect, postgres, secret_dir, prefect_plugin, tmp_path):
    scenario = REPO_ROOT / "Tests" / "conformance" / "scenarios" / "run_params"
    compile_jobs("prefect", tmp_path, scenario / "job.yaml", extra_env=plugin_path_env())
    reset_database(postgres)
    postgres.execute((scenario / "setup.sql").read_text(encoding="utf-8"))
    overrides = {"region": "north", "label": "it's \"x\" %(region)s {{ ds }}", "min_quantity": 3, "dry_run": True}

    report = prefect.run_flow(tmp_path / "conformance_run_params.py", "conformance_run_params", 2, "2024-03-02",
                              extra_env={"JOBC_PROJECT_ROOT": str(REPO_ROOT), "JOBC_SECRET_DIR": str(secret_dir)},
                              params=overrides)

    assert report.state_type == "COMPLETED", report.tail()
    rows = postgres.fetch("SELECT ds::text, region, label, min_quantity, min_quantity_type, ratio::text, dry_run, "
                          "currency FROM params_seen")
    assert rows == [("2024-03-02", "north", "it's \"x\" %(region)s {{ ds }}", 3, "integer", "0.5", True, "EUR")]


def test_every_task_sees_the_resolved_run_parameters(prefect, task_env, hook_log, tmp_path):
    module = flow_module(tmp_path, probe_task("first") + probe_task("second"), f"""\
        day = run_logical_date(logical_date)
        params = run_params({PROBE_PARAMS!r}, {{"region": region, "limit": limit}})
        first_done = first.submit(day, params)
        return finish_run({{"first": first_done, "second": second.submit(day, params, wait_for=[first_done])}})
    """)

    report = prefect.run_flow(module, "probe", 2, "2024-03-01", extra_env=task_env, params={"limit": 7})

    assert report.state_type == "COMPLETED", report.tail()
    seen = [(entry["task_id"], entry["params"]) for entry in hook_log.entries() if entry["hook"] == "execute"]
    assert sorted(seen) == [("first", {"region": "emea", "limit": 7}), ("second", {"region": "emea", "limit": 7})]


@pytest.mark.parametrize("overrides", [{"limit": "7"}, {"limit": True}, {"region": 5}])
def test_a_run_parameter_of_the_wrong_type_fails_the_run_before_any_task(prefect, task_env, hook_log, tmp_path,
                                                                         overrides):
    # Prefect would convert "7" to 7 (the generated flows turn its validation off): jobc_runtime decides.
    module = flow_module(tmp_path, probe_task("record"), f"""\
        day = run_logical_date(logical_date)
        params = run_params({PROBE_PARAMS!r}, {{"region": region, "limit": limit}})
        return finish_run({{"record": record.submit(day, params)}})
    """)

    report = prefect.run_flow(module, "probe", 0, "2024-03-01", extra_env=task_env, params=overrides)

    assert report.state_type == "FAILED" and report.task_runs == [], report.tail()
    [name] = overrides
    assert f"RunParameterError: run parameter {name!r} must be" in report.output
    assert hook_log.entries() == []


def test_a_failed_last_attempt_sends_one_webhook_alert(prefect, task_env, hook_log, tmp_path):
    with WebhookReceiver() as webhook:
        module = flow_module(tmp_path, probe_task(
            "fragile", function_kwargs={"fail_in": "execute"}, retries=1, retry_delay_seconds=0,
            on_failure={"webhooks": [webhook.url], "emails": []}) + probe_task(
            "sturdy", on_failure={"webhooks": [webhook.url], "emails": []}), """\
            day = run_logical_date(logical_date)
            return finish_run({"fragile": fragile.submit(day), "sturdy": sturdy.submit(day)})
        """)

        report = prefect.run_flow(module, "probe", 2, "2024-03-01", extra_env=task_env)
        [alert] = webhook.wait_for(1)

    assert report.state_type == "FAILED", report.tail()
    assert alert == {"event": "task_failed", "job_id": "probe", "task_id": "fragile", "run_id": report.flow_run_id,
                     "logical_date": "2024-03-01", "attempt": 2, "max_attempts": 2,
                     "error": "ProbeFailure: probe failure in execute"}
    assert len(webhook.requests) == 1  # none for the retried attempt, none for the task that succeeded


def test_group_tags_reach_the_task_runs(prefect, task_env, hook_log, tmp_path):
    module = flow_module(tmp_path, probe_task("grouped", tags=["etl", "jobc/group:staging", "jobc/group:per_table"]),
                         """\
        return finish_run({"grouped": grouped.submit(run_logical_date(logical_date))})
    """)

    report = prefect.run_flow(module, "probe", 1, "2024-03-01", extra_env=task_env)

    assert report.state_type == "COMPLETED", report.tail()
    [task_run] = report.task_runs
    assert task_run.tags == ("etl", "jobc/group:per_table", "jobc/group:staging")


def test_a_generated_flow_whose_run_parameters_take_its_own_names_runs(prefect, postgres, secret_dir, prefect_plugin,
                                                                      tmp_path):
    # features_prefect_all declares run parameters named like the flow's local `day`, the runtime
    # helper `finish_run` and the task `publish`: the module must rename its own names, not theirs.
    # Its fan-out inserts one row per item, after the task that creates the table.
    compile_jobs("prefect", tmp_path, HERE / "fixtures" / "prefect_jobs" / "features_prefect_all.yaml",
                 extra_env=plugin_path_env())
    reset_database(postgres)

    report = prefect.run_flow(tmp_path / "features_prefect_all.py", "features_prefect_all", 8, "2024-03-01",
                              extra_env={"JOBC_PROJECT_ROOT": str(REPO_ROOT), "JOBC_SECRET_DIR": str(secret_dir)},
                              params={"day": "friday", "finish_run": False, "publish": 7})

    assert (report.state_type, report.message) == ("COMPLETED", "all 6 tasks completed"), report.tail()
    per_table = ("jobc/group:per_table", "jobc/group:staging")
    assert sorted((task_run.name, task_run.tags) for task_run in report.task_runs) == [
        ("check", ("jobc/group:staging",)), ("extract", per_table), *[("load_labels", per_table)] * 3,
        ("params", ()), ("prepare_labels", per_table), ("publish", ("jobc/group:reporting",)),
    ]
    assert postgres.fetch("SELECT count(*) FROM sink WHERE ds = '2024-03-01'") == [(3,)]
    assert sorted(postgres.fetch("SELECT label FROM bind_target")) == [
        ("it's \"x\" {{ ds }} %(label)s",), ("plain",), ("prepared",), ("\u03b3 \U0001F680",)]


def test_a_fan_out_runs_each_item_retries_each_run_and_a_failed_item_stops_the_fan_in(prefect, task_env, hook_log,
                                                                                      tmp_path):
    # The item is the probe's `fail_in` kwarg: the second run fails at every attempt.
    with WebhookReceiver() as webhook:
        module = flow_module(tmp_path, probe_task(
            "each", for_each_parameter="fail_in", for_each_items=[None, "execute", {"not": "a phase"}], retries=1,
            retry_delay_seconds=0, on_failure={"webhooks": [webhook.url], "emails": []}) + probe_task("after"), """\
            day = run_logical_date(logical_date)
            each_done = fan_out(each, 3, day, wait_for=[])
            return finish_run({"each": each_done, "after": after.submit(day, wait_for=[*each_done])})
        """)

        report = prefect.run_flow(module, "probe", 4, "2024-03-01", extra_env=task_env)
        [alert] = webhook.wait_for(1)

    assert report.message == "failed: each; not run (an upstream task failed): after", report.tail()
    assert sorted((run.name, run.state_name, run.run_count) for run in report.task_runs) == [
        ("after", "NotReady", 0), ("each", "Completed", 1), ("each", "Completed", 1), ("each", "Failed", 2)]
    executed = sorted(json.dumps(entry["kwargs"], sort_keys=True) for entry in hook_log.entries()
                      if entry["hook"] == "execute")
    assert executed == sorted(json.dumps({"fail_in": item}, sort_keys=True)
                              for item in [None, "execute", "execute", {"not": "a phase"}])
    assert (alert["task_id"], alert["attempt"], alert["max_attempts"]) == ("each", 2, 2)
    assert len(webhook.requests) == 1


def test_a_fan_out_after_a_failed_task_starts_no_run(prefect, task_env, hook_log, tmp_path):
    module = flow_module(tmp_path, probe_task("broken", function_kwargs={"fail_in": "execute"}) + probe_task(
        "each", for_each_parameter="label", for_each_items=["a", "b"]), """\
        day = run_logical_date(logical_date)
        broken_done = broken.submit(day)
        return finish_run({"broken": broken_done, "each": fan_out(each, 2, day, wait_for=[broken_done])})
    """)

    report = prefect.run_flow(module, "probe", 3, "2024-03-01", extra_env=task_env)

    assert report.message == "failed: broken; not run (an upstream task failed): each", report.tail()
    assert sorted((run.name, run.state_name) for run in report.task_runs) == [
        ("broken", "Failed"), ("each", "NotReady"), ("each", "NotReady")]
