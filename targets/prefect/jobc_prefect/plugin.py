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
from typing import TYPE_CHECKING, Any

from .capabilities import IMPORTED_MODULES, PROTOCOL_VERSION, capabilities_for

if TYPE_CHECKING:
    from .ir import JobGraph

# The reading and rendering modules are imported where a compile needs them, not here: jobc asks
# for --capabilities before it compiles anything, and waits for the answer (their imports were most
# of that call's time).

USAGE = "usage: jobc-emit-prefect --capabilities | jobc-emit-prefect < REQUEST.json (docs/plugins.md, protocol version 2)"
# JOBC_VERSION goes into a comment line: anything unexpected is not copied.
_VERSION = re.compile(r"[0-9A-Za-z.+-]{1,40}")


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
    from .request import RequestError

    try:
        answer = answer_request(sys.stdin.fileno(), os.environ.get("JOBC_VERSION"))
    except RequestError as error:
        print(f"jobc-emit-prefect: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(answer)
    sys.stdout.flush()
    return 0


def run() -> None:
    """The ``jobc-emit-prefect`` command: ``main``, then exit without freeing the request's objects
    one by one on the way out (that would only keep jobc waiting)."""
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def answer_request(fd: int, jobc_version: str | None) -> str:
    """The answer to the request read from ``fd``, as JSON text: one answer per job, in order.

    ``{"protocolVersion": 2, "options": {...}, "jobs": [IR, ...]}`` is checked down to the jobs; each
    job's IR is checked on its own, so that one bad job fails alone. A job is compiled as soon as it
    is read once the version and options before it are known (jobc writes them first), while jobc
    still checks the jobs after it; nothing is written before the whole request was read and found
    to be one (RequestError otherwise).
    """
    from .request import RequestError, RequestReader

    answers: list[str] = []
    held_back: list[Any] = []

    def on_job(document: Any) -> None:
        if _request_problem(reader.members) is None:
            answers.append(_answer_text(document, reader.members["options"], jobc_version))
        else:
            held_back.append(document)

    reader = RequestReader(fd, on_job)
    reader.read()
    problem = _request_problem(reader.members)
    if problem is None and reader.jobs_read is None:
        problem = "the compile request's 'jobs' must be a list"
    if problem:
        raise RequestError(problem)
    answers += [_answer_text(document, reader.members["options"], jobc_version) for document in held_back]
    return f'{{"protocolVersion": {PROTOCOL_VERSION}, "jobs": [\n' + ",\n".join(answers) + "\n]}\n"


def _request_problem(members: dict[str, Any]) -> str | None:
    """What is wrong with the request's version and options; None when both are right."""
    version = members.get("protocolVersion")
    if version != PROTOCOL_VERSION or isinstance(version, bool):
        return (f"protocolVersion {json.dumps(version)} is not supported: this plugin speaks "
                f"protocol version {PROTOCOL_VERSION} (use a jobc that speaks it)")
    if not isinstance(members.get("options"), dict):
        return "the compile request's 'options' must be an object"
    return None


def _answer_text(document: Any, options: dict, jobc_version: str | None) -> str:
    # ASCII-only JSON: the bytes are the same whatever the locale's encoding.
    return json.dumps(compile_job(document, options, jobc_version), ensure_ascii=True)


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
    # ASCII-only JSON: the bytes are the same whatever the locale's encoding.
    sys.stdout.write(json.dumps(document, ensure_ascii=True, indent=2) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    run()
