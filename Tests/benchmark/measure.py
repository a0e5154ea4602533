"""Running a command and measuring it (wall time, CPU time and peak memory of that one process),
and the small statistics and table printing the benchmark needs."""

from __future__ import annotations

import dataclasses
import pathlib
import subprocess


@dataclasses.dataclass
class Run:
    wall: float  # seconds, fork to exit
    cpu: float  # user + system seconds of the process (all its threads)
    peak_mb: float  # maximum resident set size
    exit_code: int
    output: str  # stdout and stderr, merged

    @property
    def cores(self) -> float:
        """How many cores the process kept busy on average."""
        return self.cpu / self.wall if self.wall else 0.0


class Runner:
    """Runs commands through `measure_exec` (measure_exec.c), which reports each one's own figures."""

    def __init__(self, launcher: str):
        self.launcher = launcher

    def run(self, argv: list[str], cwd: str | None = None, env: dict | None = None) -> Run:
        completed = subprocess.run([self.launcher, *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output, _, figures = completed.stdout.decode(errors="replace").rstrip("\n").rpartition("\n")
        wall, user, system, peak_kib, exit_code = figures.split()
        return Run(wall=float(wall), cpu=float(user) + float(system), peak_mb=int(peak_kib) / 1024,
                   exit_code=int(exit_code), output=output)


class Trash:
    """Where the benchmark puts an output it is done with instead of deleting it: a rename, so no timed
    run follows thousands of deletions. On ext4 without a journal (the development VM's disk) a freed
    inode is not reused for one to six minutes, and creating a file steps over every such inode of its
    block group (`recently_deleted()` topped the kernel's profile): deleting the previous run's output
    made creating a file up to 10× slower, for jobc and its physical floor alike, in a state no user
    compiling once meets. The folder goes when the benchmark's work folder does."""

    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.count = 0

    def discard(self, path: pathlib.Path) -> None:
        if path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            self.count += 1
            path.rename(self.folder / str(self.count))


def median_run(runs: list[Run]) -> Run:
    """The run with the median wall time (the machine is noisy; the median is the honest figure)."""
    ordered = sorted(runs, key=lambda run: run.wall)
    return ordered[(len(ordered) - 1) // 2]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def figures(run: Run, jobs: int) -> list[str]:
    """A compile's columns: wall s, CPU s, cores, peak MB, jobs/s."""
    return [f"{run.wall:.3f}", f"{run.cpu:.3f}", f"{run.cores:.2f}", f"{run.peak_mb:.0f}", f"{jobs / run.wall:,.0f}"]


def table(headers: list[str], rows: list[list], labels: int = 1) -> str:
    """A plain-text table: the first `labels` columns left-aligned, the figures right-aligned."""
    cells = [[str(cell) for cell in row] + [""] * (len(headers) - len(row)) for row in rows]
    widths = [max([len(header)] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)]

    def line(row: list[str]) -> str:
        return "  ".join(cell.ljust(width) if i < labels else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([line(headers), "  ".join("-" * width for width in widths)] + [line(row) for row in cells])
