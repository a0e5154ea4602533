"""Run parameters: a job's declared parameters (IR ``job.params``) resolved against one run's overrides."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import TaskConfigurationError

PARAMETER_TYPES = ("string", "integer", "number", "boolean")
_TYPE_DESCRIPTIONS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a finite number",
    "boolean": "a boolean (true or false)",
}
_MAX_SHOWN_VALUE = 80
# Names become SQL bind parameters and Python identifiers; the compiler allows a subset of these.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RunParameterError(TaskConfigurationError):
    """A run's parameter overrides (or the declared parameters themselves) are not valid."""


def resolve_params(declared: Sequence[Mapping[str, Any]], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The run's value of every declared parameter, in declaration order.

    ``declared`` is the IR's ``job.params`` list (``{"name", "type", "default", "description"}``
    objects); it is checked too, since it may come from JSON written by hand or by another tool.
    ``overrides`` maps parameter names to this run's values (None or empty: every default). Every
    problem found is reported in one ``RunParameterError``: unknown names (with the declared ones),
    values of the wrong type. A JSON ``true`` is never an integer and an integer is never a string:
    no value is converted, so a run behaves the same whichever engine started it.
    """
    declared_types, defaults = _validated_declarations(declared)
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        raise RunParameterError(
            f"run parameters must be a mapping of parameter names to values, got {type(overrides).__name__}"
        )
    unknown = sorted(str(name) for name in overrides if name not in declared_types)
    if unknown:
        known = ", ".join(declared_types) or "none"
        raise RunParameterError(
            f"unknown run parameter(s): {', '.join(unknown)} (the job declares: {known})"
        )
    problems = [
        _type_problem(f"run parameter {name!r}", parameter_type, overrides[name])
        for name, parameter_type in declared_types.items()
        if name in overrides
    ]
    problems = [problem for problem in problems if problem]
    if problems:
        raise RunParameterError("; ".join(problems))
    return {name: overrides[name] if name in overrides else defaults[name] for name in declared_types}


def _validated_declarations(declared: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """Each declared name's type and default, in declaration order."""
    if isinstance(declared, (str, bytes)) or not isinstance(declared, Sequence):
        raise RunParameterError(f"declared run parameters must be a list, got {type(declared).__name__}")
    types: dict[str, str] = {}
    defaults: dict[str, Any] = {}
    problems: list[str] = []
    for index, parameter in enumerate(declared):
        if not isinstance(parameter, Mapping):
            problems.append(f"declared run parameter #{index + 1} must be an object, got {type(parameter).__name__}")
            continue
        name = parameter.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            problems.append(f"declared run parameter #{index + 1} has an invalid name {name!r}")
            continue
        if name in types:
            problems.append(f"run parameter {name!r} is declared twice")
            continue
        parameter_type = parameter.get("type")
        if parameter_type not in PARAMETER_TYPES:
            problems.append(
                f"run parameter {name!r} has an unknown type {parameter_type!r} (expected {', '.join(PARAMETER_TYPES)})"
            )
            continue
        if "default" not in parameter:
            problems.append(f"run parameter {name!r} has no default")
        else:
            problem = _type_problem(f"the default of run parameter {name!r}", parameter_type, parameter["default"])
            if problem:
                problems.append(problem)
            defaults[name] = parameter["default"]
        types[name] = parameter_type
    if problems:
        raise RunParameterError("; ".join(problems))
    return types, defaults


def _type_problem(subject: str, parameter_type: str, value: Any) -> str | None:
    if _has_type(parameter_type, value):
        return None
    shown = repr(value)
    if len(shown) > _MAX_SHOWN_VALUE:
        shown = shown[: _MAX_SHOWN_VALUE - 1] + "…"
    return f"{subject} must be {_TYPE_DESCRIPTIONS[parameter_type]}, got {_json_type_name(value)} {shown}"


def _has_type(parameter_type: str, value: Any) -> bool:
    # bool is an int subclass in Python: check it first everywhere.
    if parameter_type == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if parameter_type == "string":
        return isinstance(value, str)
    if parameter_type == "integer":
        return isinstance(value, int)
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__
