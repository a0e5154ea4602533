"""Python source literals for values that came from the job (a port of jobc's PythonLiteral.swift
and HiddenScalars.swift): ``ast.literal_eval`` of every literal returns exactly the input.

Strings are double-quoted. Quotes, backslashes and every ASCII control are escaped, and so is every
invisible or layout-changing character (NEL, line and paragraph separators, BOM, bidi controls,
non-ASCII spaces, private-use, surrogates, unassigned code points), so no input can end the literal,
start a new line, or hide text from a reviewer; other text stays readable.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from typing import Any

_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Control, format, line/paragraph/space separators, private use, surrogate, unassigned.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs", "Co", "Cs", "Cn"})
# Printable ASCII but the quote and the backslash: every character spells itself (most strings).
_PLAIN = re.compile(r'[ !#-\[\]-~]*')


def string(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return '"' + value + '"'
    return '"' + "".join(_spell(character) for character in value) + '"'


def value(item: Any) -> str:
    """A JSON-shaped value (None, bool, int, finite float, str, list, dict with str keys)."""
    # bool before int: True is an int in Python.
    if item is None:
        return "None"
    if isinstance(item, bool):
        return "True" if item else "False"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if not math.isfinite(item):
            raise ValueError(f"{item!r} has no Python literal")
        return repr(item)  # the shortest spelling that round-trips, as jobc's own emitters write
    if isinstance(item, str):
        return string(item)
    if isinstance(item, list):
        return "[" + ", ".join(value(element) for element in item) + "]"
    if isinstance(item, dict):
        return "{" + ", ".join(f"{string(key)}: {value(element)}" for key, element in item.items()) + "}"
    raise TypeError(f"no Python literal for {type(item).__name__}")


def kwargs_argument(parameters: dict[str, Any]) -> list[str]:
    """``function_kwargs={...},`` as a block, one parameter per line (as jobc's Python targets write it)."""
    if not parameters:
        return ["function_kwargs={},"]
    return ["function_kwargs={", *(f"    {string(key)}: {value(item)}," for key, item in parameters.items()), "},"]


def aware_datetime(moment: datetime.datetime) -> str:
    """A timezone-aware ``datetime.datetime(...)`` (the module must ``import datetime``)."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"{moment!r} has no UTC offset")
    minutes = int(offset.total_seconds()) // 60
    zone = ("datetime.timezone.utc" if minutes == 0
            else f"datetime.timezone(datetime.timedelta(minutes={minutes}))")
    fields = [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second]
    if moment.microsecond:
        fields.append(moment.microsecond)
    return f"datetime.datetime({', '.join(map(str, fields))}, tzinfo={zone})"


def _spell(character: str) -> str:
    simple = _SIMPLE_ESCAPES.get(character)
    if simple is not None:
        return simple
    code = ord(character)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if code < 0x80 or unicodedata.category(character) not in _ESCAPED_CATEGORIES:
        return character
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
