"""Measures a generated Cloud Workflows program against the job's DAG, reading only the emitted
YAML (not jobc's own header figures, which it is checked against).

Billed steps: the steps one successful execution runs, every task succeeding at its first attempt,
counted as Google bills them. Each named step counts 1, except an `assign` step, which counts one
per assignment (Google's pricing counts "assigning variables" as steps). A `try` holding a call adds
1 for the call, one holding `steps` adds those steps; a nested `steps` block adds its steps; a
`switch` adds what the first condition that holds runs (its `steps`, or 1 for an inline `return` or
`raise`), conditions evaluated for that execution; a `for` loop adds its steps once per item (`in`
list or `range: [a, b]`); a `parallel` step adds 1 per branch plus the branch's steps, or its loop's
steps per item; a call of a subworkflow adds the steps that subworkflow runs (up to its `return`);
`except` blocks and retry predicates do not run.

Makespan: the program's lanes are the branches of its `run_tasks` step (see `Program.lanes`); a
lane's steps are its tasks, in the order it runs them. Every lane
starts at once; a task starts when the previous task of its lane has ended and every upstream task of
the job (on any lane) has ended, since the executor makes its call wait for them; it lasts its
duration. The critical-path ratio is makespan ÷ the DAG's own critical path (the longest path,
summing task durations), so 1.0 means the program loses no parallelism.
"""

from __future__ import annotations

import math
import re

import yaml

