"""`jobc run` from the integration tests: the Python it runs jobs with, and one run with its report.

The Python is $JOBC_LOCAL_VENV/bin/python (default <repo>/.venv/local), a virtualenv holding
jobc-runtime, jobc-local and psycopg2 (`.ci/run` makes it with setup_venv.sh and
requirements-local.txt). A missing venv fails the tests, never skips them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from jobc_cli import jobc_binary
from jobc_test_support import REPO_ROOT

VENV_ENV = "JOBC_LOCAL_VENV"


def local_python() -> pathlib.Path:
    venv = pathlib.Path(os.environ.get(VENV_ENV) or REPO_ROOT / ".venv" / "local")
    python = venv / "bin" / "python"
    if not python.is_file():
        raise AssertionError(f"no Python for jobc run at {python}: run Tests/integration/setup_venv.sh {venv} "
                             f"Tests/integration/requirements-local.txt targets/runtime targets/local, or set {VENV_ENV}")
    return python


@dataclasses.dataclass(frozen=True)
class LocalRun:
    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def task(self, task_id: str) -> dict[str, Any]:
        return next(task for task in self.report["tasks"] if task["task_id"] == task_id)

    @property
    def output(self) -> str:
        return f"--- exit {self.returncode} ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


def param_arguments(params: Mapping[str, Any] | None) -> list[str]:
    """`--param NAME=VALUE` for JSON values, as a user types them (true/false, numbers, text)."""
    arguments = []
    for name, value in (params or {}).items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        arguments += ["--param", f"{name}={text}"]
    return arguments


def run_job(job: pathlib.Path, report: pathlib.Path, *arguments: str, env: Mapping[str, str] | None = None,
            timeout: float = 300, root: pathlib.Path = REPO_ROOT) -> LocalRun:
    result = subprocess.run(command(job, report, arguments, root), cwd=root, capture_output=True, text=True,
                            timeout=timeout, env=run_env(env))
    return LocalRun(result.returncode, result.stdout, result.stderr, read_report(report))


def run_env(env: Mapping[str, str] | None) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", **(env or {})}


def read_report(path: pathlib.Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def command(job: pathlib.Path, report: pathlib.Path, arguments: Sequence[str], root: pathlib.Path = REPO_ROOT) -> list[str]:
    """`jobc run JOB --root ROOT --report REPORT --python <the local venv's python> ARGUMENTS...`."""
    return [str(jobc_binary()), "run", str(job), "--root", str(root), "--report", str(report),
            "--python", str(local_python()), *arguments]
