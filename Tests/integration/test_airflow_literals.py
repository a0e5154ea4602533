"""Property test: every string a job author writes reaches the generated Airflow code exactly.

Thousands of random strings (all of Unicode outside surrogates, quotes, backslashes, newlines,
template and format syntax) go into job descriptions, tags and kwargs; jobc compiles them; Python's
own parser reads the output, and `ast.literal_eval` of each emitted literal must equal the input.
"""

from __future__ import annotations

import ast
import pathlib
import random
import shutil

from jobc_cli import compile_jobs
from jobc_test_support import REPO_ROOT

JOBS = 150
TAGS_PER_JOB = 6
KWARGS_PER_JOB = 8  # → 150 × (1 + 6 + 8) = 2,250 strings, plus random kwarg names

NASTY = ['"', "'", '"""', "'''", "\\", "\n", "\r", "\t", "\x00", "{{ ds }}", "{% raw %}", "%(x)s", "%s",
         "\u2028", "\u202e", "\ufeff", "\x85", "\x7f", "#", "\\N{BULLET}", "\\x41", "${x}", "\U0001F680"]


def random_string(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randint(0, 12)):
        roll = rng.random()
        if roll < 0.35:
            pieces.append(rng.choice(NASTY))
        elif roll < 0.6:
            pieces.append(chr(rng.randint(0x20, 0x7E)))
        else:
            code = rng.randint(0, 0x10FFFF)
            while 0xD800 <= code <= 0xDFFF:  # surrogates cannot exist in UTF-8 text
                code = rng.randint(0, 0x10FFFF)
            pieces.append(chr(code))
    return "".join(pieces)


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar spelling exactly `value` (every non-printable-ASCII escaped)."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif 0x20 <= code <= 0x7E:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def write_job(folder: pathlib.Path, index: int, rng: random.Random) -> dict:
    description = random_string(rng)
    tags = [random_string(rng) for _ in range(TAGS_PER_JOB)]
    kwargs = {f"p{n}": random_string(rng) for n in range(KWARGS_PER_JOB)}
    kwargs[random_string(rng) or "empty_name"] = random_string(rng)
    lines = [
        f"job_id: literal_job_{index}",
        f"description: {yaml_string(description)}",
        "tags:",
        *[f"  - {yaml_string(tag)}" for tag in tags],
        "tasks:",
        "  run:",
        "    function: PostgreSQLFunction",
        "    secret_key: postgres_credentials",
        "    kwargs:",
        '      sql_file_path: "orchestration/sql/transform_source_to_sink.sql"',
        *[f"      {yaml_string(name)}: {yaml_string(value)}" for name, value in kwargs.items()],
    ]
    (folder / f"literal_job_{index}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kwargs = {"sql_file_path": "orchestration/sql/transform_source_to_sink.sql", **kwargs}
    return {"description": description, "tags": tags, "kwargs": kwargs}


def emitted_literals(source: str) -> dict:
    """The DAG's description and tags and the operator's function_kwargs, read by Python itself."""
    tree = ast.parse(source)
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            for keyword in node.keywords:
                if node.func.id == "DAG" and keyword.arg in ("description", "tags"):
                    found[keyword.arg] = ast.literal_eval(keyword.value)
                if node.func.id == "JobcFunctionOperator" and keyword.arg == "function_kwargs":
                    found["kwargs"] = ast.literal_eval(keyword.value)
    return found


def test_random_strings_round_trip_through_generated_python(tmp_path):
    rng = random.Random(20261121)
    # A project of its own: the sample functions, SQL and secret store, plus the generated jobs.
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "orchestration", project / "orchestration")
    shutil.copytree(REPO_ROOT / "secret", project / "secret")
    jobs = project / "jobs"
    jobs.mkdir()
    expected = {f"literal_job_{index}": write_job(jobs, index, rng) for index in range(JOBS)}
    out = tmp_path / "out"

    compile_jobs("airflow", out, jobs, root=project)

    for job_id, values in expected.items():
        source = (out / f"{job_id}.py").read_text(encoding="utf-8")
        assert emitted_literals(source) == values, job_id
