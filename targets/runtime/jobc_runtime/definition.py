"""The checks every engine adapter makes on a task definition when the generated file is loaded.

Cheap checks only, so a bad definition fails when the engine loads the file; the function itself is
imported at run time (whoever loads the file need not have the function's dependencies, e.g.
psycopg2)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def check_task_definition(required: Mapping[str, Any], *, secret_key: Any, function_kwargs: Any,
                          timeout_seconds: Any = None) -> None:
    """``required``: argument name → value that must be a non-empty string (job id, function module
    and class, the task's name). ``timeout_seconds`` may be None or a positive finite number."""
    for argument, value in required.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{argument} must be a non-empty string, got {value!r}")
    if secret_key is not None and (not isinstance(secret_key, str) or not secret_key):
        raise ValueError(f"secret_key must be a non-empty string or None, got {secret_key!r}")
    if function_kwargs is not None and not isinstance(function_kwargs, Mapping):
        raise TypeError(f"function_kwargs must be a mapping, got {type(function_kwargs).__name__}")
    if timeout_seconds is not None and (
        isinstance(timeout_seconds, bool)
        or not isinstance(timeout_seconds, (int, float))
        or not math.isfinite(timeout_seconds)
        or timeout_seconds <= 0
    ):
        raise ValueError(f"timeout_seconds must be a positive number of seconds or None, got {timeout_seconds!r}")
