"""jobc-emit-prefect: the Prefect 3 target as a jobc plugin (docs/plugins.md, protocol version 1).

    jobc-emit-prefect --capabilities              what the target can express, as JSON
    jobc-emit-prefect [--option KEY=VALUE]...     the IR on stdin -> {"files", "diagnostics"} on stdout

Standard library only: jobc runs this once per job, so it must start fast, and it must not need
Prefect where jobc runs.
"""

from __future__ import annotations

import json
import os
import re
import sys

from . import flow_module
from .capabilities import CAPABILITIES, PROTOCOL_VERSION
from .ir import IRError, JobGraph, parse
from .refusals import error_diagnostic, refusals

USAGE = "usage: jobc-emit-prefect --capabilities | jobc-emit-prefect [--option KEY=VALUE]... < IR.json"
# Job ids that would shadow, from the folder of the generated `<job_id>.py`, what it imports.
SHADOWED_MODULES = frozenset({"prefect", "jobc_prefect", "jobc_runtime"})
# JOBC_VERSION goes into a comment line: anything unexpected is not copied.
_VERSION = re.compile(r"[0-9A-Za-z.+-]{1,40}")


class UsageError(Exception):
    """The command line is not one the protocol defines."""


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments == ["--capabilities"]:
        _write(CAPABILITIES)
        return 0
    try:
        options = parse_options(arguments)
    except UsageError as error:
        print(f"jobc-emit-prefect: {error}\n{USAGE}", file=sys.stderr)
        return 2
    _write(compile_job(sys.stdin.buffer.read(), options, os.environ.get("JOBC_VERSION")))
    return 0


def parse_options(arguments: list[str]) -> list[str]:
    """The KEY=VALUE of each ``--option KEY=VALUE``, in order."""
    if len(arguments) % 2 or any(flag != "--option" for flag in arguments[::2]):
        raise UsageError(f"unexpected arguments {arguments!r}")
    return arguments[1::2]


def compile_job(stdin: bytes, options: list[str], jobc_version: str | None) -> dict:
    """The protocol's response for one job: its flow module, or error diagnostics and no files."""
    diagnostics = [_option_error(option) for option in options]
    graph = None
    try:
        graph = parse(stdin.decode("utf-8"))
    except UnicodeDecodeError as error:
        diagnostics.append(error_diagnostic(f"standard input is not UTF-8: {error}"))
    except IRError as error:
        diagnostics.append(error_diagnostic(str(error)))
    if graph is not None:
        diagnostics += refusals(graph)
    if graph is not None and graph.job.id in SHADOWED_MODULES:
        diagnostics.append(error_diagnostic(
            f"job id '{graph.job.id}' cannot be compiled for Prefect: '{graph.job.id}.py' would shadow the "
            f"module '{graph.job.id}' that the generated flow imports",
            suggestion="rename the job"))
    if graph is None or diagnostics:
        return _response([], diagnostics)
    return _response([_flow_file(graph, jobc_version)], diagnostics)


def _flow_file(graph: JobGraph, jobc_version: str | None) -> dict:
    version = jobc_version if jobc_version and _VERSION.fullmatch(jobc_version) else "(unknown version)"
    return {"path": f"{graph.job.id}.py", "content": flow_module.render(graph, version)}


def _option_error(option: str) -> dict:
    key = option.split("=", 1)[0]
    return error_diagnostic(f"unknown option {json.dumps(key, ensure_ascii=False)}: the prefect target takes no options",
                            suggestion=f"remove `--option {option}`")


def _response(files: list[dict], diagnostics: list[dict]) -> dict:
    return {"protocolVersion": PROTOCOL_VERSION, "files": files, "diagnostics": diagnostics}


def _write(document: dict) -> None:
    # ASCII-only JSON: the bytes are the same whatever the locale's encoding.
    sys.stdout.write(json.dumps(document, ensure_ascii=True, indent=2) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
