"""Activities as iCalendar (RFC 5545): one event, or a user's subscription feed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from icalendar import Calendar, Event

from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.settings import get_settings
from comptoir.tenants.activities.service import aware
from comptoir.tenants.activities.tables import Activity

# A feed shows what is near: three months back, a year ahead, a bounded number.
FEED_PAST = dt.timedelta(days=90)
FEED_FUTURE = dt.timedelta(days=365)
FEED_MOST = 2000
# An activity without an end (a call, a task) lasts this long in a calendar.
DEFAULT_LENGTH = dt.timedelta(minutes=30)
PRODUCT = "-//Comptoir//Activities//FR"


def workspace_link(slug: str) -> str:
    return f"{get_settings().base_url}/w/{slug}"


def _event(activity: Activity, stamp: dt.datetime, link_base: str) -> Event:
    assert activity.due_at is not None
    starts = aware(activity.due_at).astimezone(dt.UTC)
    ends = aware(activity.ends_at).astimezone(dt.UTC) if activity.ends_at else None
    event = Event()
    event.add("uid", f"{activity.id}@comptoir")
    event.add("dtstamp", stamp)
    event.add("dtstart", starts)
    event.add("dtend", ends if ends is not None and ends > starts else starts + DEFAULT_LENGTH)
    event.add("summary", activity.subject)
    if activity.body:
        event.add("description", activity.body)
    if activity.location:
        event.add("location", activity.location)
    event.add("categories", [activity.kind.upper()])
    if link_base:
        event.add("url", f"{link_base}/activities/{activity.id}")
    if activity.updated_at is not None:
        event.add("last-modified", aware(activity.updated_at).astimezone(dt.UTC))
    return event


def calendar_of(activities: Iterable[Activity], *, name: str = "", link_base: str = "") -> bytes:
    """The iCalendar text of these activities (those without a due date are
    left out); ``link_base`` (a workspace's address) gives each its page."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for activity in activities:
        if activity.due_at is not None:
            calendar.add_component(_event(activity, stamp, link_base))
    return bytes(calendar.to_ical())


async def feed_activities(
    tenant_id: uuid.UUID, user_id: uuid.UUID, *, now: dt.datetime | None = None
) -> list[Activity]:
    """The user's own activities with a due date near now, bounded."""
    moment = aware(now or dt.datetime.now(dt.UTC))
    async with tenant_scope(tenant_id) as scope:
        rows = await (
            scope.objects(Activity)
            .where(Activity.owner_id == user_id)
            .where(Activity.due_at >= moment - FEED_PAST)
            .where(Activity.due_at < moment + FEED_FUTURE)
            .order_by(Activity.due_at)
            .limit(FEED_MOST)
        )
    return list(rows)
