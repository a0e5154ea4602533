"""Random valid jobs for the property tests: Hypothesis strategies, the YAML text of each job, and the
values a target must hand to the function unchanged.

Every job is valid (jobc must compile all of them), but as awkward as the format allows: random
identifiers and names the generated modules use themselves, hostile Unicode in every string, every
YAML type nested in kwargs, every scalar spelling (`~`, `0x1f`, `'single'`, ...), random DAG shapes
declared in a shuffled order, schedules, retries and timeouts. `PropertyProject` is a project folder
with the functions and secrets the jobs use.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import pathlib
import random
import shutil

import hypothesis
from hypothesis import strategies as st
from jobc_test_support import REPO_ROOT

# Pieces that break naive quoting, templating or formatting, in any target language.
NASTY = ['"', "'", '"""', "'''", "\\", "\n", "\r", "\r\n", "\t", "\x00", "\x1b", "{{ ds }}", "{% raw %}", "%(x)s", "%s",
         "%{x}", "$${x}", "${x}", "$", "{", "}", "\u2028", "\u2029", "\u202e", "\u200b", "\ufeff", "\x85", "\x7f", "\xa0",
         "#", "# comment", ": ", "- ", "&a", "*a", "!!str", "---", "...", "\\N{BULLET}", "\\x41", "\\u0041",
         "\U0001F680", "\U0010FFFF", "\ufffe", "__import__('os')", "\")\nimport os\n#", "'); DROP TABLE t; --",
         "yes", "no", "on", "null", "~", "true", "0x1F", "1e3", ".inf", "-0"]

# Names a generated module or program uses itself: task keys equal to them must not clash.
GENERATED_NAMES = ["dag", "dg", "datetime", "defs", "jobc_op", "not_before", "dag_task", "dag2", "schedule", "airflow",
                   "dagster", "jobc_airflow", "jobc_dagster", "json", "os", "sys", "main", "init", "done", "steps",
                   "params", "args", "error", "run_id", "logical_date", "attempt", "result", "flow", "task", "prefect",
                   "jobc_prefect", "operator", "x_done", "x", "a", "a_done", "task_a", "log_a", "fail_a", "retry_a",
                   "jobc_should_retry", "branches", "parallel", "map", "text", "base64", "sys_log", "http", "deployment"]

# Names jobc refuses for job ids, task keys and task ids (`Identifier` in JobcCore).
_RESERVED = {"false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
             "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
             "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
             "context", "conf", "config", "meta", "arg_dict", "dict", "input_arg_dict", "output_arg_dict",
             "int", "str", "float", "bool", "input", "output", "type"}

SECRET_NAMES = ["postgres_credentials", "Property-Secret_1", "p"]


def _secret_files() -> dict[str, dict]:
    """Contents for the secrets above, made up at run time: Hypothesis draws constants it finds in
    the test sources, so a value written here could turn up in a job (and then in the output)."""
    rng = random.SystemRandom()

    def token(kind: str) -> str:
        return f"{kind}-{rng.getrandbits(64):016x}"

    return {"postgres_credentials": {"host": token("host") + ".invalid", "port": rng.randrange(10**9, 10**10),
                                     "dbname": token("dbname"), "user": token("user"), "password": token("password")},
            "Property-Secret_1": {"token": token("token"), "nested": {"list": [token("listed"), rng.randrange(10**12, 10**13)]}},
            "p": {"key": token("key")}}


ANY_FUNCTION_CONTRACT = """\
# Property-test function: any kwargs, optional secret.
name: AnyFunction
module: any_function
class: AnyFunction
secret: optional
extra_parameters: any
"""

identifiers = st.one_of(
    st.from_regex(r"\A[a-z](?:[a-z0-9_]{0,61}[a-z0-9])?\Z"),
    st.sampled_from(GENERATED_NAMES),
).filter(lambda name: name not in _RESERVED)

texts = st.lists(
    st.one_of(
        st.sampled_from(NASTY),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(exclude_categories=("Cs",)),  # all of Unicode that UTF-8 can carry
    ),
    max_size=12,
).map("".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)),
    max_leaves=10,
)

durations = st.one_of(
    st.integers(min_value=1, max_value=7 * 86400).map(str),
    st.sampled_from(["30s", "5m", "1h30m", "2d", "1h", "90s", "1d2h3m4s"]),
)
cron_fields = [
    st.sampled_from(["*", "0", "59", "*/5", "0-30/10", "1,2,3"]),
    st.sampled_from(["*", "0", "23", "*/6", "9-17"]),
    st.sampled_from(["*", "1", "31", "1-15", "*/2"]),
    st.sampled_from(["*", "1", "12", "JAN", "JAN-JUN", "*/3"]),
    st.sampled_from(["*", "0", "6", "MON-FRI", "SUN", "1,3,5"]),
]
schedules = st.one_of(
    st.none(),
    st.sampled_from(["@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually"]),
    st.tuples(*cron_fields).map(" ".join),
)
start_dates = st.one_of(
    st.dates(min_value=datetime.date(1970, 1, 1), max_value=datetime.date(2099, 12, 31)).map(str),
    st.sampled_from(["2024-02-29T23:59:59Z", "2024-01-01T00:00", "2024-03-01T06:00:00+01:00", "2024-06-30T12:00:00-09:30"]),
)


