"""Property tests on every emitter: random valid jobs (random_jobs.py) go through `jobc compile` for
each target in TARGETS, and

- every generated file parses in its language (Python's own parser; a YAML parser and the Cloud
  Workflows JSON Schema; JSON),
- every string and parameter value of the job reaches the output exactly (read back with
  `ast.literal_eval` / the YAML parser and compared with type-strict equality, order included),
- compiling again from another working directory, with relative paths, gives the same bytes,
- no value from any secret/*.json of the project appears in any file.

All JOBS jobs go through one `jobc compile` per target, to keep the run short. A new target
joins by adding a reader to TARGETS that returns what its files say about each job.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import json
import os
import pathlib
import random
import re
import unicodedata
from collections.abc import Callable

import pytest
import yaml
from cloud_workflows_harness import assert_valid_program, job_table
from jobc_cli import compile_jobs, run_jobc
from jobc_test_support import secret_values
from random_jobs import Job, PropertyProject, draw_jobs, strict

JOBS = 300  # compiled in one `jobc compile` per target
# A new corpus on every run; set JOBC_PROPERTY_SEED to rebuild the one a failure names.
SEED = int(os.environ.get("JOBC_PROPERTY_SEED") or random.SystemRandom().randrange(2**32))


class NotCarried:
    """Marks a job field a target has no place for (e.g. tags on Cloud Workflows)."""

    def __repr__(self) -> str:
        return "NOT_CARRIED"


NOT_CARRIED = NotCarried()


@dataclasses.dataclass
class EmittedTask:
    job_id: str
    function_class: str
    secret: str | None
    kwargs: dict


@dataclasses.dataclass
class Emitted:
    """What one job's generated files say, read back with the target language's own parser."""

    description: str | None | NotCarried
    tags: list[str] | NotCarried
    tasks: dict[str, EmittedTask]  # by task id


# --- Python targets ---------------------------------------------------------------------------


def _calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _callee(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _constants(tree: ast.Module) -> dict:
    """Module-level `NAME = literal` assignments, evaluated."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return found


