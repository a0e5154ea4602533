"""Run jobc-shaped Dagster definitions in a real, isolated Dagster 1.13 installation.

Dagster lives in its own virtualenv (JOBC_DAGSTER_VENV, see requirements-dagster.txt),
not in the Airflow venv that runs pytest, so every Dagster action is a subprocess
of that venv's python (see dagster_job_runner.py). A subprocess per run also gives
each run a fresh interpreter with exactly the environment built here.

Environment given to Dagster (all inherited DAGSTER* variables are dropped):

    DAGSTER_HOME    the harness's private home: a sqlite instance (runs, event
                    log) and a dagster.yaml that turns telemetry off
    cwd             that home too: outside the project, so the adapter must find
                    the project root from JOBC_PROJECT_ROOT or the module's file
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import pathlib
import subprocess
from collections.abc import Mapping

from jobc_test_support import REPO_ROOT

RUNNER = pathlib.Path(__file__).resolve().with_name("dagster_job_runner.py")
RESULT_PREFIX = "JOBC_DAGSTER_RESULT "
VENV_ENV = "JOBC_DAGSTER_VENV"
LOGICAL_DATE_TAG = "jobc/logical_date"
RUN_PARAMS_RESOURCE = "jobc_params"  # jobc_dagster's resource holding the run parameters


def dagster_python() -> pathlib.Path:
    """The Dagster venv's python: $JOBC_DAGSTER_VENV/bin/python, default <repo>/.venv/dagster."""
    venv = os.environ.get(VENV_ENV) or str(REPO_ROOT / ".venv" / "dagster")
    return pathlib.Path(venv) / "bin" / "python"


class DagsterHarnessError(AssertionError):
    """A Dagster subprocess failed; the message carries its output."""


@dataclasses.dataclass(frozen=True)
class ItemReport:
    """One mapped step of a fan-out task's op ("item_0", "item_1", ...)."""

    key: str
    status: str
    attempts: int
    outcome: str | None


@dataclasses.dataclass(frozen=True)
class OpReport:
    """One jobc task's op; for a fan-out task, its mapped steps aggregated (see dagster_job_runner)."""

    name: str
    status: str  # success | failure | skipped (never started: an upstream op failed)
    attempts: int
    started_at: float | None
    finished_at: float | None
    errors: list[list[str]]  # per failed attempt: the error's class name, then its causes'
    handle: str = ""  # "group.inner.op" for ops inside group graphs
    # The task's jobc outcome (success | failed | upstream_failed | skipped) in jobs that pass
    # outcomes (trigger rules): a handled failure is a Dagster success with outcome "failed".
    outcome: str | None = None
    items: list[ItemReport] | None = None  # fan-out tasks only

    @classmethod
    def from_result(cls, name: str, data: dict) -> OpReport:
        items = data.pop("items", None)
        return cls(name=name, items=None if items is None else [ItemReport(**item) for item in items], **data)


@dataclasses.dataclass(frozen=True)
class ValidationReport:
    ok: bool
    output: str


@dataclasses.dataclass(frozen=True)
class JobRunReport:
    job_name: str
    run_id: str
    success: bool
    run_tags: dict[str, str]
    ops: dict[str, OpReport]  # jobc tasks, by task id
    output: str  # the subprocess's combined output
    helpers: dict[str, OpReport] = dataclasses.field(default_factory=dict)  # <task>_items_, jobc_run_outcome

    def op(self, name: str) -> OpReport:
        return self.ops[name]

    def statuses(self) -> dict[str, tuple[str, int]]:
        """{op: (status, attempts)}, for one-line assertions."""
        return {name: (op.status, op.attempts) for name, op in self.ops.items()}

    def tail(self, lines: int = 80) -> str:
        return _tail(self.output, lines)


@dataclasses.dataclass
class DagsterHarness:
    home: pathlib.Path
    python: pathlib.Path = dataclasses.field(default_factory=dagster_python)
    timeout_seconds: float = 600.0

    def __post_init__(self) -> None:
        if not pathlib.Path(self.python).is_file():
            raise DagsterHarnessError(
                f"Dagster venv python {self.python} not found: create it with "
                f"Tests/integration/setup_venv.sh <venv> Tests/integration/requirements-dagster.txt "
                f"targets/runtime targets/dagster and set {VENV_ENV}=<venv>"
            )
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("DAGSTER")}
        env.update({"DAGSTER_HOME": str(self.home), "PYTHONUNBUFFERED": "1"})
        env.update(extra or {})
        return env

    def validate(self, path: pathlib.Path, extra_env: Mapping[str, str] | None = None) -> ValidationReport:
        """``dagster definitions validate -f PATH``: loads the file as a code location."""
        completed = self._run(
            [str(self.python), "-m", "dagster", "definitions", "validate", "-f", str(path)], self.env(extra_env),
            f"dagster definitions validate -f {path}",
        )
        return ValidationReport(ok=completed.returncode == 0, output=completed.stdout)

    def run_job(
        self,
        module_path: pathlib.Path,
        job_name: str,
        logical_date: datetime.datetime | str | None,
        extra_env: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        executor: str = "in_process",
        params: Mapping[str, object] | None = None,
        run_config: Mapping[str, object] | None = None,
    ) -> JobRunReport:
        """Run ``job_name`` of ``module_path`` once; a failed run is reported, not raised.

        ``logical_date`` becomes the run tag ``jobc/logical_date`` (None: no tag). ``params`` are
        run parameter overrides, given the way a Dagster user gives them: run config
        ``{"resources": {"jobc_params": {"config": params}}}`` (None: no run config, the defaults).
        ``run_config`` is any other run config (not together with ``params``).
        """
        if params is not None:
            if run_config is not None:
                raise ValueError("give params or run_config, not both")
            run_config = {"resources": {RUN_PARAMS_RESOURCE: {"config": dict(params)}}}
        run_tags = dict(tags or {})
        if logical_date is not None:
            run_tags[LOGICAL_DATE_TAG] = logical_date if isinstance(logical_date, str) else logical_date.isoformat()
        argv = [str(self.python), str(RUNNER), "--module", str(module_path), "--job", job_name,
                "--tags", json.dumps(run_tags), "--run-config", json.dumps(run_config or {}), "--executor", executor]
        what = f"{RUNNER.name} {module_path.name} {job_name}"
        completed = self._run(argv, self.env(extra_env), what)
        if completed.returncode != 0:
            raise DagsterHarnessError(f"{what} exited with {completed.returncode}\n{_tail(completed.stdout)}")
        result = _result_line(completed.stdout, what)
        return JobRunReport(
            job_name=job_name,
            run_id=result["run_id"],
            success=result["success"],
            run_tags=result["run_tags"],
            ops={name: OpReport.from_result(name, op) for name, op in result["ops"].items()},
            output=completed.stdout,
            helpers={name: OpReport.from_result(name, op) for name, op in result["helpers"].items()},
        )

    def _run(self, argv: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(
                argv, env=env, cwd=self.home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                timeout=self.timeout_seconds, check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise DagsterHarnessError(
                f"{what} timed out after {self.timeout_seconds}s\n{_tail(error.output or '')}"
            ) from None


def _result_line(output: str, what: str) -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    raise DagsterHarnessError(f"{what} printed no result line\n{_tail(output)}")


def _tail(text: str | bytes, lines: int = 80) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])
