"""Module-level and local Python names for generated code, without collisions (a port of jobc's
PythonNames.swift). Task keys are Python names already; a key keeps its spelling unless the module
itself needs that name, in which case it gets a suffix that clashes with nothing."""

from __future__ import annotations

from collections.abc import Iterable


class PythonNames:
    def __init__(self, keys: Iterable[str], reserved: Iterable[str], detour_suffix: str) -> None:
        keys = list(keys)
        reserved = set(reserved)
        # Keys that are not reserved keep their spelling even when another key's detour wants it.
        self._used = reserved | {key for key in keys if key not in reserved}
        self._by_key = {key: (self.fresh(key + detour_suffix) if key in reserved else key) for key in keys}

    def __getitem__(self, key: str) -> str:
        return self._by_key[key]

    def fresh(self, preferred: str) -> str:
        """A new name based on ``preferred``, unique among everything handed out so far."""
        candidate, counter = preferred, 2
        while candidate in self._used:
            candidate = f"{preferred}{counter}"
            counter += 1
        self._used.add(candidate)
        return candidate
