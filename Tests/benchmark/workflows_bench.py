"""The benchmark's Cloud Workflows tables (sections 4, 4b and 4c of bench.py): what one run of a
program bills and how much parallelism it keeps, how compile time grows with a job's size, and
the mixed corpus against Airflow. Every program they emit is checked against its header and
against Google's limits (Tests/integration/workflows_limits.py)."""

from __future__ import annotations

import math
import pathlib
import random
import re
import shutil
import statistics
import sys

import corpus
import measure
import workflows_metrics
from report import check, met, section

sys.path.append(str(corpus.REPO / "Tests" / "integration"))
try:
    import workflows_limits
except ImportError:  # reported by a check in each section that needs it
    workflows_limits = None

STEPS_PER_TASK_GOAL = 3.0  # for 20-task jobs
RANDOM_RATIO_MEAN_GOAL, RANDOM_RATIO_WORST_GOAL = 1.05, 1.25
WAITED_TASK_SECONDS = 3600
WAITING_STEPS_GOAL = 40
LARGE_CHAIN_GOAL_SECONDS = 1.0  # a 1,000-task chain, cloud-workflows
GROWTH_SLOPE_GOAL = 1.2  # log-log slope of wall time between the two largest sizes: near-linear
MIXED_CORPUS_GOAL = 5.0  # cloud-workflows wall time ÷ airflow's
# jobc's error for a program over Google's source limit names the limit.
SOURCE_LIMIT_ERROR = re.compile(r"128\s*Ki?B|131[,.\s]?072", re.I)


def compile_command(jobc: pathlib.Path, target: str, source: str, out: pathlib.Path) -> list[str]:
    return [str(jobc), "compile", source, "--target", target, "--out", str(out)]


def check_limits_module() -> None:
    check(workflows_limits is not None,
          "Tests/integration/workflows_limits.py is missing: programs not checked against Google's limits")


def checked_program(path: pathlib.Path, job: corpus.Job) -> workflows_metrics.Program | None:
    """The program, checked: its header's step count and critical paths, its lanes (every task
    once, no deadlock) and Google's limits. None when it cannot be measured."""
    text = path.read_text(encoding="utf-8")
    program = workflows_metrics.Program(text)
    if workflows_limits is not None:
        # Scalars as written, as the module reads them (program.document has them resolved).
        violations = workflows_limits.violations(workflows_limits.load_program(text), text)
        check(not violations, f"{job.id}: over Google's limits: {'; '.join(violations[:3])}")
    upstream = {task.key: task.upstream for task in job.tasks}
    unit = {key: 1.0 for key in upstream}
    try:
        billed = program.billed_steps()
        makespan = program.makespan(upstream, unit)
    except ValueError as error:
        check(False, f"{job.id}: {error}")
        return None
    check(billed == program.header_billed_steps,
          f"{job.id}: counted {billed} billed steps, header says {program.header_billed_steps}")
    critical = workflows_metrics.critical_path(upstream, unit)
    check((critical, makespan) == (program.header_unit_critical_path, program.header_unit_makespan),
          f"{job.id}: unit critical path {critical:.0f} and makespan {makespan:.0f}, header says "
          f"{program.header_unit_critical_path} and {program.header_unit_makespan}")
    return program


