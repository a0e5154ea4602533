"""Which logical date ("the date this run is for") a Dagster run has.

Dagster has no logical date of its own, so the adapter derives it, in order:

1. the run tag ``jobc/logical_date`` (ISO 8601; set by tests, manual runs and
   re-runs for a given day: ``dagster job launch --tags '{"jobc/logical_date": "2024-03-01"}'``);
2. the tick time of a scheduled run: Dagster 1.13 stores it in the hidden run
   tag ``.dagster/scheduled_execution_time`` (older releases used
   ``dagster/scheduled_execution_time``; both are read). This matches Airflow 3,
   whose default cron timetable also makes the logical date the trigger time;
3. otherwise (a manual run without the tag) the run's creation time, which is
   the same for every op and every retry of the run; "now" only if the run
   record cannot be read.

The result is always timezone-aware UTC. A tag value without an offset is UTC,
like jobc's own ``start_date``; an unparsable tag fails the op rather than
silently running for another day.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import jobc_runtime

LOGICAL_DATE_TAG = "jobc/logical_date"
SCHEDULED_EXECUTION_TIME_TAGS = (".dagster/scheduled_execution_time", "dagster/scheduled_execution_time")

UTC = datetime.timezone.utc


def parse_logical_date(value: str, source: str) -> datetime.datetime:
    """Parse an ISO 8601 date or date-time; naive values are UTC; the result is UTC."""
    try:
        return jobc_runtime.parse_logical_date(value)
    except ValueError:
        raise ValueError(
            f"run tag {source!r} is not an ISO 8601 date or date-time: {value!r} "
            "(expected e.g. 2024-03-01 or 2024-03-01T00:00:00+00:00)"
        ) from None


def logical_date_from_tags(tags: Mapping[str, str]) -> tuple[datetime.datetime, str] | None:
    """The logical date from the run's tags and the tag it came from, or None."""
    for key in (LOGICAL_DATE_TAG, *SCHEDULED_EXECUTION_TIME_TAGS):
        value = tags.get(key)
        if value:
            return parse_logical_date(value, key), key
    return None


def run_logical_date(context) -> tuple[datetime.datetime, str]:
    """The logical date of the run ``context`` (an OpExecutionContext) belongs to, and its source."""
    from_tags = logical_date_from_tags(context.run.tags)
    if from_tags is not None:
        return from_tags
    record = context.instance.get_run_record_by_id(context.run_id)
    if record is not None and record.create_timestamp is not None:
        return jobc_runtime.as_utc(record.create_timestamp), "run creation time"
    return datetime.datetime.now(UTC), "current time"
