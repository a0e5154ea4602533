"""Section 6 of bench.py: one 20-task job of no-op SQL (`SELECT 1`) run end to end against a real,
throwaway PostgreSQL (Tests/integration/postgres_cluster.py), by `jobc run` and by Airflow's
`airflow dags test` on the DAG jobc compiles from the same job. Both from spawn to exit; Airflow's
metadata database is migrated once beforehand (not timed)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import corpus
import measure
from report import check, met, section

sys.path.append(str(corpus.REPO / "Tests" / "integration"))

LOCAL_RUN_GOAL_SECONDS = 3.0
JOB_ID = "noop_twenty"
LOGICAL_DATE = "2024-03-01"
LAYERS, WIDTH = 4, 5  # 20 tasks: each task after two of the layer before


def job_yaml() -> str:
    lines = [f"job_id: {JOB_ID}", "description: 20 tasks of SELECT 1, in 4 layers of 5", "tasks:"]
    for layer in range(LAYERS):
        for column in range(WIDTH):
            lines += [f"  t{layer}_{column}:", "    function: PostgreSQLFunction", "    secret_key: postgres_credentials",
                      "    kwargs: {sql_file_path: orchestration/sql/noop.sql}"]
            if layer:
                lines.append(f"    depends_on: [t{layer - 1}_{column}, t{layer - 1}_{(column + 1) % WIDTH}]")
    return "\n".join(lines) + "\n"


def write_project(root: pathlib.Path, credentials: dict) -> None:
    shutil.copytree(corpus.REPO / "orchestration" / "function", root / "orchestration" / "function")
    (root / "orchestration" / "sql").mkdir(parents=True)
    (root / "orchestration" / "sql" / "noop.sql").write_text("SELECT 1;\n")
    (root / "orchestration" / "job").mkdir()
    (root / "orchestration" / "job" / f"{JOB_ID}.yaml").write_text(job_yaml())
    (root / "secret").mkdir()
    (root / "secret" / "postgres_credentials.json").write_text(json.dumps(credentials))


def airflow_env(root: pathlib.Path, home: pathlib.Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    home.mkdir(exist_ok=True)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "JOBC_PROJECT_ROOT": str(root),
    })
    return env


def local_run(args, runner: measure.Runner) -> None:
    section("6. Running one job on this machine: `jobc run` vs `airflow dags test` (20 tasks of SELECT 1, real PostgreSQL)")
    try:
        from postgres_cluster import PostgresCluster
        cluster = PostgresCluster.start()
    except Exception as error:  # noqa: BLE001 - any reason is a failed check, with the reason
        check(False, f"could not start a throwaway PostgreSQL for section 6: {error}")
        return
    try:
        _measure(args, runner, cluster)
    finally:
        cluster.stop()


def _measure(args, runner: measure.Runner, cluster) -> None:
    root = args.work / "local-run"
    write_project(root, cluster.credentials())
    job = f"orchestration/job/{JOB_ID}.yaml"
    python = args.local_python
    check(pathlib.Path(python).is_file(), f"no Python for jobc run at {python}")
    local = [str(args.jobc), "run", job, "--logical-date", LOGICAL_DATE, "--python", str(python), "--report", "report.json"]
    env = {**os.environ, "NO_COLOR": "1"}
    runner.run(local, cwd=str(root), env=env)  # warm-up: bytecode and page cache
    local_runs = [runner.run(local, cwd=str(root), env=env) for _ in range(args.repeat)]
    report = json.loads((root / "report.json").read_text()) if (root / "report.json").is_file() else {}
    succeeded = [task for task in report.get("tasks", []) if task["state"] == "success"]
    check(all(run.exit_code == 0 for run in local_runs) and len(succeeded) == LAYERS * WIDTH,
          f"jobc run of the 20-task job failed: {local_runs[0].output[-500:]}")

    medians = {"jobc run": measure.median_run(local_runs)}
    if not args.smoke:
        medians["airflow dags test"] = _airflow_dags_test(args, runner, root, job)
    rows = [[name, f"{run.wall:.2f}", f"{run.cpu:.2f}", f"{run.cores:.2f}", f"{run.peak_mb:.0f}",
             f"{run.wall / medians['jobc run'].wall:.1f}×"] for name, run in medians.items()]
    print(measure.table(["how", "wall s", "CPU s", "cores", "peak MB", "÷ jobc run"], rows))
    print(f"Median of {args.repeat} runs each (after one warm-up of jobc run), from spawn to exit: validation, "
          f"every task's attempt in its own process, {os.cpu_count()} at a time (jobc run's default), the report. "
          "CPU s and peak MB are the measured process's own and its waited-for children's."
          + ("\n--smoke: airflow dags test not run (its database migration alone takes longer than the rest)." if args.smoke else "")
          + f"\nGoal: jobc run under {LOCAL_RUN_GOAL_SECONDS:.0f} s: {met(medians['jobc run'].wall < LOCAL_RUN_GOAL_SECONDS)}.")


def _airflow_dags_test(args, runner: measure.Runner, root: pathlib.Path, job: str) -> measure.Run:
    compiled = subprocess.run([str(args.jobc), "compile", job, "--target", "airflow", "--out", "dags"], cwd=root,
                              capture_output=True, text=True)
    check(compiled.returncode == 0, f"jobc compile --target airflow failed: {compiled.stderr[-500:]}")
    env = airflow_env(root, args.work / "local-run-airflow-home")
    migrated = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, capture_output=True, text=True)
    check(migrated.returncode == 0, f"airflow db migrate failed: {migrated.stdout[-500:]}{migrated.stderr[-500:]}")
    # One logical date per run: a second run of the same date would replace the first in the database.
    airflow_runs = [runner.run([sys.executable, "-m", "airflow", "dags", "test", JOB_ID, f"2024-03-{day + 1:02d}"],
                               cwd=str(root), env=env) for day in range(args.repeat)]
    # `airflow dags test` exits 0 after a failed run too: the metadata database says how each ended.
    listed = subprocess.run([sys.executable, "-m", "airflow", "dags", "list-runs", JOB_ID, "--output", "json"],
                            env=env, capture_output=True, text=True)
    try:
        listing = next(line for line in reversed(listed.stdout.splitlines()) if line.startswith("["))
        states = [run["state"] for run in json.loads(listing)]
    except (StopIteration, ValueError, KeyError, TypeError):
        states = [listed.stdout[-300:], listed.stderr[-300:]]
    check(all(run.exit_code == 0 for run in airflow_runs) and states == ["success"] * len(airflow_runs),
          f"airflow dags test did not succeed {len(airflow_runs)} times (run states {states}): "
          f"{airflow_runs[0].output[-800:]}")

    return measure.median_run(airflow_runs)
