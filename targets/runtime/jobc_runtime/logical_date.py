"""The logical date as every target reads it: an ISO 8601 date or date-time, as an aware UTC datetime."""

from __future__ import annotations

import datetime

UTC = datetime.timezone.utc


def parse_logical_date(text: str) -> datetime.datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 date-time (``Z`` or an offset; UTC when it has
    none), converted to UTC so that every target hands functions the same instant and the same day.
    Raises ``ValueError`` naming the expected forms."""
    try:
        parsed = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        raise ValueError(
            f"{text!r} is not an ISO 8601 date or date-time (expected e.g. 2024-03-01 or 2024-03-01T00:00:00+00:00)"
        ) from None
    return as_utc(parsed)


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """A plain ``datetime`` in UTC; a naive value is taken as UTC (engines' datetime subclasses,
    like Prefect's, become plain datetimes)."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return datetime.datetime.fromtimestamp(value.timestamp(), UTC)
