"""What `jobc run` and the executor say to each other (README.md has the full protocol).

jobc writes one JSON line, the plan, on the executor's stdin and keeps stdin open: end of file means
jobc is gone, and the executor stops the run as if interrupted. The executor writes one JSON object
per line on stdout, the events; nothing else goes to stdout (a task's output goes to its attempt's
log file). SIGINT or SIGTERM to the executor interrupts the run.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jobc_runtime

PROTOCOL_VERSION = 1
SUPPORTED_IR_VERSIONS = (2,)


class PlanError(ValueError):
    """The plan cannot be run (bad run parameters, logical date, IR version); nothing ran."""


@dataclass(frozen=True)
class Plan:
    ir: Mapping[str, Any]
    run_id: str
    logical_date: datetime.datetime  # UTC
    params: Mapping[str, Any]  # resolved: every declared parameter
    selected: tuple[str, ...] | None  # task keys to run; None: all
    max_parallel: int
    run_folder: str
    report: str | None
    project_root: str
    stubs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # task key → stub (jobc test)
    queries: tuple[Mapping[str, Any], ...] = ()  # SQL to run after the run (jobc test)


def parse_plan(text: bytes) -> Plan:
    try:
        plan = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise PlanError(f"the plan is not JSON: {error}") from None
    if not isinstance(plan, Mapping):
        raise PlanError("the plan must be a JSON object")
    if plan.get("protocol") != PROTOCOL_VERSION:
        raise PlanError(f"jobc speaks local-run protocol {plan.get('protocol')!r}, this jobc_local speaks "
                        f"{PROTOCOL_VERSION}: install the jobc_local of the same jobc version")
    ir = plan.get("ir")
    if not isinstance(ir, Mapping) or ir.get("irVersion") not in SUPPORTED_IR_VERSIONS:
        raise PlanError(f"unsupported IR version {ir.get('irVersion') if isinstance(ir, Mapping) else None!r}")
    try:
        logical_date = jobc_runtime.parse_logical_date(str(plan.get("logical_date")))
    except ValueError as error:
        raise PlanError(f"--logical-date: {error}") from None
    params = resolve_param_texts(ir["job"].get("params", []), plan.get("params") or {})
    selected = plan.get("tasks")
    max_parallel = plan.get("max_parallel")
    if isinstance(max_parallel, bool) or not isinstance(max_parallel, int) or max_parallel < 1:
        raise PlanError(f"max_parallel must be a whole number >= 1, got {max_parallel!r}")
    stubs = plan.get("stubs") or {}
    queries = plan.get("queries") or []
    if not isinstance(stubs, Mapping) or not all(isinstance(stub, Mapping) for stub in stubs.values()):
        raise PlanError("stubs must map task keys to objects")
    unknown = sorted(set(stubs) - {task["key"] for task in ir["tasks"]})
    if unknown:
        raise PlanError(f"stubs name tasks the job does not have: {', '.join(unknown)}")
    if not isinstance(queries, list) or not all(isinstance(query, Mapping) for query in queries):
        raise PlanError("queries must be a list of objects")
    return Plan(ir=ir, run_id=str(plan["run_id"]), logical_date=logical_date, params=params,
                selected=None if selected is None else tuple(selected), max_parallel=max_parallel,
                run_folder=str(plan["run_folder"]), report=plan.get("report"), project_root=str(plan["project_root"]),
                stubs=dict(stubs), queries=tuple(queries))


_INTEGER = re.compile(r"[+-]?[0-9]+")
_BOOLEANS = {"true": True, "false": False}


def resolve_param_texts(declared: list[Mapping[str, Any]], texts: Mapping[str, str]) -> dict[str, Any]:
    """``--param NAME=VALUE`` texts typed by the declared parameter's type, then resolved by
    jobc_runtime.resolve_params (unknown names, wrong types: the engines' messages)."""
    types = {parameter.get("name"): parameter.get("type") for parameter in declared}
    overrides: dict[str, Any] = {}
    problems: list[str] = []
    for name, text in texts.items():
        kind = types.get(name)
        if kind == "integer" and _INTEGER.fullmatch(text.strip()):
            overrides[name] = int(text)
        elif kind == "number":
            try:
                overrides[name] = float(text) if not _INTEGER.fullmatch(text.strip()) else int(text)
            except ValueError:
                problems.append(f"run parameter {name!r} must be a number, got {text!r}")
        elif kind == "boolean" and text.strip().lower() in _BOOLEANS:
            overrides[name] = _BOOLEANS[text.strip().lower()]
        else:
            overrides[name] = text  # a string, or a value resolve_params rejects with the usual message
    if problems:
        raise PlanError("; ".join(problems))
    try:
        return jobc_runtime.resolve_params(declared, overrides)
    except jobc_runtime.RunParameterError as error:
        raise PlanError(str(error)) from None


class Events:
    """JSON lines on stdout, one whole line per write, from any thread."""

    def __init__(self, stream=None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.lock = threading.Lock()

    def emit(self, event: str, **members: Any) -> None:
        line = json.dumps({"event": event, **members}, ensure_ascii=False, default=str) + "\n"
        with self.lock:
            try:
                self.stream.write(line)
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # jobc is gone: the stdin watcher stops the run