@dataclasses.dataclass
class Task:
    key: str
    task_id: str
    function: str  # "PostgreSQLFunction" or "AnyFunction"
    secret: str | None
    kwargs: dict  # in the order written, the values a target must pass on unchanged
    upstream: list[str]  # keys


@dataclasses.dataclass
class Job:
    id: str
    description: str | None
    tags: list[str]
    scheduled: bool
    tasks: list[Task]  # in declaration order
    yaml: str

    @property
    def file_name(self) -> str:
        return f"{self.id}.yaml"

    def numbered(self, number: int) -> Job:
        """The job with `number` in its id (and in the task keys derived from it), so the jobs of one
        batch never share an id."""
        def fill(text: str) -> str:
            return text.replace(NUMBER, str(number))

        tasks = [dataclasses.replace(task, key=fill(task.key), task_id=fill(task.task_id), upstream=[fill(key) for key in task.upstream])
                 for task in self.tasks]
        return dataclasses.replace(self, id=fill(self.id), tasks=tasks, yaml=fill(self.yaml))


def draw_jobs(count: int, seed: int) -> list[Job]:
    """`count` jobs from Hypothesis, numbered 0, 1, ... Generation only (no shrinking): the tests
    check them in batches, many jobs per `jobc compile`, and name the failing job."""
    drawn: list[Job] = []

    @hypothesis.seed(seed)
    @hypothesis.settings(max_examples=count, phases=[hypothesis.Phase.generate], database=None, deadline=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(jobs())
    def collect(job: Job) -> None:
        drawn.append(job.numbered(len(drawn)))

    collect()
    return drawn


NUMBER = "{number}"  # in a drawn job's id until `Job.numbered` replaces it


@st.composite
def jobs(draw) -> Job:
    """A valid job whose id ends with `_{number}`: see `Job.numbered`."""
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))  # spellings only, not values
    job_id = draw(identifiers.map(lambda name: name[:50])).rstrip("_") + "_" + NUMBER
    # Task keys may also take the names the generated module derives from the job id.
    own_names = st.sampled_from([job_id, job_id + "_schedule", job_id + "_done", "task_" + job_id])
    keys = draw(st.lists(st.one_of(identifiers, own_names), min_size=1, max_size=7, unique=True))
    tasks: list[Task] = []
    used_ids: set[str] = set()
    for position, key in enumerate(keys):
        explicit = draw(st.one_of(st.none(), identifiers))
        task_id = explicit if explicit and explicit not in used_ids and explicit not in keys else key
        if task_id in used_ids:  # an earlier explicit id took this key's name
            task_id = key + "_t"
        used_ids.add(task_id)
        upstream = draw(st.lists(st.sampled_from(keys[:position]), unique=True)) if position else []
        if draw(st.booleans()):
            secret = "postgres_credentials"
            kwargs = {"sql_file_path": "orchestration/sql/transform_source_to_sink.sql"}
            extra = draw(st.dictionaries(texts.filter(lambda name: name not in ("sql_file_path", "use_dict_cursor")), scalars, max_size=5))
            kwargs.update(extra)
            tasks.append(Task(key, task_id, "PostgreSQLFunction", secret, kwargs, upstream))
        else:
            secret = draw(st.one_of(st.none(), st.sampled_from(SECRET_NAMES)))
            tasks.append(Task(key, task_id, "AnyFunction", secret, draw(st.dictionaries(texts, values, max_size=6)), upstream))
    description = draw(st.one_of(st.none(), texts))
    tags = draw(st.lists(texts, max_size=5))
    schedule = draw(schedules)
    order = draw(st.permutations(range(len(tasks))))
    declared = [tasks[index] for index in order]
    lines = [f"job_id: {job_id}"]
    if description is not None:
        lines.append(f"description: {_scalar(description, rng)}")
    lines.append(f"schedule: {_scalar(schedule, rng)}")
    if schedule is not None:
        lines.append(f"start_date: {_scalar(draw(start_dates), rng)}")
        lines.append(f"catchup: {rng.choice(['true', 'false'])}")
    if tags or rng.random() < 0.5:
        lines += ["tags:", *[f"  - {_scalar(tag, rng)}" for tag in tags]] if tags else ["tags: []"]
    if draw(st.booleans()):
        lines += ["defaults:", f"  retries: {draw(st.integers(0, 100))}", f"  retry_delay: {draw(durations)}"]
        if draw(st.booleans()):
            lines.append(f"  timeout: {draw(durations)}")
    lines.append("tasks:")
    edges_listed = []
    for task in declared:
        lines += [f"  {task.key}:", f"    function: {task.function}"]
        if task.task_id != task.key:
            lines.append(f"    task_id: {task.task_id}")
        if task.secret is not None:
            lines.append(f"    secret_key: {_scalar(task.secret, rng)}")
        in_task = [source for source in task.upstream if rng.random() < 0.6]
        edges_listed += [(source, task.key) for source in task.upstream if source not in in_task]
        if len(in_task) == 1 and rng.random() < 0.5:
            lines.append(f"    depends_on: {in_task[0]}")
        elif in_task:
            lines.append(f"    depends_on: [{', '.join(in_task)}]")
        if rng.random() < 0.3:
            lines.append(f"    retries: {rng.randint(0, 100)}")
        if rng.random() < 0.3:
            lines.append(f"    retry_delay: {draw(durations)}")
        if rng.random() < 0.2:
            lines.append(f"    timeout: {draw(durations)}")
        if task.kwargs or rng.random() < 0.5:
            lines.append("    kwargs:" + ("" if task.kwargs else " {}"))
            lines += [f"      {_scalar(name, rng, key=True)}: {_value(value, rng)}" for name, value in task.kwargs.items()]
    if edges_listed:
        lines.append("dependencies:")
        lines += [f"  - {{source: {source}, target: {target}}}" for source, target in edges_listed]
    return Job(job_id, description, tags, schedule is not None, declared, "\n".join(lines) + "\n")


