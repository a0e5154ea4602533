"""Checked access to the IR's JSON: every field present, of its documented type, and nothing else.

An object with a key the plugin does not know is refused, not ignored: a field a newer jobc added
could change what the job does, and dropping it would compile another job than the one written.
"""

from __future__ import annotations

import datetime
import json
import keyword
import re
from collections.abc import Iterable
from typing import Any

# jobc's identifier rule (README, "Identifiers"): what job ids, task and group keys, parameter names may be.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", list: "a list", dict: "an object"}


class IRError(ValueError):
    """The input is not an IR this plugin can compile; the message says what is wrong."""


def load(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (json.JSONDecodeError, IRError) as error:
        raise IRError(f"standard input is not the jobc IR as JSON: {error}") from None


def exact_keys(node: dict, keys: Iterable[str], where: str) -> None:
    """Refuse keys the IR does not define here (missing ones are reported by ``field``)."""
    unknown = [key for key in node if key not in keys]
    if unknown:
        listed = ", ".join(json.dumps(key, ensure_ascii=False) for key in unknown)
        raise IRError(f"{where} has unknown field(s) {listed}: this plugin reads irVersion 2 exactly, "
                      "and a field it does not know could change what the job does")


def field(node: dict, name: str, kind: type, where: str) -> Any:
    if name not in node:
        raise IRError(f"{where} has no {name!r}")
    return typed(node[name], kind, f"{where}.{name}")


def optional(node: dict, name: str, kind: type, where: str) -> Any:
    if name not in node:
        raise IRError(f"{where} has no {name!r}")
    value = node[name]
    return None if value is None else typed(value, kind, f"{where}.{name}")


def typed(value: Any, kind: type, where: str) -> Any:
    # bool is an int in Python; an IR integer is never true or false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise IRError(f"{where} must be {_TYPE_NAMES[kind]}, got {json.dumps(value)[:80]}")
    return value


def string_list(node: dict, name: str, where: str) -> tuple[str, ...]:
    items = field(node, name, list, where)
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
    exact_keys(position, ("line", "column"), f"{where}.source")
    for name in ("line", "column"):
        field(position, name, int, f"{where}.source")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise IRError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> float:
    raise IRError(f"{name} is not a finite number")
