"""The Python check of Cloud Workflows resource limits (workflows_limits.py) on the shared fixtures.

Each fixture in fixtures/workflows_limits/ states what it passes in `# expect:` comment lines, in
the check's order; a `*_ok` fixture states none. The Swift check reads the same files
(Tests/JobcEmittersTests/WorkflowsLimitsTests.swift), so the two implementations agree on every one.
Needs nothing but PyYAML: no engine, no database, no jobc binary.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml

import workflows_limits

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "workflows_limits"
PROGRAMS = sorted(FIXTURES.glob("*.workflows.yaml"))


def expected(text: str) -> list[str]:
    return [line.removeprefix("# expect: ") for line in text.splitlines() if line.startswith("# expect: ")]


def test_every_limit_has_a_fixture_past_it():
    stated = {line.split(" ")[0] for path in PROGRAMS for line in expected(path.read_text(encoding="utf-8"))}
    assert stated == set(workflows_limits.MAXIMUM)


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda path: path.name.removesuffix(".workflows.yaml"))
def test_fixture_violations_are_those_it_expects(path: pathlib.Path):
    text = path.read_text(encoding="utf-8")
    wanted = expected(text)
    assert (wanted == []) == path.name.endswith("_ok.workflows.yaml"), "only *_ok fixtures expect no violation"
    assert workflows_limits.violations(workflows_limits.load_program(text), text) == wanted


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda path: path.name.removesuffix(".workflows.yaml"))
def test_a_safe_load_program_gives_the_same_violations(path: pathlib.Path):
    """The harnesses parse programs with yaml.safe_load; on these fixtures that changes nothing."""
    text = path.read_text(encoding="utf-8")
    assert workflows_limits.violations(yaml.safe_load(text), text) == expected(text)


def test_expressions_are_measured_in_characters_to_their_closing_brace():
    assert workflows_limits.longest_expression("${a}") == 4
    assert workflows_limits.longest_expression('x ${f("}{")} y ${ab}') == 10
    assert workflows_limits.longest_expression("${é}") == 4
    assert workflows_limits.longest_expression("${map.get({\"a\": 1}, \"a\")}") == 25
    assert workflows_limits.longest_expression("${never closed") == 14
    assert workflows_limits.longest_expression("no $ {expression}") == 0


def test_deep_fan_out_is_counted_once_per_subworkflow_and_saturates():
    """Each of 20 subworkflows calls the next ten times: over 10**19 steps, counted without walking them."""
    program = {"main": {"steps": [{"go": {"call": "s1"}}]}}
    for level in range(1, 21):
        calls = [{f"c{i}": {"call": f"s{level + 1}"}} for i in range(10)] if level < 20 else [{"done": {"return": "1"}}]
        program[f"s{level}"] = {"steps": calls}
    assert workflows_limits.violations(program, "") == ["stepsPerExecution unbounded/100000 at main.steps"]
