"""jobc-emit-prefect: the Prefect 3 target as a jobc plugin (docs/plugins.md, protocol version 2).

    jobc-emit-prefect --capabilities        what the target can express and the names it keeps, as JSON
    jobc-emit-prefect < REQUEST.json        every job of a run -> {"jobs": [one answer per job, in order]}

Standard library only: it must start fast, and it must not need Prefect where jobc runs. jobc starts
it once per run, so each job costs only its own reading and rendering.
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import traceback
from typing import TYPE_CHECKING, Any, Callable

from .capabilities import IMPORTED_MODULES, PROTOCOL_VERSION, capabilities_for

if TYPE_CHECKING:
    from .ir import JobGraph

# The reading and rendering modules are imported where a compile needs them, not here: jobc asks
# for --capabilities before it compiles anything, and waits for the answer (their imports were most
# of that call's time).

USAGE = "usage: jobc-emit-prefect --capabilities | jobc-emit-prefect < REQUEST.json (docs/plugins.md, protocol version 2)"
# JOBC_VERSION goes into a comment line: anything unexpected is not copied.
_VERSION = re.compile(r"[0-9A-Za-z.+-]{1,40}")


class RequestError(Exception):
    """Standard input is not a compile request this plugin can answer job by job."""


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments == ["--capabilities"]:
        _write(capabilities_for(os.environ))
        return 0
    if arguments:
        print(f"jobc-emit-prefect: unexpected arguments {arguments!r}\n{USAGE}", file=sys.stderr)
        return 2
    # The process answers one request and exits, and most of what it builds lives until then: the
    # cyclic collector would only walk the request's ~100,000 containers again and again as they
    # are made (an eighth of the plugin's time for 200 jobs).
    gc.disable()
    try:
        request = read_request(sys.stdin.buffer.read())
    except RequestError as error:
        print(f"jobc-emit-prefect: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(answer_text(request, os.environ.get("JOBC_VERSION")))
    sys.stdout.flush()
    return 0


def read_request(stdin: bytes) -> dict:
    """``{"protocolVersion": 2, "options": {...}, "jobs": [IR, ...]}``, checked down to the jobs
    (each job's IR is checked on its own, so that one bad job fails alone)."""
    from .ir_json import IRError, load

    try:
        document = load(stdin.decode("utf-8"), "a jobc compile request")
    except UnicodeDecodeError as error:
        raise RequestError(f"standard input is not UTF-8: {error}") from None
    except IRError as error:
        raise RequestError(str(error)) from None
    if not isinstance(document, dict):
        raise RequestError("the compile request must be a JSON object")
    version = document.get("protocolVersion")
    if version != PROTOCOL_VERSION or isinstance(version, bool):
        raise RequestError(f"protocolVersion {json.dumps(version)} is not supported: this plugin speaks "
                           f"protocol version {PROTOCOL_VERSION} (use a jobc that speaks it)")
    if not isinstance(document.get("options"), dict):
        raise RequestError("the compile request's 'options' must be an object")
    if not isinstance(document.get("jobs"), list):
        raise RequestError("the compile request's 'jobs' must be a list")
    return document


def answer_text(request: dict, jobc_version: str | None) -> str:
    """The protocol's answer as JSON text: one answer per job of the request, in its order."""
    jobs = request["jobs"]
    compile_slice = lambda start, end: ",\n".join(  # noqa: E731 - one line of JSON per job
        json.dumps(compile_job(document, request["options"], jobc_version), ensure_ascii=True)
        for document in jobs[start:end])
    answers = _on_every_core(compile_slice, len(jobs))
    return f'{{"protocolVersion": {PROTOCOL_VERSION}, "jobs": [\n{answers}\n]}}\n'


# A worker is forked for every 16 jobs at most: for fewer, the fork costs more than it saves.
_JOBS_PER_WORKER = 16


def _on_every_core(compile_slice: Callable[[int, int], str], count: int) -> str:
    """``compile_slice(0, count)``, computed in slices by forked workers, one per usable core, this
    process taking the first slice. Jobs are independent and the request is already in memory, so
    a worker shares it for free; it sends back only its slice's text. A worker that fails (its
    traceback on stderr) has its slice computed here again: the answer never depends on workers."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(cores, count // _JOBS_PER_WORKER)
    if workers < 2 or not hasattr(os, "fork"):
        return compile_slice(0, count)
    bounds = [count * index // workers for index in range(workers + 1)]
    forked = [(_fork_worker(compile_slice, start, end), start, end) for start, end in zip(bounds[1:-1], bounds[2:])]
    texts = [compile_slice(bounds[0], bounds[1])]
    for worker, start, end in forked:
        text = _collect(worker)
        texts.append(text if text is not None else compile_slice(start, end))
    return ",\n".join(text for text in texts if text)


def _fork_worker(compile_slice: Callable[[int, int], str], start: int, end: int) -> tuple[int, int] | None:
    """A forked process writing ``compile_slice(start, end)`` to a pipe: (pid, read end), or None."""
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(compile_slice(start, end).encode("ascii"))
            status = 0
        except BaseException:  # noqa: BLE001 - reported, and the parent computes the slice itself
            traceback.print_exc(file=sys.stderr)
        finally:
            sys.stderr.flush()
            os._exit(status)  # not sys.exit: the parent's buffers and exit handlers are not this process's
    os.close(write_end)
    return pid, read_end


def _collect(worker: tuple[int, int] | None) -> str | None:
    """A worker's text once it exited cleanly; None when it could not start or failed."""
    if worker is None:
        return None
    pid, read_end = worker
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    return data.decode("ascii") if os.waitstatus_to_exitcode(status) == 0 else None


def compile_job(document: Any, options: dict, jobc_version: str | None) -> dict:
    """One job's answer: its flow module, or error diagnostics and no files."""
    from .ir import IRError, read
    from .refusals import error_diagnostic, refusals

    diagnostics = [_option_error(name) for name in options]
    graph = None
    try:
        graph = read(document)
    except IRError as error:
        diagnostics.append(error_diagnostic(str(error)))
    if graph is None:
        return {"files": [], "diagnostics": diagnostics}
    diagnostics += refusals(graph)
    if graph.job.id in IMPORTED_MODULES:
        diagnostics.append(error_diagnostic(
            f"job id '{graph.job.id}' cannot be compiled for Prefect: '{graph.job.id}.py' would shadow the "
            f"module '{graph.job.id}' that the generated flow imports",
            suggestion="rename the job"))
    files = [] if diagnostics else _flow_files(graph, jobc_version)
    if files is None:
        files, diagnostics = [], [error_diagnostic(
            "jobc-emit-prefect failed on this job (a bug in the plugin; its traceback is on stderr)",
            suggestion="report it with the job file")]
    return {"job": graph.job.id, "files": files, "diagnostics": diagnostics}


def _flow_files(graph: JobGraph, jobc_version: str | None) -> list[dict] | None:
    """The job's module; None (and a traceback on stderr) if rendering failed, so that a bug seen on
    one job fails that job, not the run."""
    from . import flow_module

    version = jobc_version if jobc_version and _VERSION.fullmatch(jobc_version) else "(unknown version)"
    try:
        return [{"path": f"{graph.job.id}.py", "content": flow_module.render(graph, version)}]
    except Exception:  # noqa: BLE001 - reported as this job's error, the traceback on stderr
        traceback.print_exc(file=sys.stderr)
        return None


def _option_error(name: str) -> dict:
    from .refusals import error_diagnostic

    return error_diagnostic(f"unknown option {json.dumps(name, ensure_ascii=False)}: the prefect target takes no options",
                            suggestion=f"remove `--option {name}=...`")


def _write(document: dict) -> None:
    # ASCII-only JSON (here and in the answers): the bytes are the same whatever the locale's encoding.
    sys.stdout.write(json.dumps(document, ensure_ascii=True, indent=2) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
