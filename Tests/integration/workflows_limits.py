"""Google's Cloud Workflows resource limits, checked on a generated program.

An independent re-implementation of jobc's `WorkflowsLimits` (Sources/JobcEmitters/CloudWorkflows/:
WorkflowsLimits.swift, WorkflowsProgramWalk.swift, WorkflowsExpressionScan.swift) over a PyYAML-parsed program, so the integration
tests can check what jobc writes without trusting jobc's own check. Both read the fixtures in
fixtures/workflows_limits/ and must agree on every one.

The limits are those of "Resource limits" on https://cloud.google.com/workflows/quotas. What is
counted, step by step:
- a step is 1, plus its nested `steps`, the largest condition of its `switch`, each iteration of its
  `for`, each branch of its `parallel` (a branch is a step), its `try` and `except` bodies, and the
  steps of each subworkflow it calls (`call: NAME`, and a `retry` predicate `${NAME}`); a condition
  or `try` that acts inline (assign, call, raise, return) is 1 more. A loop runs once per item of a
  literal `in` list or integer `range`, once when its list is an expression.
- parallel nesting: 1 + the deepest parallel step inside a parallel step's branches or loop,
  following calls; call depth: 1 + the callee's; a call into a subworkflow being walked is recursion.
- variable memory (an estimate from the text alone): UTF-8 bytes of every assign value and literal
  loop list as written (mapping keys included), plus the largest `args`.
- call depth and parallel nesting take every subworkflow as an entry; steps take `main` (every
  subworkflow when there is no `main`). Each subworkflow is walked once: linear in program size.

Scalars' sizes are those of their text as written, so parse with `load_program`, which keeps every
scalar as its text (PyYAML's safe_load would turn `1.0e-05` into a float and lose how it was written);
a safe_load dict works too, with sizes of non-strings estimated from `str()`.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import yaml

SOURCE_BYTES = 131_072
EXPRESSION_LENGTH = 400
ASSIGNMENTS_PER_STEP = 50
CONDITIONS_PER_SWITCH = 50
BRANCHES_PER_PARALLEL = 10
PARALLEL_NESTING = 2
SUBWORKFLOW_CALL_DEPTH = 20
STEPS_PER_EXECUTION = 100_000
VARIABLE_MEMORY_BYTES = 524_288

MAXIMUM = {
    "sourceSize": SOURCE_BYTES,
    "expressionLength": EXPRESSION_LENGTH,
    "assignmentsPerStep": ASSIGNMENTS_PER_STEP,
    "conditionsPerSwitch": CONDITIONS_PER_SWITCH,
    "branchesPerParallel": BRANCHES_PER_PARALLEL,
    "parallelNesting": PARALLEL_NESTING,
    "subworkflowCallDepth": SUBWORKFLOW_CALL_DEPTH,
    "stepsPerExecution": STEPS_PER_EXECUTION,
    "variableMemory": VARIABLE_MEMORY_BYTES,
}

# Counts past a 64-bit integer (and recursion) are "unbounded", as in the Swift check.
UNBOUNDED = 2**63 - 1
INLINE_ACTIONS = ("assign", "call", "raise", "return")
INTEGER = re.compile(r"[-+]?[0-9]+")


class _TextLoader(yaml.SafeLoader):
    """SafeLoader that resolves no plain scalar: each stays the text it was written as."""


_TextLoader.yaml_implicit_resolvers = {}


def load_program(source_text: str) -> Any:
    """The program with every scalar kept as its text, as the Swift check reads it."""
    return yaml.load(source_text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass


def violations(program: Any, source_text: str) -> list[str]:
    """Every limit the program passes, as "LIMIT ACTUAL/MAXIMUM at PATH", in the Swift check's order."""
    walk = _Walk()
    found = []
    size = len(source_text.encode("utf-8"))
    if size > SOURCE_BYTES:
        found.append(("sourceSize", size, ""))
    walk.walk(program)
    found += walk.violations()
    return [format_violation(limit, actual, path) for limit, actual, path in found]


def format_violation(limit: str, actual: int, path: str) -> str:
    shown = "unbounded" if actual >= UNBOUNDED else str(actual)
    return f"{limit} {shown}/{MAXIMUM[limit]} at {path or '(program)'}"


