"""Checked access to the IR's JSON: every field the plugin reads present and of its documented type.

Keys the plugin does not read are ignored, so a jobc that adds fields to the IR (additive evolution,
docs/plugins.md) still talks to this plugin; a field that changes what a job does comes with a new
``irVersion``, which ``ir.read`` refuses.
"""

from __future__ import annotations

import datetime
import json
import keyword
import re
from typing import Any

# jobc's identifier rule (README, "Identifiers"): what job ids, task and group keys, parameter names may be.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", list: "a list", dict: "an object"}


class IRError(ValueError):
    """The input is not an IR this plugin can compile; the message says what is wrong."""


def load(text: str, what: str = "the jobc IR") -> Any:
    """JSON with no key twice in an object and no NaN or infinity."""
    try:
        return json_decoder().decode(text)
    except (json.JSONDecodeError, IRError) as error:
        raise IRError(f"standard input is not {what} as JSON: {error}") from None


def json_decoder() -> json.JSONDecoder:
    """The JSON rules of the IR and of the plugin's requests: no key twice in an object, no NaN or
    infinity (each raises IRError)."""
    return json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant)


# The readers below take the exact type json.loads makes as the common case, and word a field's
# path only for an error: a request of 200 jobs reads some 100,000 fields, and formatting each
# one's path up front took a third of the plugin's time.

def field(node: dict, name: str, kind: type, where: str) -> Any:
    if name not in node:
        raise IRError(f"{where} has no {name!r}")
    value = node[name]
    return value if type(value) is kind else typed(value, kind, f"{where}.{name}")


def optional(node: dict, name: str, kind: type, where: str) -> Any:
    if name not in node:
        raise IRError(f"{where} has no {name!r}")
    value = node[name]
    return value if value is None or type(value) is kind else typed(value, kind, f"{where}.{name}")


def typed(value: Any, kind: type, where: str) -> Any:
    # bool is an int in Python; an IR integer is never true or false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise IRError(f"{where} must be {_TYPE_NAMES[kind]}, got {json.dumps(value)[:80]}")
    return value


def string_list(node: dict, name: str, where: str) -> tuple[str, ...]:
    items = field(node, name, list, where)
    if all(type(item) is str for item in items):
        return tuple(items)
    return tuple(typed(item, str, f"{where}.{name}[{index}]") for index, item in enumerate(items))


def identifier(text: str, where: str) -> str:
    if not _IDENTIFIER.fullmatch(text) or text.endswith("_") or keyword.iskeyword(text):
        raise IRError(f"{where} {text!r} is not a jobc identifier")
    return text


def aware_datetime(text: str, where: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise IRError(f"{where} {text!r} is not an RFC 3339 date-time") from None
    if moment.utcoffset() is None:
        raise IRError(f"{where} {text!r} has no UTC offset")
    return moment


def source_position(node: dict, where: str) -> None:
    """``{"line", "column"}``: checked, not used (jobc maps a diagnostic's task key back to it)."""
    position = field(node, "source", dict, where)
    for name in ("line", "column"):
        field(position, name, int, f"{where}.source")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)  # built in C; a key twice shows as a shorter dict
    if len(result) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise IRError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _no_constant(name: str) -> float:
    raise IRError(f"{name} is not a finite number")