def _value(value, rng: random.Random) -> str:
    """`value` in YAML flow style."""
    if isinstance(value, list):
        return "[" + ", ".join(_value(item, rng) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(key, rng, key=True)}: {_value(item, rng)}" for key, item in value.items()) + "}"
    return _scalar(value, rng)


def _scalar(value, rng: random.Random, key: bool = False) -> str:
    """One YAML 1.2 core-schema spelling of a scalar, chosen at random among those that keep its type."""
    if value is None:
        return rng.choice(["null", "~", "Null", "NULL"])
    if isinstance(value, bool):
        return rng.choice([str(value).lower(), str(value), str(value).upper()])
    if isinstance(value, int):
        if value >= 0 and rng.random() < 0.2:
            return rng.choice([hex(value), hex(value).upper().replace("0X", "0x"), "0o" + format(value, "o")])
        return ("+" if value >= 0 and rng.random() < 0.1 else "") + str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    assert isinstance(value, str)
    if value and all(0x20 <= ord(char) <= 0x7E for char in value) and rng.random() < 0.3:
        return "'" + value.replace("'", "''") + "'"
    return _double_quoted(value)


def _double_quoted(value: str) -> str:
    """A YAML double-quoted scalar spelling exactly `value`: printable ASCII as is, the rest escaped."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code <= 0x7E:
            out.append(char)
        elif code <= 0xFF and code % 2:  # YAML's `\xNN` too, for some
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def strict(value):
    """`value` with its type made part of equality: Python has True == 1 == 1.0 and 0.0 == -0.0."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        assert math.isfinite(value)
        return ("float", value.hex())
    if isinstance(value, list):
        return ["list", *(strict(item) for item in value)]
    if isinstance(value, dict):
        return ["dict", *((key, strict(item)) for key, item in value.items())]  # order counts too
    raise TypeError(f"not a job value: {value!r}")


class PropertyProject:
    """A project folder: the sample functions and SQL, `AnyFunction`, and secrets with known values."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        shutil.copytree(REPO_ROOT / "orchestration", root / "orchestration", ignore=shutil.ignore_patterns("job", "__pycache__"))
        (root / "secret").mkdir()
        functions = root / "orchestration" / "function"
        (functions / "any_function.contract.yaml").write_text(ANY_FUNCTION_CONTRACT, encoding="utf-8")
        (functions / "any_function.py").write_text("class AnyFunction:\n    pass\n", encoding="utf-8")
        for name, secret in _secret_files().items():
            (root / "secret" / f"{name}.json").write_text(json.dumps(secret), encoding="utf-8")

    def write(self, jobs: list[Job], folder: str = "jobs") -> pathlib.Path:
        """Writes `jobs` into a fresh `folder` under the root and returns it."""
        target = self.root / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        for job in jobs:
            (target / job.file_name).write_text(job.yaml, encoding="utf-8")
        return target