def longest_expression(text: str) -> int:
    """Characters of the longest `${...}`: to the `}` closing it (braces in "..." literals aside)."""
    longest = length = depth = 0
    in_string = escaped = False
    previous = ""
    for char in text:
        if depth > 0:
            length += 1
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    longest = max(longest, length)
        elif previous == "$" and char == "{":
            length, depth, in_string, escaped = 2, 1, False, False
        previous = char
    return max(longest, length) if depth > 0 else longest


def value_bytes(value: Any) -> int:
    """UTF-8 bytes of a value as written: scalars' text and mapping keys."""
    if isinstance(value, dict):
        return _cap(sum(len(str(key).encode("utf-8")) + value_bytes(item) for key, item in value.items()))
    if isinstance(value, list):
        return _cap(sum(value_bytes(item) for item in value))
    if value is None:
        return 0
    if isinstance(value, bool):
        return 4 if value else 5
    return len(str(value).encode("utf-8"))


def _cap(number: int) -> int:
    return min(number, UNBOUNDED)


class _Flow:
    """What a piece of program costs when it runs."""

    __slots__ = ("steps", "parallel_depth", "call_depth")

    def __init__(self, steps: int = 0, parallel_depth: int = 0, call_depth: int = 0):
        self.steps = steps
        self.parallel_depth = parallel_depth
        self.call_depth = call_depth

    def then(self, other: _Flow) -> None:
        self.steps = _cap(self.steps + other.steps)
        self.parallel_depth = max(self.parallel_depth, other.parallel_depth)
        self.call_depth = max(self.call_depth, other.call_depth)

    def either(self, other: _Flow) -> None:
        self.steps = max(self.steps, other.steps)
        self.parallel_depth = max(self.parallel_depth, other.parallel_depth)
        self.call_depth = max(self.call_depth, other.call_depth)


class _Witnesses:
    """Where one subworkflow's deepest parallel nesting and call chain start."""

    def __init__(self) -> None:
        self.parallel_depth = 0
        self.parallel_path = ""
        self.call_depth = 0
        self.call_path = ""
        self.callee = ""


