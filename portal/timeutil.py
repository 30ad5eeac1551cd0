"""The one clock the portal reads, so tests can move it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """Treat a naive datetime read back from SQLite as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def london_date(value: datetime) -> date:
    """The calendar date in England for an instant."""
    return as_utc(value).astimezone(LONDON).date()


def today() -> date:
    """Today's date in England."""
    return london_date(utcnow())
