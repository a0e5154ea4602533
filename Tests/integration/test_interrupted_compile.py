"""Interrupting `jobc compile` never leaves a partial or missing file.

1,000 jobs are compiled (version A of every output), then every job changes (version B) and
`jobc compile` runs again and is killed mid-way: SIGKILL at several points, SIGINT and SIGTERM once
each. After each kill every output file is exactly its A or its B version, none is missing, and the
only other files are jobc's temporary files of the killed process (none after SIGINT or SIGTERM,
which let the writes in flight finish). A normal run then leaves all B files and nothing else.
Killing is timed by watching the output folder, so the test holds whether jobc writes files one by
one or many at once.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess
import time

import pytest
from jobc_cli import compile_jobs, jobc_binary
from random_jobs import PropertyProject

JOBS = 1000
TARGET = "cloud-workflows"  # three files for a scheduled job: a kill may fall between them
# Fractions of the output files rewritten before the signal is sent.
# The last one is a SIGKILL, so the final normal run finds its temporary files.
KILL_POINTS = [("SIGINT", 0.3), ("SIGTERM", 0.6), ("SIGKILL", 0.0), ("SIGKILL", 0.02), ("SIGKILL", 0.5), ("SIGKILL", 0.9)]


def job_text(number: int, version: str) -> str:
    """A five-task job whose every output file differs between versions."""
    tasks = [f"""  step_{step}:
    function: AnyFunction
    {"depends_on: step_" + str(step - 1) if step else ""}
    kwargs:
      version: "{version}"
      note: "job {number}, step {step}, version {version}: {"x" * (number % 97)}"
      rows: [{", ".join(str(number * step + row) for row in range(20))}]
""" for step in range(5)]
    return (f'job_id: job_{number:04d}\ndescription: "version {version} of job {number}"\n'
            f'schedule: "@daily"\nstart_date: "2024-01-01"\ntasks:\n' + "".join(tasks))


def snapshot(folder: pathlib.Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The project with version B of every job, and the A and B outputs of a normal run each."""
    project = PropertyProject(tmp_path_factory.mktemp("interrupt") / "project")
    jobs = project.root / "jobs"
    jobs.mkdir()
    outputs = {}
    for version in "AB":
        for number in range(JOBS):
            (jobs / f"job_{number:04d}.yaml").write_text(job_text(number, version), encoding="utf-8")
        out = tmp_path_factory.mktemp(f"version_{version}")
        compile_jobs(TARGET, out, jobs, root=project.root)
        outputs[version] = snapshot(out)
    # Per scheduled job: the program, its workflow resource and its scheduler job.
    assert len(outputs["A"]) == 3 * JOBS and outputs["A"].keys() == outputs["B"].keys()
    assert all(outputs["A"][name] != outputs["B"][name] for name in outputs["A"])
    return project, outputs


def start_and_kill(project: PropertyProject, out: pathlib.Path, signal_name: str, fraction: float) -> tuple[subprocess.Popen, int]:
    """Starts compiling version B into `out` (which holds A), sends the signal once `fraction` of
    the files are rewritten, and returns the process (ended) and how many files were new by then."""
    started = time.time_ns()
    process = subprocess.Popen([str(jobc_binary()), "compile", "jobs", "--target", TARGET, "--out", str(out)],
                               cwd=project.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    threshold = int(fraction * 2 * JOBS)
    rewritten = 0
    while process.poll() is None:
        rewritten = sum(1 for entry in os.scandir(out) if not entry.name.startswith(".") and entry.stat().st_mtime_ns >= started)
        if rewritten >= threshold:
            break
        time.sleep(0.005)
    assert process.poll() is None, f"jobc finished before {threshold} files were rewritten; raise JOBS"
    process.send_signal(getattr(signal, signal_name))
    process.wait(timeout=60)
    return process, rewritten


def test_an_interrupted_compile_leaves_every_file_old_or_new(versions, tmp_path):
    project, outputs = versions
    out = tmp_path / "out"
    mixed = 0
    for signal_name, fraction in KILL_POINTS:
        if out.exists():
            shutil.rmtree(out)
        out.mkdir()
        for name, data in outputs["A"].items():
            (out / name).write_bytes(data)
        time.sleep(0.01)  # the files copied above must be older than the run's first write
        process, rewritten = start_and_kill(project, out, signal_name, fraction)
        where = f"{signal_name} after {rewritten} of {2 * JOBS} files"
        assert process.returncode == -getattr(signal, signal_name), f"{where}: exit {process.returncode}"
        temporary = re.compile(rf"\..+\.jobc-tmp-{process.pid}\.\d+")
        files = snapshot(out)
        foreign = sorted(name for name in files.keys() - outputs["A"].keys() if not temporary.fullmatch(name))
        assert not foreign, f"{where}: unexpected files {foreign}"
        if signal_name != "SIGKILL":
            assert files.keys() == outputs["A"].keys(), f"{where}: temporary files left: {sorted(files.keys() - outputs['A'].keys())}"
        missing = sorted(outputs["A"].keys() - files.keys())
        assert not missing, f"{where}: missing {missing[:5]}"
        versions_seen = {name: "A" if files[name] == outputs["A"][name] else "B" if files[name] == outputs["B"][name] else "partial"
                         for name in outputs["A"]}
        partial = sorted(name for name, version in versions_seen.items() if version == "partial")
        assert not partial, f"{where}: neither A nor B: {partial[:5]}"
        if len(set(versions_seen.values())) == 2:
            mixed += 1
    assert mixed >= 3, "the kills should fall while jobc was writing, leaving some files A and some B"

    # The next, uninterrupted run (after the last SIGKILL above, whose temporary files may remain)
    # removes them and leaves exactly version B.
    compile_jobs(TARGET, out, project.root / "jobs", root=project.root)
    assert snapshot(out) == outputs["B"]
