"""not_before: a schedule's ``should_execute`` that skips ticks before the job's start_date.

Dagster schedules have no start date; the generated code passes
``should_execute=not_before(<start_date>)`` so ticks before it are skipped
(Dagster records them as skipped ticks with a reason, no run is created).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from dagster_shared.check import CheckError

UTC = datetime.timezone.utc


def not_before(start: datetime.datetime) -> Callable[..., bool]:
    """Return ``should_execute(context)``: True for ticks at or after ``start`` (timezone-aware)."""
    if not isinstance(start, datetime.datetime):
        raise TypeError(f"start must be a datetime.datetime, got {type(start).__name__}")
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start must be timezone-aware, got {start!r}")

    def should_execute(context) -> bool:
        try:
            tick = context.scheduled_execution_time
        except CheckError:
            # Evaluated outside a tick (e.g. by hand with build_schedule_context()):
            # Dagster raises instead of returning None; "now" is what such a run means.
            tick = None
        if tick is None:
            tick = datetime.datetime.now(UTC)
        elif tick.tzinfo is None:
            tick = tick.replace(tzinfo=UTC)
        return tick >= start

    should_execute.__qualname__ = should_execute.__name__ = f"not_before_{start.strftime('%Y%m%dT%H%M%S')}"
    return should_execute
