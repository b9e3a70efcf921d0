"""A user's follow-ups (their open activities overdue and due today), a
record's next follow-ups (its panel) and the history its activities make
(done ones and notes), for the home page and other records' pages."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.base import Column

from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.features import TimelineEntry
from comptoir.tenants.activities.service import Day, aware, tenant_zone, value_of
from comptoir.tenants.activities.tables import Activity
from comptoir.tenants.contacts.tables import Contact

# How many overdue (and how many of today's) follow-ups the home page shows.
FOLLOW_UPS_SHOWN = 20
PANEL_SIZE = 10
# The record kinds an activity links to, by the name other pages call them.
SUBJECT_COLUMNS = {
    "contact": Activity.contact_id,
    "account": Activity.account_id,
    "opportunity": Activity.opportunity_id,
}


@dataclass(frozen=True)
class FollowUpRow:
    """An activity as a follow-up line shows it (home page, record panels)."""

    id: uuid.UUID
    kind: str
    subject: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    late: bool  # open and past due

    @classmethod
    def of(cls, activity: Any, now: dt.datetime | None = None) -> FollowUpRow:
        moment = aware(now or dt.datetime.now(dt.UTC))
        due = aware(value_of(activity, "due_at")) if value_of(activity, "due_at") else None
        done = aware(value_of(activity, "done_at")) if value_of(activity, "done_at") else None
        return cls(
            id=value_of(activity, "id"),
            kind=value_of(activity, "kind"),
            subject=value_of(activity, "subject"),
            due_at=due,
            done_at=done,
            late=done is None and due is not None and due < moment,
        )


@dataclass(frozen=True)
class FollowUps:
    """A user's open activities that need them: overdue, and due today."""

    day: Day
    overdue: list[FollowUpRow]
    today: list[FollowUpRow]
    more_overdue: bool
    more_today: bool
    suggested_due: str  # a new follow-up's due time: the next full hour, local


def _open_of(scope: TenantScope, owner_id: uuid.UUID) -> Any:
    return (
        scope.objects(Activity)
        .where(Activity.owner_id == owner_id)
        .where(Activity.done_at.is_null())
        .where(Activity.due_at.is_not_null())
    )


async def follow_ups(
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    timezone: str | None,
    now: dt.datetime | None = None,
    limit: int = FOLLOW_UPS_SHOWN,
) -> FollowUps:
    """The user's own open activities due before today (oldest first) and
    today (by time), each list bounded; "today" is the tenant's."""
    day = Day.of(now or dt.datetime.now(dt.UTC), tenant_zone(timezone))
    async with tenant_scope(tenant_id) as scope:
        overdue = await (
            _open_of(scope, user_id)
            .where(Activity.due_at < day.starts)
            .order_by(Activity.due_at)
            .limit(limit + 1)
        )
        today = await (
            _open_of(scope, user_id)
            .where(Activity.due_at >= day.starts)
            .where(Activity.due_at < day.ends)
            .order_by(Activity.due_at)
            .limit(limit + 1)
        )
    moment = aware(now or dt.datetime.now(dt.UTC))
    next_hour = moment.astimezone(tenant_zone(timezone)).replace(minute=0, second=0, microsecond=0)
    next_hour += dt.timedelta(hours=1)
    return FollowUps(
        day=day,
        overdue=[FollowUpRow.of(a, moment) for a in overdue[:limit]],
        today=[FollowUpRow.of(a, moment) for a in today[:limit]],
        more_overdue=len(overdue) > limit,
        more_today=len(today) > limit,
        suggested_due=next_hour.strftime("%Y-%m-%dT%H:%M"),
    )


# ---- other records' pages ----------------------------------------------------------


async def next_follow_ups(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID, *, limit: int = PANEL_SIZE
) -> list[FollowUpRow]:
    """Open activities linked to a contact, account or opportunity: dated
    ones by due date, then undated ones, ``limit`` at most."""
    column = SUBJECT_COLUMNS.get(subject)
    if column is None:
        return []
    async with tenant_scope(tenant_id) as scope:
        dated = await (
            scope.objects(Activity)
            .where(column == subject_id)
            .where(Activity.done_at.is_null())
            .where(Activity.due_at.is_not_null())
            .order_by(Activity.due_at)
            .limit(limit)
        )
        undated = (
            []
            if len(dated) >= limit
            else await scope.objects(Activity)
            .where(column == subject_id)
            .where(Activity.done_at.is_null())
            .where(Activity.due_at.is_null())
            .order_by(Activity.id)
            .limit(limit - len(dated))
        )
    return [FollowUpRow.of(a) for a in [*dated, *undated]]


def _entry(activity: Activity, at: dt.datetime) -> TimelineEntry:
    return TimelineEntry(
        at=aware(at),
        kind=activity.kind if activity.kind in ("call", "meeting", "email") else "activity",
        title=activity.subject,
        body=activity.body,
        actor_id=activity.owner_id,
        link=f"/activities/{activity.id}",
    )


# An account's history also shows its contacts' activities, for this many contacts.
ACCOUNT_CONTACTS_IN_HISTORY = 200


async def history_of(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID, limit: int
) -> Sequence[TimelineEntry]:
    """A record's history from its activities: the done ones (when done) and
    the notes (when written), newest first, ``limit`` at most. An account's
    includes those of its contacts (the first ``ACCOUNT_CONTACTS_IN_HISTORY``)."""
    column: Column | None = SUBJECT_COLUMNS.get(subject)
    if column is None or limit <= 0:
        return []
    async with tenant_scope(tenant_id) as scope:
        linked: Any = column == subject_id
        if subject == "account":
            people = await (
                scope.select(Contact, Contact.id)
                .where(Contact.account_id == subject_id)
                .order_by(Contact.id)
                .limit(ACCOUNT_CONTACTS_IN_HISTORY)
            )
            if people:
                linked = linked | Activity.contact_id.is_in([row["id"] for row in people])
        done = await (
            scope.objects(Activity)
            .where(linked)
            .where(Activity.done_at.is_not_null())
            .order_by(Activity.done_at, ascending=False)
            .limit(limit)
        )
        notes = await (
            scope.objects(Activity)
            .where(linked)
            .where(Activity.done_at.is_null())
            .where(Activity.kind == "note")
            .order_by(Activity.id, ascending=False)
            .limit(limit)
        )
    entries = [_entry(a, a.done_at) for a in done] + [_entry(a, a.created_at) for a in notes]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]
