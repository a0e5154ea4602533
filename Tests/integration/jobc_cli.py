"""Run the jobc binary from integration tests.

The binary comes from `swift build` (.ci/run exports JOBC_BIN); without it the tests fail loudly.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from collections.abc import Mapping

from jobc_test_support import REPO_ROOT


def jobc_binary() -> pathlib.Path:
    configured = os.environ.get("JOBC_BIN")
    binary = pathlib.Path(configured) if configured else REPO_ROOT / ".build" / "debug" / "jobc"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise AssertionError(f"jobc binary not found at {binary}: run `swift build` or set JOBC_BIN")
    return binary


def run_jobc(*arguments: str, cwd: pathlib.Path | None = None, timeout: float = 120,
             extra_env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(jobc_binary()), *arguments],
        cwd=cwd or REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(extra_env or {})},
    )


def compile_jobs(target: str, out: pathlib.Path, *paths: pathlib.Path | str, root: pathlib.Path = REPO_ROOT,
                 extra_env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Compile and fail with jobc's diagnostics unless every job compiled. ``extra_env`` is for
    plugin targets: a PATH that holds their ``jobc-emit-NAME``."""
    result = run_jobc("compile", *map(str, paths), "--target", target, "--out", str(out), "--root", str(root),
                      extra_env=extra_env)
    if result.returncode != 0:
        raise AssertionError(f"jobc compile failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return result


def ir(job: pathlib.Path, root: pathlib.Path = REPO_ROOT) -> dict:
    """The job's IR, as `jobc ir` prints it; fails with jobc's diagnostics when the job is invalid."""
    result = run_jobc("ir", str(job), "--root", str(root))
    if result.returncode != 0:
        raise AssertionError(f"jobc ir {job} failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def job_id(job: pathlib.Path, root: pathlib.Path = REPO_ROOT) -> str:
    return ir(job, root)["job"]["id"]