class _Walk:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.steps_of: list[Any] = []
        self.paths: list[list[str]] = []
        self.index_by_name: dict[str, int] = {}
        self.walked: list[tuple[_Flow, _Witnesses] | None] = []
        self.stack: list[tuple[int, _Witnesses]] = []
        self.path: list[str] = []
        self.step_violations: list[list[tuple[str, int, str]]] = []
        self.expression_violations: list[tuple[str, int, str]] = []
        self.recursions: list[tuple[str, int, str]] = []
        self.assigned_bytes = 0
        self.largest_arguments = 0
        self.largest_value = (0, "")
        self.steps_upper_bound = 0
        self.parallel_depth = 0
        self.call_depth = 0

    # program

    def walk(self, root: Any) -> None:
        self.scan_expressions(root)
        if isinstance(root, list):
            self._add("main", root, [])
        elif isinstance(root, dict):
            for key, value in root.items():
                if isinstance(value, dict) and isinstance(value.get("steps"), list):
                    self._add(str(key), value["steps"], ["." + str(key), ".steps"])
        else:
            return
        self.walked = [None] * len(self.names)
        self.step_violations = [[] for _ in self.names]
        for index in range(len(self.names)):
            self.walk_subworkflow(index)
        flows = [flow for flow, _ in self.walked]
        entries = [flows[self.index_by_name["main"]]] if "main" in self.index_by_name else flows
        self.steps_upper_bound = max((flow.steps for flow in entries), default=0)
        self.parallel_depth = max((flow.parallel_depth for flow in flows), default=0)
        self.call_depth = UNBOUNDED if self.recursions else max((flow.call_depth for flow in flows), default=0)

    def _add(self, name: str, steps: list, path: list[str]) -> None:
        self.index_by_name.setdefault(name, len(self.names))
        self.names.append(name)
        self.steps_of.append(steps)
        self.paths.append(path)

    def violations(self) -> list[tuple[str, int, str]]:
        found = list(self.expression_violations)
        per_step = [violation for bucket in self.step_violations for violation in bucket]
        for limit in ("assignmentsPerStep", "conditionsPerSwitch", "branchesPerParallel"):
            found += [violation for violation in per_step if violation[0] == limit]
        if self.parallel_depth > PARALLEL_NESTING:
            _, witnesses = next(item for item in self.walked if item[0].parallel_depth == self.parallel_depth)
            found.append(("parallelNesting", self.parallel_depth, witnesses.parallel_path))
        if self.recursions:
            found += self.recursions
        elif self.call_depth > SUBWORKFLOW_CALL_DEPTH:
            _, witnesses = next(item for item in self.walked if item[0].call_depth == self.call_depth)
            found.append(("subworkflowCallDepth", self.call_depth, witnesses.call_path))
        if self.steps_upper_bound > STEPS_PER_EXECUTION:
            if "main" in self.index_by_name:
                entry = self.index_by_name["main"]
            else:
                entry = next(i for i, item in enumerate(self.walked) if item[0].steps == self.steps_upper_bound)
            found.append(("stepsPerExecution", self.steps_upper_bound, _render(self.paths[entry])))
        memory = _cap(self.assigned_bytes + self.largest_arguments)
        if memory > VARIABLE_MEMORY_BYTES:
            found.append(("variableMemory", memory, self.largest_value[1]))
        return found

    # subworkflows and steps

    def walk_subworkflow(self, index: int) -> _Flow:
        known = self.walked[index]
        if known is not None:
            return known[0]
        saved = self.path
        self.path = list(self.paths[index])
        self.stack.append((index, _Witnesses()))
        flow = self.step_list(self.steps_of[index])
        _, witnesses = self.stack.pop()
        self.path = saved
        self.walked[index] = (flow, witnesses)
        return flow

    def step_list(self, node: Any) -> _Flow:
        flow = _Flow()
        if not isinstance(node, list):
            return flow
        for offset, item in enumerate(node):
            self.path.append(f"[{offset}]")
            step = _Flow(steps=1)
            if isinstance(item, dict) and item:
                name, body = next(iter(item.items()))
                self.path.append("." + str(name))
                step.then(self.body(body))
                self.path.pop()
            flow.then(step)
            self.path.pop()
        return flow

    def body(self, node: Any) -> _Flow:
        flow = _Flow()
        if not isinstance(node, dict):
            return flow
        for raw_key, value in node.items():
            key = str(raw_key)
            self.path.append("." + key)
            if key == "assign":
                self.assign(value)
            elif key == "args":
                self.arguments(value)
            elif key == "call":
                if isinstance(value, str):
                    flow.then(self.call(value))
            elif key == "steps":
                flow.then(self.step_list(value))
            elif key == "switch":
                flow.then(self.switch(value))
            elif key == "for":
                flow.then(self.loop(value))
            elif key == "parallel":
                flow.then(self.parallel(value))
            elif key == "try":
                flow.then(self.block(value))
            elif key == "except":
                flow.then(self.body(value))
            elif key == "retry":
                flow.then(self.retry_predicate(value))
            self.path.pop()
        return flow

    def block(self, node: Any) -> _Flow:
        flow = self.body(node)
        if isinstance(node, dict) and any(str(key) in INLINE_ACTIONS for key in node):
            flow.then(_Flow(steps=1))
        return flow

    def switch(self, node: Any) -> _Flow:
        flow = _Flow()
        if not isinstance(node, list):
            return flow
        self.record("conditionsPerSwitch", len(node))
        for offset, condition in enumerate(node):
            self.path.append(f"[{offset}]")
            flow.either(self.block(condition))
            self.path.pop()
        return flow

    def loop(self, node: Any) -> _Flow:
        iterations = 1
        items = node.get("in") if isinstance(node, dict) else None
        bounds = node.get("range") if isinstance(node, dict) else None
        if isinstance(items, list):
            iterations = len(items)
            self.path.append(".in")
            self.live(value_bytes(items))
            self.path.pop()
        elif isinstance(bounds, list) and len(bounds) == 2:
            first, last = _integer(bounds[0]), _integer(bounds[1])
            if first is not None and last is not None:
                iterations = _cap(max(0, last - first + 1))
        flow = _Flow()
        if isinstance(node, dict) and "steps" in node:
            self.path.append(".steps")
            flow = self.step_list(node["steps"])
            self.path.pop()
        flow.steps = _cap(flow.steps * iterations)
        return flow

    def parallel(self, node: Any) -> _Flow:
        flow = _Flow()
        if isinstance(node, dict) and "branches" in node:
            self.path.append(".branches")
            if isinstance(node["branches"], list):
                self.record("branchesPerParallel", len(node["branches"]))
            flow.then(self.step_list(node["branches"]))
            self.path.pop()
        if isinstance(node, dict) and "for" in node:
            self.path.append(".for")
            flow.then(self.loop(node["for"]))
            self.path.pop()
        flow.parallel_depth += 1
        witnesses = self.stack[-1][1]
        if flow.parallel_depth > witnesses.parallel_depth:
            witnesses.parallel_depth = flow.parallel_depth
            witnesses.parallel_path = _render(self.path)
        return flow

    def retry_predicate(self, node: Any) -> _Flow:
        text = node.get("predicate") if isinstance(node, dict) else None
        if not isinstance(text, str) or not text.startswith("${") or not text.endswith("}"):
            return _Flow()
        self.path.append(".predicate")
        flow = self.call(text[2:-1].strip(" "))
        self.path.pop()
        return flow

    def call(self, name: str) -> _Flow:
        index = self.index_by_name.get(name)
        if index is None:
            return _Flow()
        open_at = next((position for position, (open_index, _) in enumerate(self.stack) if open_index == index), None)
        if open_at is not None:
            self.recursions.append(("subworkflowCallDepth", UNBOUNDED, _render(self.path)))
            return _Flow(call_depth=1)
        callee = self.walk_subworkflow(index)
        flow = _Flow(callee.steps, callee.parallel_depth, _cap(callee.call_depth + 1))
        witnesses = self.stack[-1][1]
        if flow.parallel_depth > witnesses.parallel_depth:
            witnesses.parallel_depth = flow.parallel_depth
            witnesses.parallel_path = _render(self.path)
        if flow.call_depth > witnesses.call_depth:
            witnesses.call_depth = flow.call_depth
            witnesses.call_path = _render(self.path)
            witnesses.callee = name
        return flow

    # per-step limits and memory

    def assign(self, node: Any) -> None:
        if not isinstance(node, list):
            return
        self.record("assignmentsPerStep", len(node))
        for offset, item in enumerate(node):
            self.path.append(f"[{offset}]")
            if isinstance(item, dict):
                for key, value in item.items():
                    self.path.append("." + str(key))
                    self.live(value_bytes(value))
                    self.path.pop()
            else:
                self.live(value_bytes(item))
            self.path.pop()

    def arguments(self, node: Any) -> None:
        size = value_bytes(node)
        self.largest_arguments = max(self.largest_arguments, size)
        self.note_largest(size)

    def live(self, size: int) -> None:
        self.assigned_bytes = _cap(self.assigned_bytes + size)
        self.note_largest(size)

    def note_largest(self, size: int) -> None:
        if size > self.largest_value[0]:
            self.largest_value = (size, _render(self.path))

    def record(self, limit: str, count: int) -> None:
        if count > MAXIMUM[limit] and self.stack:
            self.step_violations[self.stack[-1][0]].append((limit, count, _render(self.path)))

    # expressions

    def scan_expressions(self, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                self.path.append("." + str(key))
                self.expression(str(key))
                self.scan_expressions(value)
                self.path.pop()
        elif isinstance(node, list):
            for offset, item in enumerate(node):
                self.path.append(f"[{offset}]")
                self.scan_expressions(item)
                self.path.pop()
        elif isinstance(node, str):
            self.expression(node)

    def expression(self, text: str) -> None:
        longest = longest_expression(text)
        if longest > EXPRESSION_LENGTH:
            self.expression_violations.append(("expressionLength", longest, _render(self.path)))


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and INTEGER.fullmatch(value):
        number = int(value)
        return number if -UNBOUNDED - 1 <= number <= UNBOUNDED else None
    return None


def _render(segments: list[str]) -> str:
    joined = "".join(segments)
    return joined[1:] if joined.startswith(".") else joined


if __name__ == "__main__":
    for file_name in sys.argv[1:]:
        with open(file_name, encoding="utf-8") as handle:
            text = handle.read()
        for line in violations(load_program(text), text):
            print(f"{file_name}: {line}")