BILLED_STEPS_HEADER = re.compile(r"^# Billed steps when every task succeeds at its first attempt: (\d+) ", re.M)
CRITICAL_PATH_HEADER = re.compile(
    r"^# Critical path in tasks \(unit task time\): the job's (\d+), this program's (\d+)\.", re.M)
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Record(dict):
    """A map an expression reads with dots (`e.code`), as Workflows expressions do."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# The names an expression can read in an execution where every task succeeds and the run sets no
# parameters: Workflows expressions that are also Python expressions.
SUCCESSFUL_RUN = {
    "finished": Record(body=Record(failed_tasks=[])),
    "args": {},
    "default": lambda value, fallback: fallback if value is None else value,
    "map": Record(get=lambda mapping, key: mapping.get(key)),
}

# What Workflows hands a retry predicate when the executor answers 503 ("not yet", a long poll ended).
HTTP_503 = Record(code=503, message="HTTP server responded with error code 503", tags=["HttpError"],
                  body="", headers={})


def evaluate(value, names: dict):
    """A YAML value as Workflows reads it: `${…}` is an expression, anything else is itself."""
    if not (isinstance(value, str) and value.startswith("${") and value.endswith("}")):
        return value
    return eval(value[2:-1], {"__builtins__": {"len": len}}, dict(names))  # noqa: S307 (jobc's own output)


def run_steps(steps: list, subworkflows: dict, names: dict) -> tuple[int, bool, object]:
    """Billed steps of running `steps` (see the module doc), whether they returned, and what."""
    total = 0
    for step in steps:
        ((_, body),) = step.items()
        if "next" in body:
            raise ValueError(f"jumps are not modelled: {step}")
        total += len(body["assign"]) if "assign" in body else 1
        if "try" in body:
            attempt = body["try"]
            total += run_steps(attempt["steps"], subworkflows, names)[0] if "steps" in attempt else 1 + called(attempt, subworkflows)
        if "steps" in body:
            count, returned, value = run_steps(body["steps"], subworkflows, names)
            total += count
            if returned:
                return total, True, value
        if "switch" in body:
            case = next((case for case in body["switch"] if evaluate(case["condition"], names)), {})
            if "steps" in case:
                count, returned, value = run_steps(case["steps"], subworkflows, names)
                total += count
                if returned:
                    return total, True, value
            if "raise" in case:
                raise ValueError(f"a successful run raises at {step}")
            if "return" in case:
                return total + 1, True, evaluate(case["return"], names)
        for loop in [body.get("for"), body.get("parallel", {}).get("for")]:
            if loop:
                total += iterations(loop) * run_steps(loop["steps"], subworkflows, names)[0]
        for branch in body.get("parallel", {}).get("branches", []):
            ((_, branch_body),) = branch.items()
            total += 1 + run_steps(branch_body["steps"], subworkflows, names)[0]
        total += called(body, subworkflows)
        if "return" in body:
            return total, True, evaluate(body["return"], names)
    return total, False, None


def called(body: dict, subworkflows: dict) -> int:
    """Steps the subworkflow `body` calls runs (0 for a call of a standard library function)."""
    if body.get("call") not in subworkflows:
        return 0
    return run_steps(subworkflows[body["call"]]["steps"], subworkflows, SUCCESSFUL_RUN)[0]


def iterations(loop: dict) -> int:
    if "range" in loop:
        first, last = loop["range"]
        return max(0, last - first + 1)
    return len(loop["in"])


def billed_steps(steps: list, subworkflows: dict) -> int:
    """Steps one execution runs when every task succeeds at its first attempt."""
    return run_steps(steps, subworkflows, SUCCESSFUL_RUN)[0]


def makespan(lanes: list[list[str]], upstream: dict[str, list[str]], duration: dict[str, float]) -> float:
    """When the last task ends, every lane starting at 0 (see the module doc). Raises ValueError
    when the lanes and the DAG wait for each other (a deadlock) or do not hold every task once."""
    placed = [key for lane in lanes for key in lane]
    if sorted(placed) != sorted(upstream):
        raise ValueError(f"the lanes hold {len(placed)} steps for {len(upstream)} tasks, or other keys")
    finish: dict[str, float] = {}
    heads = [0] * len(lanes)
    lane_free = [0.0] * len(lanes)
    while len(finish) < len(placed):
        progressed = False
        for lane, keys in enumerate(lanes):
            while heads[lane] < len(keys) and all(parent in finish for parent in upstream[keys[heads[lane]]]):
                key = keys[heads[lane]]
                start = max([lane_free[lane]] + [finish[parent] for parent in upstream[key]])
                finish[key] = lane_free[lane] = start + duration[key]
                heads[lane] += 1
                progressed = True
        if not progressed:
            raise ValueError("deadlock: every lane's next task waits for a task behind another lane's")
    return max(finish.values(), default=0.0)


def critical_path(upstream: dict[str, list[str]], duration: dict[str, float]) -> float:
    finish: dict[str, float] = {}

    def finish_of(task: str) -> float:
        if task not in finish:
            finish[task] = duration[task] + max((finish_of(parent) for parent in upstream[task]), default=0.0)
        return finish[task]

    return max(finish_of(task) for task in upstream)


def http_calls(node):
    """Every step body (`try` and `retry` of an executor call) below `node`, depth first."""
    if isinstance(node, dict):
        if "try" in node and "retry" in node:
            yield node
        for value in node.values():
            yield from http_calls(value)
    elif isinstance(node, list):
        for value in node:
            yield from http_calls(value)


class Program:
    """One `<job_id>.workflows.yaml`."""

    def __init__(self, text: str):
        self.text = text
        self.header_billed_steps = int(BILLED_STEPS_HEADER.search(text).group(1))
        critical = CRITICAL_PATH_HEADER.search(text)
        self.header_unit_critical_path, self.header_unit_makespan = map(int, critical.groups()) if critical else (None, None)
        self.document = yaml.load(text, Loader=Loader)
        self.steps = self.document["main"]["steps"]
        self.subworkflows = {name: body for name, body in self.document.items() if name != "main"}

    def billed_steps(self) -> int:
        return billed_steps(self.steps, self.subworkflows)

    def lanes(self) -> list[list[str]]:
        """The task keys of each lane, in the order it runs them. Inline form: the `task_KEY` steps
        of each branch of `run_tasks` (one lane: of main). Shared form: the steps of the `lane_N`
        subworkflow a branch calls (one lane: main calls it). Beyond ten lanes a branch holds a
        parallel step of two lanes."""
        def branch_lanes(steps: list) -> list[list[str]]:
            if len(steps) == 1:
                body = next(iter(steps[0].values()))
                if "parallel" in body:
                    return [lane for branch in body["parallel"]["branches"] for lane in branch_lanes(next(iter(branch.values()))["steps"])]
                if body.get("call") in self.subworkflows and body["call"].startswith("lane_"):
                    return branch_lanes(self.subworkflows[body["call"]]["steps"])
            keys: list[str] = []
            for step in steps:
                ((name, body),) = step.items()
                # A run of tasks in the shared form: one loop over their keys.
                keys += list(body["for"]["in"]) if isinstance(body, dict) and "for" in body else [name.removeprefix("task_")]
            return [keys]

        main = [step for step in self.steps if next(iter(step)).startswith(("task_", "run_lane_"))]
        if main:
            return branch_lanes(main)
        run = next((step["run_tasks"] for step in self.steps if "run_tasks" in step), None)
        return [] if run is None else branch_lanes([{"run_tasks": run}])

    def makespan(self, upstream: dict[str, list[str]], duration: dict[str, float]) -> float:
        return makespan(self.lanes(), upstream, duration)

    def critical_path_ratio(self, upstream: dict[str, list[str]], duration: dict[str, float]) -> float:
        return self.makespan(upstream, duration) / critical_path(upstream, duration)

    def run_task_call(self) -> dict:
        """The step body of a task's executor call (the first: they differ only in the task)."""
        return next(call for call in http_calls(self.document)
                    if isinstance(call["try"].get("args", {}).get("body"), dict)
                    and call["try"]["args"]["body"].get("action") == "run_task")

    def wait_seconds(self) -> int:
        """How long the executor holds one call of a task before answering 503."""
        return int(self.run_task_call()["try"]["args"]["body"]["wait_seconds"])

    def waiting_steps(self, seconds: int) -> tuple[int, int, int]:
        """Billed steps a lane spends waiting for a task that runs `seconds`, beyond the call a
        successful run bills anyway: (polls, steps per poll, total). The executor holds each call
        `wait_seconds` and answers 503; Workflows then runs the retry predicate (a subworkflow call
        and its steps) and calls again a second later."""
        call = self.run_task_call()
        wait = self.wait_seconds()
        predicate = expression_name(call["retry"]["predicate"])
        count, returned, value = run_steps(self.subworkflows[predicate]["steps"], self.subworkflows, {"e": HTTP_503})
        if not (returned and value is True):
            raise ValueError(f"{predicate} does not retry a 503 (returned {value!r})")
        polls = math.ceil(seconds / (wait + 1)) - 1
        per_poll = 1 + 1 + count  # the call made again, the predicate's call, the predicate's steps
        return polls, per_poll, polls * per_poll


def expression_name(reference: str) -> str:
    """`${name}` → name."""
    return reference.removeprefix("${").removesuffix("}")
