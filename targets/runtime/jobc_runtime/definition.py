"""TaskDefinition: everything a generated file says about one task, checked once.

Every adapter builds one from its entry point's arguments when the generated file is loaded, so a
bad definition fails then, the same way on every engine, and ``run_task`` takes it as it is. Cheap
checks only: the function itself is imported at run time (whoever loads the file need not have the
function's dependencies, e.g. psycopg2).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .alerts import FailureAlerts, failure_alerts
from .errors import TaskDefinitionError
from .trigger_rules import TRIGGER_RULES


@dataclass(frozen=True)
class TaskDefinition:
    """One task of a job, as the IR describes it; constructing one checks every field.

    ``function_kwargs`` (None: none) is kept as a deep copy, so nothing in the generated file can
    change it later; ``run_task`` hands each attempt a copy of its own. ``on_failure`` takes the IR's
    ``onFailure`` object (``{"webhooks": [...], "emails": [...]}``) or None and is kept as
    FailureAlerts. ``for_each`` names the kwarg a fan-out task's item is passed as.
    ``timeout_seconds`` and ``trigger_rule`` are for adapters that enforce them themselves (None
    where the engine does, or where the task has none).
    """

    job_id: str
    task_id: str
    function_module: str
    function_class: str
    function_kwargs: Mapping[str, Any] | None = None
    secret_key: str | None = None
    retries: int = 0
    timeout_seconds: float | None = None
    on_failure: Mapping[str, Any] | FailureAlerts | None = None
    for_each: str | None = None
    trigger_rule: str | None = None

    def __post_init__(self) -> None:
        # In __post_init__, not a separate factory: no unchecked definition can exist.
        for name in ("job_id", "task_id", "function_module", "function_class"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise TaskDefinitionError(f"{name} must be a non-empty string, got {value!r}")
        if self.function_kwargs is not None and not isinstance(self.function_kwargs, Mapping):
            raise TaskDefinitionError(f"function_kwargs must be a mapping, got {type(self.function_kwargs).__name__}")
        if self.secret_key is not None and (not isinstance(self.secret_key, str) or not self.secret_key):
            raise TaskDefinitionError(f"secret_key must be a non-empty string or None, got {self.secret_key!r}")
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or self.retries < 0:
            raise TaskDefinitionError(f"retries must be a whole number >= 0, got {self.retries!r}")
        if self.timeout_seconds is not None and (
            isinstance(self.timeout_seconds, bool)
            or not isinstance(self.timeout_seconds, (int, float))
            or not math.isfinite(self.timeout_seconds)
            or self.timeout_seconds <= 0
        ):
            raise TaskDefinitionError(
                f"timeout_seconds must be a positive number of seconds or None, got {self.timeout_seconds!r}")
        kwargs = copy.deepcopy(dict(self.function_kwargs or {}))
        if self.for_each is not None:
            # The item becomes a kwarg of the function: a keyword is fine (a **kwargs key), a space is not.
            if not isinstance(self.for_each, str) or not self.for_each.isidentifier():
                raise TaskDefinitionError(f"for_each must name a kwarg (a Python identifier), got {self.for_each!r}")
            if self.for_each in kwargs:
                raise TaskDefinitionError(f"for_each parameter {self.for_each!r} is also set in function_kwargs")
        if self.trigger_rule is not None and self.trigger_rule not in TRIGGER_RULES:
            raise TaskDefinitionError(
                f"trigger_rule must be one of {', '.join(TRIGGER_RULES)} or None, got {self.trigger_rule!r}")
        on_failure = self.on_failure
        if isinstance(on_failure, FailureAlerts):
            # dataclasses.replace passes the kept FailureAlerts back in: checked again like any other.
            on_failure = {"webhooks": list(on_failure.webhooks), "emails": list(on_failure.emails)}
        alerts = failure_alerts(on_failure)
        # The instance is frozen: the checked, normalised values go in through object.__setattr__.
        object.__setattr__(self, "function_kwargs", kwargs)
        object.__setattr__(self, "on_failure", alerts)

    @property
    def max_attempts(self) -> int:
        return self.retries + 1
