"""Hours and local days: the units of the rollups.

Raw events and hourly rollups carry the UTC hour as a whole number (hours
since the Unix epoch), which both engines compare and group cheaply. A day is
a day of the tenant's calendar (its time zone, Europe/Paris by default): it
holds the UTC hours that start within it (23 or 25 of them when the clocks
change)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
# An hour is rolled up this long after it ends: events buffered at its end
# have been written by then (the writer flushes every second).
GRACE = dt.timedelta(minutes=2)
# Events written later than that for an hour at most this old mark it to be
# rolled up again; older ones are backfills (the demo's history, benches).
LATE_WINDOW_HOURS = 6
DEFAULT_ZONE = "Europe/Paris"


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def hour_of(moment: dt.datetime) -> int:
    """The UTC hour ``moment`` falls in."""
    return int((aware(moment) - EPOCH) // HOUR)


def hour_start(hour: int) -> dt.datetime:
    return EPOCH + hour * HOUR


def local_day(hour: int, tz: ZoneInfo) -> dt.date:
    """The tenant's day an hour belongs to (the day its start falls on)."""
    return hour_start(hour).astimezone(tz).date()


def day_start_hour(day: dt.date, tz: ZoneInfo) -> int:
    """The first UTC hour of a local day (ceiling, for zones off by half an hour)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    hours = (start - EPOCH) / HOUR
    return int(hours) if hours == int(hours) else int(hours) + 1


def day_hours(day: dt.date, tz: ZoneInfo) -> range:
    """The UTC hours of a local day."""
    return range(day_start_hour(day, tz), day_start_hour(day + dt.timedelta(days=1), tz))


def today(tz: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    return aware(now or dt.datetime.now(dt.UTC)).astimezone(tz).date()


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day from ``start`` to ``end``, both included."""
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def late_hours(hours: set[int], now: dt.datetime) -> set[int]:
    """Of ``hours`` (those of events being written at ``now``), the ones the
    rollups may have done already, within the late window."""
    rolled = hour_of(now - GRACE)  # hours before this one may be rolled up
    return {hour for hour in hours if rolled - LATE_WINDOW_HOURS <= hour < rolled}