def cloud_workflows(args, runner: measure.Runner) -> None:
    section("4. Cloud Workflows: billed steps per task and critical-path ratio on random DAGs")
    check_limits_module()
    rng = random.Random(8)
    rows = []
    steps_of_size: dict[int, list[float]] = {}
    all_random: list[float] = []
    waiting: set[tuple[int, int, int, int]] = set()
    for size in args.workflow_sizes:
        for density in (0.1, 0.25, 0.5):
            root = args.work / f"workflows-{size}-{density}"
            jobs = [corpus.make_job(rng, index, corpus.random_dag(rng, size, density))
                    for index in range(args.workflow_dags)]
            corpus.write_project(root, jobs)
            out = root / "out"
            run = runner.run(compile_command(args.jobc, "cloud-workflows", "orchestration/job", out), cwd=root)
            check(run.exit_code == 0, f"cloud-workflows compile failed: {run.output[-500:]}")
            steps, unit, weighted, edges, lanes = [], [], [], [], []
            for job in jobs:
                program = checked_program(out / f"{job.id}.workflows.yaml", job)
                if program is None:
                    continue
                upstream = {task.key: task.upstream for task in job.tasks}
                steps.append(program.billed_steps() / size)
                unit.append(program.critical_path_ratio(upstream, {key: 1.0 for key in upstream}))
                weighted.append(program.critical_path_ratio(upstream, {key: rng.uniform(1, 10) for key in upstream}))
                edges.append(sum(map(len, upstream.values())))
                lanes.append(len(program.lanes()))
                waiting.add((program.wait_seconds(), *program.waiting_steps(WAITED_TASK_SECONDS)))
            if not steps:
                continue
            steps_of_size.setdefault(size, []).extend(steps)
            all_random.extend(weighted)
            rows.append([size, density, f"{statistics.mean(edges):.0f}", f"{statistics.mean(lanes):.1f}",
                         f"{statistics.mean(steps):.2f}", f"{max(steps):.2f}", f"{statistics.mean(unit):.3f}",
                         f"{max(unit):.3f}", f"{statistics.mean(weighted):.3f}", f"{max(weighted):.3f}",
                         f"{1000 * run.wall / len(jobs):.1f}"])
    print(f"{args.workflow_dags} random DAGs per row (edge i→j, i < j, with probability 'density'; seed 8), "
          "every task succeeding at its first attempt:\n")
    print(measure.table(["tasks", "density", "edges", "lanes", "steps/task", "max", "CP ratio unit", "max",
                         "CP ratio random", "max", "compile ms/job"], rows, labels=2))
    print("steps/task: billed steps of one run ÷ tasks, as Google bills them (each assignment and each call in a "
          "try a step; parallel steps and branches included): 2 per task, 3 when the program calls a shared "
          "task subworkflow (and 1 a loop); plus 5 a run (start_run and finish_run, a try and a call each; fail_run), "
          "and with several lanes 1 for run_tasks and 1 a branch (4 for a branch holding two lanes).\n"
          "CP ratio: makespan ÷ the DAG's critical path, every lane running at once and each task starting when "
          "its lane's previous task and its upstream tasks have ended; with unit task durations, and with "
          "durations uniform in [1, 10] drawn per task; 1.000 = no parallelism lost.")
    twenty = steps_of_size.get(20)
    steps_goal = (f"≤ {STEPS_PER_TASK_GOAL:.0f} billed steps per task for 20-task jobs (worst job "
                  f"{max(twenty):.2f}, mean {statistics.mean(twenty):.2f}): {met(max(twenty) <= STEPS_PER_TASK_GOAL)}"
                  if twenty else f"≤ {STEPS_PER_TASK_GOAL:.0f} billed steps per task for 20-task jobs: not measured in this run")
    if all_random:
        mean, worst = statistics.mean(all_random), max(all_random)
        ratio_goal = (f"CP ratio random mean ≤ {RANDOM_RATIO_MEAN_GOAL} ({mean:.3f}): {met(mean <= RANDOM_RATIO_MEAN_GOAL)}, "
                      f"worst ≤ {RANDOM_RATIO_WORST_GOAL} ({worst:.3f}): {met(worst <= RANDOM_RATIO_WORST_GOAL)}")
        print(f"Goals: {steps_goal}; {ratio_goal} (over every size).")
    for wait, polls, per_poll, total in sorted(waiting):
        print(f"Cost of waiting: a lane waiting for a {WAITED_TASK_SECONDS // 3600}-hour task bills {polls} more "
              f"polls × {per_poll} steps = {total} steps (wait_seconds {wait}, read from the program: "
              f"polls = ⌈{WAITED_TASK_SECONDS} ÷ {wait + 1}⌉ − 1; a poll is the call made again, the call of the "
              f"retry predicate and the {per_poll - 2} steps it runs for a 503). "
              f"Goal ≤ {WAITING_STEPS_GOAL}: {met(total <= WAITING_STEPS_GOAL)}.")


