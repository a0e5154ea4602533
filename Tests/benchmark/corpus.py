"""A deterministic corpus of realistic jobs, written three ways for the benchmark.

One in-memory model per job (``Job``) is written as
  - a jobc job file (the compiler's input),
  - a hand-written Airflow DAG file (what an engineer would write with JobcFunctionOperator),
  - a dag-factory YAML config (dag-factory 1.x format, same operator),
so the three Airflow variants describe exactly the same DAGs.

Shapes are drawn from what data pipelines look like: layered extract → transform → publish graphs
with fan-out, fan-in and the odd skip connection; one extract fanning out to many transforms that
merge; a main chain with side branches; and sparse random DAGs.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import random
import shutil

REPO = pathlib.Path(__file__).resolve().parents[2]
FUNCTION_FILES = ["function_abstract.py", "postgres_sql_function.py", "postgres_sql_function.contract.yaml"]
SECRETS = ["warehouse_rw", "warehouse_ro", "analytics_db", "postgres_credentials"]
VERBS = ["extract", "clean", "dedupe", "enrich", "join", "aggregate", "validate", "snapshot", "publish", "load"]
NOUNS = ["orders", "customers", "payments", "sessions", "products", "invoices", "events", "inventory",
         "refunds", "shipments", "accounts", "campaigns"]
DOMAINS = ["sales", "finance", "marketing", "ops", "product", "growth"]
SCHEDULES = ["@daily", "@daily", "@hourly", "0 3 * * *", "30 2 * * 1-5", "*/15 * * * *", None]
DEFAULT_RETRY_DELAY = 300


def sql_parameters(verb: str, noun: str) -> list[str]:
    """The bind parameters one SQL file uses besides execution_date (about 30% of files look back
    over days, 20% filter a region): every task that runs the file passes them, as jobc checks."""
    index = VERBS.index(verb) * len(NOUNS) + NOUNS.index(noun)
    return (["lookback_days"] if index % 10 < 3 else []) + (["region"] if index % 5 == 0 else [])


def sql_text(verb: str, noun: str) -> str:
    """One SQL file: reads raw.NOUN, which no task writes, and writes marts.NOUN_VERB, a table of its own,
    so jobs that run distinct files never race (jobc's lineage check would refuse them)."""
    used = sql_parameters(verb, noun)
    conditions = ["day >= %(execution_date)s::date" + (" - %(lookback_days)s::int" if "lookback_days" in used else "")]
    if "region" in used:
        conditions.append("region = %(region)s")
    return (f"-- {verb} {noun}\n"
            f"insert into marts.{noun}_{verb} (day, n)\n"
            f"select %(execution_date)s::date, count(*)\n"
            f"from raw.{noun}\n"
            f"where {' and '.join(conditions)};\n")


def task_parameters(rng: random.Random | None, verb: str, noun: str) -> dict:
    choices = {"lookback_days": [1, 7, 30], "region": ["eu-west", "us-east", "ap-south"]}
    return {name: (rng.choice(choices[name]) if rng else choices[name][0]) for name in sql_parameters(verb, noun)}


@dataclasses.dataclass
class Task:
    key: str
    sql: str
    secret: str
    params: dict
    upstream: list[str]
    retries: int | None = None
    retry_delay: int | None = None
    timeout: int | None = None


@dataclasses.dataclass
class Job:
    id: str
    description: str
    schedule: str | None
    start_date: tuple[int, int, int]
    catchup: bool
    tags: list[str]
    retries: int | None
    retry_delay: int | None
    timeout: int | None
    tasks: list[Task]
    dependencies_block: bool  # edges as a top-level `dependencies:` list rather than `depends_on`


# Graph shapes: each returns, for task i, the indices of its upstream tasks (all < i).

def layered(rng: random.Random, count: int) -> list[list[int]]:
    layer_count = rng.randint(3, 7)
    cuts = sorted(rng.sample(range(1, count), layer_count - 1))
    bounds = list(zip([0] + cuts, cuts + [count]))
    upstream: list[list[int]] = [[] for _ in range(count)]
    for layer, (start, end) in enumerate(bounds[1:], start=1):
        previous = range(*bounds[layer - 1])
        earlier = range(0, bounds[layer - 1][0])
        for task in range(start, end):
            parents = set(rng.sample(previous, min(len(previous), rng.choice([1, 1, 2, 2, 3]))))
            if earlier and rng.random() < 0.15:
                parents.add(rng.choice(earlier))  # a skip connection
            upstream[task] = sorted(parents)
    return upstream


def fan_out_fan_in(rng: random.Random, count: int) -> list[list[int]]:
    width = rng.randint(count // 2, count - 4)
    upstream: list[list[int]] = [[]] + [[0] for _ in range(width)]
    upstream.append(list(range(1, width + 1)))
    while len(upstream) < count:
        upstream.append([len(upstream) - 1])
    return upstream


def chain_with_branches(rng: random.Random, count: int) -> list[list[int]]:
    upstream: list[list[int]] = [[]]
    spine = [0]
    for task in range(1, count):
        if rng.random() < 0.6:
            upstream.append([spine[-1]])
            spine.append(task)
        else:
            upstream.append([rng.choice(spine)])
    return upstream


def random_dag(rng: random.Random, count: int, density: float = 0.12) -> list[list[int]]:
    return [[j for j in range(i) if rng.random() < density] for i in range(count)]


SHAPES = [layered, layered, layered, fan_out_fan_in, chain_with_branches, random_dag]


# Shapes of one large job, for compile time against size (no randomness: the same job every run).

def chain(count: int) -> list[list[int]]:
    return [[]] + [[task - 1] for task in range(1, count)]


def layered_pipeline(count: int, width: int = 10) -> list[list[int]]:
    """Layers of `width` tasks, each task depending on two neighbours in the layer before."""
    upstream = []
    for task in range(count):
        layer, position = divmod(task, width)
        previous = (layer - 1) * width
        upstream.append([] if layer == 0 else sorted({previous + position, previous + (position + 1) % width}))
    return upstream


def make_job(rng: random.Random, index: int, upstream: list[list[int]]) -> Job:
    count = len(upstream)
    names = rng.sample([f"{verb}_{noun}" for verb in VERBS for noun in NOUNS], count)
    tasks = []
    for position, key in enumerate(names):
        verb, noun = key.split("_", 1)
        params = task_parameters(rng, verb, noun)
        if rng.random() < 0.1:
            params["use_dict_cursor"] = False
        tasks.append(Task(
            key=key, sql=f"orchestration/sql/bench/{noun}/{verb}.sql", secret=rng.choice(SECRETS), params=params,
            upstream=[names[parent] for parent in upstream[position]],
            retries=rng.choice([None] * 8 + [0, 3]), timeout=rng.choice([None] * 9 + [3600])))
    domain = rng.choice(DOMAINS)
    has_defaults = rng.random() < 0.5
    return Job(
        id=f"{domain}_pipeline_{index:05d}",
        description=f"{domain.capitalize()} pipeline {index}: {count} steps from raw {tasks[0].key.split('_', 1)[1]}",
        schedule=rng.choice(SCHEDULES), start_date=(2024, rng.randint(1, 12), rng.randint(1, 28)), catchup=False,
        tags=sorted(set(rng.sample([domain, "etl", "daily", "critical", "pii"], rng.randint(1, 3)))),
        retries=rng.randint(1, 3) if has_defaults else None,
        retry_delay=rng.choice([30, 300, 900]) if has_defaults else None,
        timeout=rng.choice([None, 1800]) if has_defaults else None,
        tasks=tasks, dependencies_block=rng.random() < 0.3)


def large_job(name: str, upstream: list[list[int]]) -> Job:
    """One job of any size: task keys numbered after the 120 verb_noun names, which they cycle through
    for their SQL files and secrets."""
    pairs = [(verb, noun) for verb in VERBS for noun in NOUNS]
    tasks = []
    for position, parents in enumerate(upstream):
        verb, noun = pairs[position % len(pairs)]
        tasks.append(Task(key=f"{verb}_{noun}_{position:04d}", sql=f"orchestration/sql/bench/{noun}/{verb}.sql",
                          secret=SECRETS[position % len(SECRETS)], params=task_parameters(None, verb, noun),
                          upstream=[tasks[parent].key for parent in parents]))
    return Job(id=name, description=f"{len(tasks)} tasks", schedule="@daily", start_date=(2024, 1, 1), catchup=False,
               tags=["etl"], retries=None, retry_delay=None, timeout=None, tasks=tasks, dependencies_block=False)


def corpus(count: int, tasks_per_job: int = 20, seed: int = 8) -> list[Job]:
    rng = random.Random(seed)
    return [make_job(rng, index, rng.choice(SHAPES)(rng, tasks_per_job)) for index in range(count)]


def write_project(root: pathlib.Path, jobs: list[Job], sql_analysis: bool = True) -> pathlib.Path:
    """A jobc project under `root`: the sample function and its contract, SQL files, secrets, jobs.
    Without `sql_analysis` the contract loses its `sql:` line, so jobc does not parse the SQL files
    (the benchmark's baseline for what parsing costs). Returns the job folder."""
    function_folder = root / "orchestration" / "function"
    function_folder.mkdir(parents=True)
    for name in FUNCTION_FILES:
        shutil.copy(REPO / "orchestration" / "function" / name, function_folder / name)
    if not sql_analysis:
        contract = function_folder / "postgres_sql_function.contract.yaml"
        lines = contract.read_text().splitlines(keepends=True)
        contract.write_text("".join(line for line in lines if not line.startswith("sql:")))
    for verb in VERBS:
        for noun in NOUNS:
            sql = root / "orchestration" / "sql" / "bench" / noun / f"{verb}.sql"
            sql.parent.mkdir(parents=True, exist_ok=True)
            sql.write_text(sql_text(verb, noun))
    (root / "secret").mkdir()
    for name in SECRETS:
        # Every key the contract's secret_keys requires (lint checks them), made-up values.
        secret = {"host": "127.0.0.1", "port": 5432, "dbname": "bench", "user": name, "password": "not-a-real-password"}
        (root / "secret" / f"{name}.json").write_text(json.dumps(secret) + "\n")
    job_folder = root / "orchestration" / "job"
    job_folder.mkdir()
    for job in jobs:
        (job_folder / f"{job.id}.yaml").write_text(jobc_yaml(job))
    return job_folder


def quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar and Python literal


def duration(seconds: int) -> str:
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def jobc_yaml(job: Job) -> str:
    lines = [f"job_id: {job.id}", f"description: {quoted(job.description)}",
             f"schedule: {quoted(job.schedule) if job.schedule else 'null'}"]
    if job.schedule:
        lines.append('start_date: "%04d-%02d-%02d"' % job.start_date)
    lines += [f"catchup: {'true' if job.catchup else 'false'}", f"tags: [{', '.join(job.tags)}]"]
    if job.retries is not None:
        lines += ["", "defaults:", f"  retries: {job.retries}", f"  retry_delay: {duration(job.retry_delay)}"]
        if job.timeout:
            lines.append(f"  timeout: {duration(job.timeout)}")
    lines += ["", "tasks:"]
    for task in job.tasks:
        lines += [f"  {task.key}:", "    function: PostgreSQLFunction", f"    secret_key: {task.secret}"]
        if task.upstream and not job.dependencies_block:
            lines.append(f"    depends_on: [{', '.join(task.upstream)}]")
        if task.retries is not None:
            lines.append(f"    retries: {task.retries}")
        if task.timeout:
            lines.append(f"    timeout: {duration(task.timeout)}")
        lines += ["    kwargs:", f"      sql_file_path: {task.sql}"]
        lines += [f"      {name}: {yaml_scalar(value)}" for name, value in task.params.items()]
        lines.append("")
    if job.dependencies_block:
        lines.append("dependencies:")
        for task in job.tasks:
            lines += [f"  - {{source: {parent}, target: {task.key}}}" for parent in task.upstream]
    return "\n".join(lines).rstrip("\n") + "\n"


def yaml_scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return quoted(value) if isinstance(value, str) else str(value)


def handwritten_dag(job: Job) -> str:
    """The DAG file an engineer would write for `job`: default_args for shared settings, one
    operator per task, `>>` for dependencies."""
    out = ["from datetime import datetime, timedelta, timezone", "", "from airflow.sdk import DAG", "",
           "from jobc_airflow import JobcFunctionOperator", ""]
    default_args = {"retries": job.retries or 0, "retry_delay": job.retry_delay or DEFAULT_RETRY_DELAY}
    out.append("default_args = {")
    out.append(f"    \"retries\": {default_args['retries']},")
    out.append(f"    \"retry_delay\": timedelta(seconds={default_args['retry_delay']}),")
    if job.timeout:
        out.append(f"    \"execution_timeout\": timedelta(seconds={job.timeout}),")
    out += ["}", "", "with DAG(", f"    dag_id={quoted(job.id)},", f"    description={quoted(job.description)},",
            f"    schedule={quoted(job.schedule) if job.schedule else None},"]
    if job.schedule:
        out.append("    start_date=datetime(%d, %d, %d, tzinfo=timezone.utc)," % job.start_date)
    out += [f"    catchup={job.catchup},", f"    tags={job.tags!r},", "    default_args=default_args,", ") as dag:"]
    for task in job.tasks:
        kwargs = {"sql_file_path": task.sql, **task.params}
        out += [f"    {task.key} = JobcFunctionOperator(", f"        task_id={quoted(task.key)},",
                f"        job_id={quoted(job.id)},", "        function_module=\"postgres_sql_function\",",
                "        function_class=\"PostgreSQLFunction\",", f"        function_kwargs={kwargs!r},",
                f"        secret_key={quoted(task.secret)},"]
        if task.retries is not None:
            out.append(f"        retries={task.retries},")
        if task.timeout:
            out.append(f"        execution_timeout=timedelta(seconds={task.timeout}),")
        out.append("    )")
    edges = [(parent, task.key) for task in job.tasks for parent in task.upstream]
    if edges:
        out.append("")
        downstream: dict[str, list[str]] = {}
        for parent, child in edges:
            downstream.setdefault(parent, []).append(child)
        for parent, children in downstream.items():
            out.append(f"    {parent} >> {children[0] if len(children) == 1 else '[' + ', '.join(children) + ']'}")
    return "\n".join(out) + "\n"


def dagfactory_yaml(job: Job) -> str:
    """`job` in dag-factory 1.x's YAML format: the DAG's settings, default_args, and its tasks as a
    list with `operator` and `dependencies`, timedeltas written with dag-factory's `__type__` form."""
    def timedelta(seconds: int) -> list[str]:
        return ["__type__: datetime.timedelta", f"seconds: {seconds}"]

    lines = [f"{job.id}:", "  default_args:", f"    retries: {job.retries or 0}", "    retry_delay:"]
    lines += ["      " + line for line in timedelta(job.retry_delay or DEFAULT_RETRY_DELAY)]
    if job.timeout:
        lines.append("    execution_timeout:")
        lines += ["      " + line for line in timedelta(job.timeout)]
    if job.schedule:
        lines.append(f"  schedule: {quoted(job.schedule)}")
        lines.append("  start_date: %04d-%02d-%02d" % job.start_date)
    lines += [f"  description: {quoted(job.description)}", f"  catchup: {'true' if job.catchup else 'false'}",
              f"  tags: [{', '.join(job.tags)}]", "  tasks:"]
    for task in job.tasks:
        lines += [f"    - task_id: {task.key}", "      operator: jobc_airflow.JobcFunctionOperator",
                  f"      job_id: {job.id}", "      function_module: postgres_sql_function",
                  "      function_class: PostgreSQLFunction", "      function_kwargs:",
                  f"        sql_file_path: {task.sql}"]
        lines += [f"        {name}: {yaml_scalar(value)}" for name, value in task.params.items()]
        lines.append(f"      secret_key: {task.secret}")
        if task.retries is not None:
            lines.append(f"      retries: {task.retries}")
        if task.timeout:
            lines.append("      execution_timeout:")
            lines += ["        " + line for line in timedelta(task.timeout)]
        if task.upstream:
            lines.append(f"      dependencies: [{', '.join(task.upstream)}]")
    return "\n".join(lines) + "\n"


# The loader dag-factory's docs prescribe ("Loading from YAML Files in a Folder"). DagBag only reads
# .py files that mention both "airflow" and "dag", hence the comment.
DAGFACTORY_LOADER = '''\
# Builds the Airflow DAGs of every dag-factory YAML file in this folder.
import pathlib

from dagfactory import load_yaml_dags

load_yaml_dags(globals_dict=globals(), dags_folder=str(pathlib.Path(__file__).parent))
'''


def write_airflow_variants(jobs: list[Job], handwritten: pathlib.Path, dagfactory: pathlib.Path) -> None:
    handwritten.mkdir(parents=True)
    dagfactory.mkdir(parents=True)
    for job in jobs:
        (handwritten / f"{job.id}.py").write_text(handwritten_dag(job))
        (dagfactory / f"{job.id}.yaml").write_text(dagfactory_yaml(job))
    (dagfactory / "load_dag_factory_dags.py").write_text(DAGFACTORY_LOADER)