def _keywords(call: ast.Call, constants: dict) -> dict:
    """The call's keyword arguments that are literals or module constants, evaluated."""
    found = {}
    for keyword in call.keywords:
        if isinstance(keyword.value, ast.Name) and keyword.value.id in constants:
            found[keyword.arg] = constants[keyword.value.id]
            continue
        try:
            found[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            pass  # an expression of the generated code's own (datetime, RetryPolicy, ...)
    return found


def _python_module(out: pathlib.Path, job: Job) -> tuple[ast.Module, dict]:
    tree = ast.parse((out / f"{job.id}.py").read_text(encoding="utf-8"))
    return tree, _constants(tree)


def _python_tasks(tree: ast.Module, constants: dict, operator: str, id_argument: str) -> dict[str, EmittedTask]:
    tasks = {}
    for call in _calls(tree):
        if _callee(call) == operator:
            arguments = _keywords(call, constants)
            tasks[arguments[id_argument]] = EmittedTask(
                arguments["job_id"], arguments["function_class"], arguments["secret_key"], arguments["function_kwargs"])
    return tasks


def read_airflow(out: pathlib.Path, job: Job) -> Emitted:
    tree, constants = _python_module(out, job)
    (dag,) = [_keywords(call, constants) for call in _calls(tree) if _callee(call) == "DAG"]
    assert dag["dag_id"] == job.id
    return Emitted(dag.get("description"), dag["tags"], _python_tasks(tree, constants, "JobcFunctionOperator", "task_id"))


def read_dagster(out: pathlib.Path, job: Job) -> Emitted:
    tree, constants = _python_module(out, job)
    (decorator,) = [_keywords(call, constants) for call in _calls(tree) if _callee(call) == "job"]
    assert decorator["name"] == job.id
    tags = json.loads(decorator["tags"]["jobc/tags"])
    return Emitted(decorator.get("description"), tags, _python_tasks(tree, constants, "jobc_op", "name"))


def read_prefect(out: pathlib.Path, job: Job) -> Emitted:
    tree, constants = _python_module(out, job)
    (decorator,) = [_keywords(call, constants) for call in _calls(tree) if _callee(call) == "flow"]
    assert decorator["name"] == job.id
    return Emitted(decorator.get("description"), constants["TAGS"], _python_tasks(tree, constants, "jobc_task", "task_id"))


# --- Cloud Workflows ----------------------------------------------------------------------------

TERRAFORM_ESCAPE = re.compile(r"\$\$\{|%%\{|.", re.DOTALL)


def _terraform_text(literal: str) -> str:
    """What Terraform makes of a JSON string: `$${` is a literal `${`, `%%{` a literal `%{`."""
    return TERRAFORM_ESCAPE.sub(lambda match: match.group(0)[1:] if len(match.group(0)) == 3 else match.group(0), literal)


def read_cloud_workflows(out: pathlib.Path, job: Job) -> Emitted:
    # libyaml's parser (jobc writes its YAML itself), for speed.
    text = (out / f"{job.id}.workflows.yaml").read_text(encoding="utf-8")
    program = yaml.load(text, Loader=yaml.CSafeLoader)
    assert_valid_program(program, text)
    table = job_table(program)
    tasks = {}
    for row in table["tasks"]:
        tasks[row["task_id"]] = EmittedTask(
            table["job_id"], row["function"].rpartition(":")[2], row["secret"], row["kwargs"])
    workflow = json.loads((out / f"{job.id}.workflow.tf.json").read_text(encoding="utf-8"))["resource"]["google_workflows_workflow"][job.id]
    assert workflow["source_contents"] == f'${{file("${{path.module}}/{job.id}.workflows.yaml")}}'
    description = _terraform_text(workflow["description"]) if "description" in workflow else None
    _assert_labels(workflow["labels"], job)
    scheduler = out / f"{job.id}.scheduler.tf.json"
    assert scheduler.exists() == job.scheduled
    if job.scheduled:
        resource = json.loads(scheduler.read_text(encoding="utf-8"))["resource"]["google_cloud_scheduler_job"][job.id]
        assert json.loads(base64.b64decode(resource["http_target"]["body"])) == {"argument": "{}"}
        assert resource["http_target"]["uri"] == f"https://workflowexecutions.googleapis.com/v1/${{google_workflows_workflow.{job.id}.id}}/executions"
        assert (_terraform_text(resource["description"]) if "description" in resource else None) == description
    # Tags become labels, changed where Google's rules require (checked below): not kept as written.
    return Emitted(description, NOT_CARRIED, tasks)


# Unicode categories of label characters. "Cn" (unassigned) only because this Python's Unicode may be
# older than Swift's: a character assigned since is judged by jobc alone.
_LABEL_START = {"Ll", "Lo", "Cn"}
_LABEL_REST = _LABEL_START | {"Nd", "Nl", "No"}


def _is_label_key(text: str, *, strict: bool = False) -> bool:
    start, rest = ({"Ll", "Lo"}, {"Ll", "Lo", "Nd", "Nl", "No"}) if strict else (_LABEL_START, _LABEL_REST)
    return (1 <= len(text) <= 63 and unicodedata.category(text[0]) in start
            and all(character in "_-" or unicodedata.category(character) in rest for character in text))


def _assert_labels(labels: dict[str, str], job: Job) -> None:
    """Google's label rules: keys [\\p{Ll}\\p{Lo}][\\p{Ll}\\p{Lo}\\p{N}_-]{0,62}, at most 64 labels;
    one per tag (an ASCII tag that is a valid key kept as it is), then jobc-job: JOB_ID."""
    assert 1 <= len(labels) <= 64 and list(labels.items())[-1] == ("jobc-job", job.id)
    for key, value in labels.items():
        assert _is_label_key(key), key
        assert value == ("" if key != "jobc-job" else job.id)
    distinct = list(dict.fromkeys(job.tags))
    if len(distinct) < 64:
        for tag in distinct:
            if tag != "jobc-job" and tag.isascii() and _is_label_key(tag, strict=True):
                assert tag in labels, tag


@dataclasses.dataclass(frozen=True)
class Target:
    read: Callable[[pathlib.Path, Job], Emitted]
    # For a plugin: the environment jobc needs to find it.
    environment: Callable[[], dict[str, str]] | None = None
    # How many of the corpus's jobs to compile (a plugin starts one process per job).
    jobs: int = JOBS

    def job_paths(self, folder: pathlib.Path, jobs: list[Job]) -> list[pathlib.Path]:
        """The first `self.jobs` of the corpus: its whole folder when that is all of them."""
        return [folder] if self.jobs >= len(jobs) else [folder / job.file_name for job in jobs[:self.jobs]]

    def extra_env(self) -> dict[str, str] | None:
        return self.environment() if self.environment else None


def _prefect_environment() -> dict[str, str]:
    from prefect_harness import plugin_path_env

    return plugin_path_env()


# Every target and how to read its output back; a new one joins with a line here.
TARGETS: dict[str, Target] = {
    "airflow": Target(read_airflow),
    "cloud-workflows": Target(read_cloud_workflows),
    "dagster": Target(read_dagster),
    "prefect": Target(read_prefect, environment=_prefect_environment, jobs=60),
}


def test_every_target_has_a_reader():
    listed = run_jobc("targets", extra_env=_prefect_environment())
    names = {line.split()[0] for line in listed.stdout.splitlines() if line and not line.startswith((" ", "note:"))}
    assert "(built-in)" in listed.stdout and "(plugin " in listed.stdout, listed.stdout
    assert names == set(TARGETS), f"targets without a reader here: {sorted(names - set(TARGETS))}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[PropertyProject, pathlib.Path, list[Job]]:
    project = PropertyProject(tmp_path_factory.mktemp("property") / "project")
    jobs = draw_jobs(JOBS, SEED)
    return project, project.write(jobs), jobs


@pytest.fixture(scope="module")
def compiled(corpus, tmp_path_factory) -> Callable[[str], pathlib.Path]:
    """The corpus (its first `jobs`) compiled for a target, once per target, from the repository as
    working directory."""
    project, folder, jobs = corpus
    outputs: dict[str, pathlib.Path] = {}

    def compile_for(target: str) -> pathlib.Path:
        if target not in outputs:
            outputs[target] = tmp_path_factory.mktemp(f"{target}_out")
            compile_jobs(target, outputs[target], *TARGETS[target].job_paths(folder, jobs), root=project.root,
                         extra_env=TARGETS[target].extra_env())
        return outputs[target]

    return compile_for


def _files(folder: pathlib.Path) -> dict[pathlib.Path, bytes]:
    return {path.relative_to(folder): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_random_jobs_compile_to_parseable_files_that_keep_every_value(target, corpus, compiled):
    _, _, jobs = corpus
    out = compiled(target)
    read = TARGETS[target].read
    for job in jobs[:TARGETS[target].jobs]:
        context = f"{job.file_name} (JOBC_PROPERTY_SEED={SEED} reproduces the corpus)\n{job.yaml}"
        emitted = read(out, job)
        if emitted.description is not NOT_CARRIED:
            assert emitted.description == job.description, context
        if emitted.tags is not NOT_CARRIED:
            assert emitted.tags == job.tags, context
        assert sorted(emitted.tasks) == sorted(task.task_id for task in job.tasks), context
        for task in job.tasks:
            got = emitted.tasks[task.task_id]
            assert (got.job_id, got.function_class, got.secret) == (job.id, task.function, task.secret), context
            assert strict(got.kwargs) == strict(task.kwargs), f"kwargs of task {task.key} of {context}"


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_random_jobs_compile_to_the_same_bytes_anywhere_and_leak_no_secret(target, corpus, compiled, tmp_path):
    project, folder, jobs = corpus
    first = _files(compiled(target))
    paths = [os.path.relpath(path, tmp_path) for path in TARGETS[target].job_paths(folder, jobs)]
    result = run_jobc("compile", *paths, "--target", target, "--out", "out", "--root", os.path.relpath(project.root, tmp_path),
                      cwd=tmp_path, extra_env=TARGETS[target].extra_env())
    assert result.returncode == 0, result.stderr
    assert _files(tmp_path / "out") == first, f"JOBC_PROPERTY_SEED={SEED}"
    secrets = secret_values(project.root / "secret")
    assert len(secrets) >= 8, secrets
    for path, data in first.items():
        leaked = [value for value in secrets if value in data.decode("utf-8")]
        assert not leaked, f"secret values {leaked} in {path} (JOBC_PROPERTY_SEED={SEED})"