def compile_time_vs_size(args, runner: measure.Runner) -> None:
    section("4b. Compile time against job size: one job, cloud-workflows vs airflow")
    shapes = {"chain": corpus.chain, "layered, width 10": corpus.layered_pipeline}
    jobs = {(shape, size): corpus.large_job(f"{shape.split(',')[0]}_{size}", build(size))
            for shape, build in shapes.items() for size in args.large_sizes.get(shape, [])}
    root = args.work / "large-jobs"
    corpus.write_project(root, list(jobs.values()))
    rows = []
    walls: dict[tuple[str, str], dict[int, float]] = {}
    for (shape, size), job in jobs.items():
        runs = {}
        for target in ("cloud-workflows", "airflow"):
            out = root / f"{target}-out"
            args.trash.discard(out)
            runs[target] = runner.run(compile_command(args.jobc, target, f"orchestration/job/{job.id}.yaml", out), cwd=root)
            walls.setdefault((shape, target), {})[size] = runs[target].wall
        check(runs["airflow"].exit_code == 0, f"airflow compile of {job.id} failed: {runs['airflow'].output[-500:]}")
        workflows = runs["cloud-workflows"]
        program = root / "cloud-workflows-out" / f"{job.id}.workflows.yaml"
        if workflows.exit_code == 1 and SOURCE_LIMIT_ERROR.search(workflows.output):
            status = "refused (over 128 KB)"
        else:
            check(workflows.exit_code == 0, f"cloud-workflows compile of {job.id} failed: {workflows.output[-500:]}")
            text = program.read_text(encoding="utf-8") if program.exists() else ""
            kilobytes = len(text.encode()) / 1024
            status = (f"{'shared' if 'call: jobc_task' in text else 'inline'}, {kilobytes:.0f} KB"
                      + (" (OVER 128 KB)" if kilobytes > 128 else ""))
        rows.append([shape, size, f"{workflows.wall:.3f}", f"{1000 * workflows.wall / size:.3f}", status,
                     f"{runs['airflow'].wall:.3f}", f"{1000 * runs['airflow'].wall / size:.3f}",
                     f"{workflows.wall / runs['airflow'].wall:.1f}×"])
    print(measure.table(["shape", "tasks", "cloud-workflows s", "ms/task", "program", "airflow s", "ms/task",
                         "÷ airflow"], rows, labels=2))
    print("One compile of one job per cell, process start included. 'program': the form written (inline calls, or "
          "a shared task subworkflow) and its size; jobc refuses a program over Google's 128 KB source limit.")
    chain = walls.get(("chain", "cloud-workflows"), {})
    goals = [f"a 1,000-task chain compiles for cloud-workflows in under {LARGE_CHAIN_GOAL_SECONDS:.0f} s ("
             + (f"{chain[1000]:.3f} s): {met(chain[1000] < LARGE_CHAIN_GOAL_SECONDS)}" if 1000 in chain
                else "not measured in this run)")]
    for (shape, target), by_size in walls.items():
        if target == "cloud-workflows" and len(by_size) >= 2:
            (small, small_wall), (large, large_wall) = sorted(by_size.items())[-2:]
            slope = math.log(large_wall / small_wall) / math.log(large / small)
            goals.append(f"{shape}: near-linear (log-log slope {small:,} → {large:,} tasks {slope:.2f}, "
                         f"goal ≤ {GROWTH_SLOPE_GOAL}): {met(slope <= GROWTH_SLOPE_GOAL)}")
    if len(goals) == 1:
        goals.append("near-linear growth: not measured in this run (one size)")
    print("Goals: " + "; ".join(goals) + ".")


def mixed_corpus(args, runner: measure.Runner, root: pathlib.Path | None) -> None:
    size = args.mixed_jobs
    section(f"4c. The mixed corpus: {size:,} jobs × 20 tasks, cloud-workflows vs airflow")
    check_limits_module()
    jobs = corpus.corpus(size)
    if root is None:  # section 1 did not write this corpus in this run
        root = args.work / f"mixed-corpus-{size}"
        corpus.write_project(root, jobs)
    runs: dict[str, list[measure.Run]] = {"airflow": [], "cloud-workflows": []}
    for _ in range(max(args.repeat, 3)):
        for target, target_runs in runs.items():  # interleaved, so a busy spell on the machine hits both
            out = root / f"mixed-{target}-out"
            args.trash.discard(out)
            target_runs.append(runner.run(compile_command(args.jobc, target, "orchestration/job", out), cwd=root))
    medians = {target: measure.median_run(target_runs) for target, target_runs in runs.items()}
    for target, run in medians.items():
        check(run.exit_code == 0, f"jobc compile --target {target} failed on {size} jobs: {run.output[-500:]}")
    for job in jobs:
        checked_program(root / "mixed-cloud-workflows-out" / f"{job.id}.workflows.yaml", job)
    ratio = medians["cloud-workflows"].wall / medians["airflow"].wall
    print(measure.table(["jobs", "target", "wall s", "CPU s", "cores", "peak MB", "jobs/s", "÷ airflow"], [
        [size, "jobc → airflow", *measure.figures(medians["airflow"], size), "1.0×"],
        [size, "jobc → cloud-workflows", *measure.figures(medians["cloud-workflows"], size), f"{ratio:.1f}×"],
    ], labels=2))
    print(f"Median of {len(runs['airflow'])} runs each, interleaved; the corpus of section 1 (seed 8). Every "
          "program checked: header step count and critical paths, lanes, Google's limits.\n"
          f"Goal: cloud-workflows ≤ {MIXED_CORPUS_GOAL:.0f}× airflow ({ratio:.1f}×): {met(ratio <= MIXED_CORPUS_GOAL)}.")
