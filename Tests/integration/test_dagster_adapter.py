"""jobc_op inside real Dagster 1.13: hand-written definitions in the generated shape, run in a subprocess."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import textwrap

import pytest
from jobc_test_support import DAGSTER_JOBS, HERE, seed_source

UTC = datetime.timezone.utc
LOGICAL_DATE = datetime.datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
FIXTURE_MODULES = sorted(DAGSTER_JOBS.glob("*.py"))
EXECUTORS = ["in_process", "multiprocess"]
# What fixtures/dagster_jobs/hostile_tags.py carries in its `jobc/tags` job tag.
HOSTILE_TAGS = [
    "sales", "", " lead and trail ", "with \"double\" and 'single' quotes", "back\\slash \\n not a newline",
    "new\nline\ttab\rreturn", "nul\x00byte and \x1f\x7f", "unicode é ü 日本語 🎉", "\u2028\u2029 separators",
    "{{ ds }} {% raw %}", "dagster/priority", ".dagster/hidden", "key=value, a:b", "</script><!--", "x" * 1000,
]


def hook_trace(hook_log, task_id=None):
    return [(e["hook"], e["attempt"], e["max_attempts"], e.get("error"))
            for e in hook_log.entries() if task_id is None or e["task_id"] == task_id]


def the_execute_entry(hook_log) -> dict:
    [execute] = [e for e in hook_log.entries() if e["hook"] == "execute"]
    return execute


# -- loading -------------------------------------------------------------------


@pytest.mark.parametrize("module", FIXTURE_MODULES, ids=lambda path: path.stem)
def test_dagster_definitions_validate_accepts_every_fixture_module(dagster, module):
    # No jobc environment at all: loading definitions must not import the
    # functions (the code server need not have psycopg2 & co).
    report = dagster.validate(module)

    assert report.ok, report.output
    assert "Validation successful" in report.output


def test_fixture_modules_load_without_any_warning(dagster):
    # Dagster only *warns* (DeprecationWarning, hidden by the CLI) about job tag
    # keys outside its rules; loading every module with warnings recorded shows
    # that `jobc/tags` and the rest of the generated shape raise none.
    script = textwrap.dedent("""\
        import runpy, sys, warnings
        for path in sys.argv[1:]:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                runpy.run_path(path)
            for warning in caught:
                print("WARNING", path, warning.category.__name__, warning.message)
        """)
    completed = subprocess.run([str(dagster.python), "-c", script, *map(str, FIXTURE_MODULES)], env=dagster.env(),
                               cwd=dagster.home, capture_output=True, text=True, check=False, timeout=120)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""


def test_dagster_definitions_validate_rejects_a_bad_jobc_op(dagster, tmp_path):
    module = tmp_path / "bad_upstream.py"
    module.write_text(textwrap.dedent("""\
        import dagster as dg
        from jobc_dagster import jobc_op

        # A string instead of a list: must fail at load time, not become 7 inputs.
        load = jobc_op(name="load", job_id="bad", function_module="m", function_class="C", upstream="extract")
        defs = dg.Definitions(jobs=[])
        """), encoding="utf-8")

    report = dagster.validate(module)

    assert not report.ok, report.output
    assert "upstream must be a list of task keys" in report.output


def test_jobc_op_refuses_bad_arguments_when_the_module_loads(dagster):
    script = textwrap.dedent("""\
        import dagster as dg
        from jobc_dagster import jobc_op
        base = dict(name="t", job_id="j", function_module="m", function_class="C")
        bad = [
            dict(job_id=""), dict(function_class=None), dict(secret_key=""), dict(function_kwargs=[1]),
            dict(upstream=["a", "a"]), dict(upstream=["not-an-identifier"]), dict(upstream=["class"]),
            dict(retry_policy=3), dict(timeout_seconds=0), dict(timeout_seconds=True),
            dict(timeout_seconds=float("inf")), dict(timeout_seconds="60"),
        ]
        for override in bad:
            try:
                jobc_op(**{**base, **override})
            except (TypeError, ValueError) as error:
                print("refused", type(error).__name__, error)
            else:
                print("ACCEPTED", override)
        op = jobc_op(**base, upstream=["a", "b"], retry_policy=dg.RetryPolicy(max_retries=2), timeout_seconds=1.5)
        print("ins", sorted(op.ins), [op.ins[name].dagster_type.kind.name for name in sorted(op.ins)])
        print("outs", {name: out.dagster_type.kind.name for name, out in op.outs.items()})
        print("retries", op.retry_policy.max_retries)
        """)
    completed = subprocess.run([str(dagster.python), "-c", script], env=dagster.env(), cwd=dagster.home,
                               capture_output=True, text=True, check=False, timeout=120)

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert [line for line in lines if line.startswith("ACCEPTED")] == []
    assert len([line for line in lines if line.startswith("refused")]) == 12
    assert "ins ['a', 'b'] ['NOTHING', 'NOTHING']" in lines
    assert "outs {'result': 'NOTHING'}" in lines
    assert "retries 2" in lines


def test_the_feature_factories_refuse_bad_arguments_when_the_module_loads(dagster):
    script = textwrap.dedent("""\
        import dagster as dg
        from jobc_dagster import jobc_items, jobc_op, jobc_params_resource, jobc_run_outcome_op
        base = dict(name="t", job_id="j", function_module="m", function_class="C")
        bad = [
            lambda: jobc_op(**base, on_failure={"webhook": ["x"]}),
            lambda: jobc_op(**base, on_failure={"webhooks": "https://one.example"}),
            lambda: jobc_op(**base, on_failure={"emails": [""]}),
            lambda: jobc_op(**base, for_each="not an identifier"),
            lambda: jobc_op(**base, for_each="table", function_kwargs={"table": "set twice"}),
            lambda: jobc_op(**base, trigger_rule="none_failed"),
            lambda: jobc_op(**base, tags={"jobc/group": 1}),
            lambda: jobc_items(task="t", items=[]),
            lambda: jobc_items(task="t", items="abc"),
            lambda: jobc_items(task="t", items=[1], collects="upstream"),
            lambda: jobc_run_outcome_op(job_id="j", tasks={}),
            lambda: jobc_params_resource([{"name": "n", "type": "integer", "default": "1", "description": None}]),
            lambda: jobc_params_resource([{"name": "n", "type": "date", "default": "2024-01-01", "description": None}]),
        ]
        for make in bad:
            try:
                make()
            except (TypeError, ValueError) as error:
                print("refused", type(error).__name__)
            else:
                print("ACCEPTED")
        plain = jobc_op(**base, upstream=["a"])
        rules = jobc_op(**base, upstream=["a"], trigger_rule="one_failed", for_each="table", run_params=True)
        print("plain", {name: plain.ins[name].dagster_type.kind.name for name in sorted(plain.ins)},
              plain.outs["result"].dagster_type.kind.name, sorted(plain.required_resource_keys))
        print("rules", {name: rules.ins[name].dagster_type.kind.name for name in sorted(rules.ins)},
              rules.outs["result"].dagster_type.display_name, sorted(rules.required_resource_keys))
        items = jobc_items(task="t", items=[1], collects=["u"], outcomes=True)
        print("items", items.name, sorted(items.outs), items.outs["items_"].is_dynamic)
        """)
    completed = subprocess.run([str(dagster.python), "-c", script], env=dagster.env(), cwd=dagster.home,
                               capture_output=True, text=True, check=False, timeout=120)

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert "ACCEPTED" not in lines
    assert len([line for line in lines if line.startswith("refused")]) == 13
    assert "plain {'a': 'NOTHING'} NOTHING []" in lines
    assert "rules {'a': 'ANY', 'jobc_item_': 'ANY'} String ['jobc_params']" in lines
    assert "items t_items_ ['items_', 'u'] True" in lines


def test_not_before_skips_schedule_ticks_before_the_start_date(dagster):
    script = textwrap.dedent("""\
        import datetime
        import dagster as dg
        from jobc_dagster import not_before
        from sales_diamond import sales_diamond_schedule as schedule  # start 2024-01-01T00:00Z, 02:30 daily
        utc = datetime.timezone.utc
        for tick in [datetime.datetime(2023, 12, 31, 2, 30, tzinfo=utc), datetime.datetime(2024, 1, 1, 2, 30, tzinfo=utc),
                     datetime.datetime(2023, 12, 31, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-2)))]:
            data = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
            print(tick.isoformat(), len(data.run_requests or []), data.skip_message)
        # Evaluated outside a tick (no scheduled time): "now", which is after the start.
        print(not_before(datetime.datetime(2024, 1, 1, tzinfo=utc))(dg.build_schedule_context()))
        for bad in ["2024-01-01", datetime.datetime(2024, 1, 1)]:
            try:
                not_before(bad)
            except (TypeError, ValueError) as error:
                print("refused", type(error).__name__)
        """)
    completed = subprocess.run([str(dagster.python), "-c", script], env=dagster.env({"PYTHONPATH": str(DAGSTER_JOBS)}),
                               cwd=dagster.home, capture_output=True, text=True, check=False, timeout=120)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "2023-12-31T02:30:00+00:00 0 should_execute function for sales_diamond_schedule returned false.",
        "2024-01-01T02:30:00+00:00 1 None",
        "2023-12-31T23:00:00-02:00 1 None",  # 2024-01-01T01:00Z: on or after the start
        "True",
        "refused TypeError",
        "refused ValueError",
    ]


# -- running ---------------------------------------------------------------------


def test_materialize_job_fills_the_sink_table(dagster, task_env, clean_db, project_root):
    seed_source(clean_db)

    report = dagster.run_job(DAGSTER_JOBS / "derived_dataset_materialize_sink.py", "derived_dataset_materialize_sink",
                             LOGICAL_DATE, extra_env=task_env)

    assert report.success, report.tail()
    assert report.statuses() == {"postgres_transformation_task": ("success", 1)}
    assert clean_db.fetch("SELECT ds::text, name, total::text, row_count FROM sink ORDER BY name") == [
        ("2024-03-01", "alpha", "30.00", 2),
        ("2024-03-01", "beta", "7.50", 2),
        ("2024-03-01", "gamma", "100.25", 1),
    ]
    # The jobc log lines reach Dagster's event log (printed by its console logger); the secret never does.
    assert "Running SQL file orchestration/sql/transform_source_to_sink.sql for 2024-03-01" in report.output
    assert clean_db.password not in report.output
    # The job's tags are on the run.
    assert report.run_tags["jobc/tags"] == '["derived_dataset", "etl"]'
    # Nothing was handed to the IO manager (it would write storage/<run>/<op>/result):
    # the run's storage holds Dagster's captured compute logs only.
    assert [path.name for path in (dagster.home / "storage" / report.run_id).iterdir()] == ["compute_logs"]


@pytest.mark.parametrize("executor", EXECUTORS)
def test_diamond_runs_each_op_after_its_upstream_ops(dagster, task_env, clean_db, executor):
    report = dagster.run_job(DAGSTER_JOBS / "sales_diamond.py", "sales_diamond", LOGICAL_DATE,
                             extra_env=task_env, executor=executor)

    assert report.success, report.tail()
    assert report.statuses() == {name: ("success", 1) for name in
                                 ("extract_orders", "totals_by_region", "totals_by_product", "publish_report")}
    # Each SQL file reads what its upstream ops wrote: the report is only right
    # if extract ran before both totals and both totals before publish.
    assert clean_db.fetch("SELECT ds::text, regions, products, total::text FROM sales_report") == [
        ("2024-03-01", 3, 2, "156.50")
    ]
    ops = report.ops
    for before, after in [("extract_orders", "totals_by_region"), ("extract_orders", "totals_by_product"),
                          ("totals_by_region", "publish_report"), ("totals_by_product", "publish_report")]:
        assert ops[before].finished_at <= ops[after].started_at, (before, after)


def test_failing_job_retries_then_fails_commits_nothing_and_skips_downstream(dagster, task_env, clean_db, hook_log):
    clean_db.execute("CREATE TABLE failing_target (ds date NOT NULL, note text NOT NULL)")

    report = dagster.run_job(DAGSTER_JOBS / "derived_dataset_failing.py", "derived_dataset_failing", LOGICAL_DATE,
                             extra_env=task_env)

    assert not report.success, report.tail()
    assert report.statuses() == {"failing_transformation_task": ("failure", 2), "after_failure": ("skipped", 0)}
    # Each failed attempt: Dagster's retry wrapper, caused by the function's own error.
    assert [errors[-1] for errors in report.op("failing_transformation_task").errors] == ["DivisionByZero"] * 2
    assert clean_db.fetch("SELECT count(*) FROM failing_target") == [(0,)]
    assert hook_trace(hook_log) == [
        ("pre_execute", 1, 2, None),
        ("on_retry", 1, 2, "DivisionByZero"),
        ("pre_execute", 2, 2, None),
        ("on_failure", 2, 2, "DivisionByZero"),
    ]
    assert clean_db.password not in report.output


def test_function_kwargs_reach_the_function_verbatim(dagster, task_env, hook_log):
    report = dagster.run_job(DAGSTER_JOBS / "verbatim_kwargs.py", "verbatim_kwargs", LOGICAL_DATE, extra_env=task_env)

    assert report.success, report.tail()
    execute = the_execute_entry(hook_log)
    assert execute["kwargs"] == {
        "query": "SELECT '{{ ds }}'",
        "nested": {"template": "{{ run_id }}", "items": [1, "{{ ti }}"]},
    }
    assert execute["execution_date"] == "2024-03-01"
    assert execute["run_id"] == report.run_id
    assert (execute["attempt"], execute["max_attempts"]) == (1, 1)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_timeout_fails_the_attempt_with_timeout_error_and_is_retried(dagster, task_env, hook_log, executor):
    report = dagster.run_job(DAGSTER_JOBS / "timeout_probe.py", "timeout_probe", LOGICAL_DATE,
                             extra_env=task_env, executor=executor)

    assert not report.success, report.tail()
    # `quick` had a 1 s timeout: its timer must not outlive it and hit the 1.5 s op after it.
    assert report.statuses() == {"quick": ("success", 1), "slow_without_timeout": ("success", 1),
                                 "too_slow": ("failure", 2)}
    assert [errors[-1] for errors in report.op("too_slow").errors] == ["TimeoutError"] * 2
    assert "TimeoutError: jobc task timeout_probe/too_slow timed out after 1 seconds" in report.output
    assert [(hook, attempt, error) for hook, attempt, _, error in hook_trace(hook_log, "too_slow")] == [
        ("pre_execute", 1, None), ("sleep", 1, None), ("on_retry", 1, "TimeoutError"),
        ("pre_execute", 2, None), ("sleep", 2, None), ("on_failure", 2, "TimeoutError"),
    ]
    too_slow = report.op("too_slow")
    assert too_slow.finished_at - too_slow.started_at < 30  # not the 2 x 60 s the function wanted


def test_time_limit_off_the_main_thread_warns_and_restores_other_timers(dagster):
    script = textwrap.dedent("""\
        import logging, signal, threading, time
        from jobc_dagster.timeout import time_limit
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
        log = logging.getLogger("probe")

        def in_thread():
            with time_limit(0.1, "jobc task j/t", log):
                time.sleep(0.3)
            print("thread finished")
        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join()

        # Someone else's 5 s timer survives a shorter limit, minus the time spent.
        def theirs(signum, frame):
            pass
        signal.signal(signal.SIGALRM, theirs)
        signal.setitimer(signal.ITIMER_REAL, 5)
        with time_limit(1, "jobc task j/t", log):
            pass
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        print("timer restored", 4 < remaining <= 5, signal.getsignal(signal.SIGALRM) is theirs)
        signal.setitimer(signal.ITIMER_REAL, 0)
        """)
    completed = subprocess.run([str(dagster.python), "-c", script], env=dagster.env(), cwd=dagster.home,
                               capture_output=True, text=True, check=False, timeout=120)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["thread finished", "timer restored True True"]
    assert "WARNING jobc task j/t: timeout of 0.1s NOT enforced: the op is not running on the main thread" in (
        completed.stderr)


# -- logical date and project root ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"jobc/logical_date": "2024-03-01"}, "2024-03-01"),
        # Always UTC: 23:30 at -02:00 is already the next day.
        ({"jobc/logical_date": "2024-03-01T23:30:00-02:00"}, "2024-03-02"),
        # What Dagster's scheduler puts on a scheduled run (a hidden tag in 1.13).
        ({".dagster/scheduled_execution_time": "2024-05-06T02:30:00+00:00"}, "2024-05-06"),
        # The explicit tag wins over the tick time (a re-run "for" another day).
        ({".dagster/scheduled_execution_time": "2024-05-06T02:30:00+00:00", "jobc/logical_date": "2023-12-31"},
         "2023-12-31"),
    ],
    ids=["jobc-tag-date", "jobc-tag-offset", "scheduled-tick", "jobc-tag-wins"],
)
def test_logical_date_comes_from_run_tags(dagster, task_env, hook_log, tags, expected):
    report = dagster.run_job(DAGSTER_JOBS / "verbatim_kwargs.py", "verbatim_kwargs", None, extra_env=task_env,
                             tags=tags)

    assert report.success, report.tail()
    assert the_execute_entry(hook_log)["execution_date"] == expected


def test_an_unparsable_logical_date_tag_fails_the_op(dagster, task_env, hook_log):
    report = dagster.run_job(DAGSTER_JOBS / "verbatim_kwargs.py", "verbatim_kwargs", "yesterday", extra_env=task_env)

    assert not report.success
    assert report.statuses() == {"probe_task": ("failure", 1)}
    assert "run tag 'jobc/logical_date' is not an ISO 8601 date or date-time: 'yesterday'" in report.output
    assert hook_log.entries() == []  # the function never started


def test_run_without_tags_uses_its_creation_date_and_finds_the_project_from_the_module(dagster, task_env, hook_log):
    # No JOBC_PROJECT_ROOT, and Dagster runs in its home outside the project:
    # the project root must be found by walking up from the definitions file.
    env = {key: value for key, value in task_env.items() if key != "JOBC_PROJECT_ROOT"}
    before = datetime.datetime.now(UTC).date()

    report = dagster.run_job(DAGSTER_JOBS / "verbatim_kwargs.py", "verbatim_kwargs", None, extra_env=env)

    after = datetime.datetime.now(UTC).date()
    assert report.success, report.tail()
    assert "jobc/logical_date" not in report.run_tags
    assert the_execute_entry(hook_log)["execution_date"] in {before.isoformat(), after.isoformat()}
    assert "(from run creation time)" in report.output


def test_hostile_job_tags_round_trip_through_one_json_tag(dagster, task_env):
    report = dagster.run_job(DAGSTER_JOBS / "hostile_tags.py", "hostile_tags", LOGICAL_DATE, extra_env=task_env)

    assert report.success, report.tail()
    # Stored with the run in the instance's sqlite run storage and read back.
    assert json.loads(report.run_tags["jobc/tags"]) == HOSTILE_TAGS
    assert re.fullmatch(r"[ -~]*", report.run_tags["jobc/tags"])  # json.dumps default: printable ASCII only


# -- the venv itself ---------------------------------------------------------------------


def test_the_dagster_venv_matches_its_pinned_requirements(dagster):
    completed = subprocess.run([str(dagster.python), "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
                               capture_output=True, text=True, check=True, timeout=120)
    installed = {line for line in completed.stdout.splitlines()
                 if not line.startswith(("pip==", "jobc-runtime", "jobc-dagster"))}
    pinned = {line.strip() for line in (HERE / "requirements-dagster.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    assert installed == pinned
