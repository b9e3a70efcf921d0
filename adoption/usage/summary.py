"""The adoption summary of a tenant over a range of days: the figures of
``metrics`` over the rollups, for the API, the dashboard, the console and
the monthly report.

Seats are the tenant's active users (billing may later say billed seats);
seat activation is MAU ÷ seats; inactive seats are seats with no value
event in the 14 days ending on the range's last day. Per role (the role a
user had when acting: a user who changed role counts under both) and per
module: the users active there and their value events. Days after today (in
the tenant's time zone) are left out of the range."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.telemetry.clock import today as local_today
from comptoir.adoption.usage import metrics
from comptoir.adoption.usage.queries import (
    NO_FILTERS,
    Filters,
    active_pairs,
    first_active_days,
    live_rows,
    segment_totals,
    tenant_zone,
)
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope

INACTIVE_DAYS = 14
MAX_RANGE_DAYS = 366
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Segment:
    active_users: int = 0
    events: int = 0


@dataclass(frozen=True)
class Seat:
    user_id: uuid.UUID
    name: str
    email: str
    role: str
    last_active_day: dt.date | None  # None: not within the 30 days before the range


@dataclass
class UsageSummary:
    start: dt.date
    end: dt.date  # the last day counted (today at most)
    dau: float = 0.0  # mean over the range
    wau: int = 0  # of the last day
    mau: int = 0
    stickiness: float = 0.0
    active_users: int = 0
    seats: int = 0
    inactive: list[Seat] = field(default_factory=list)
    by_role: dict[str, Segment] = field(default_factory=dict)
    by_module: dict[str, Segment] = field(default_factory=dict)
    days: list[metrics.DayFigures] = field(default_factory=list)
    active: dict[dt.date, set[uuid.UUID]] = field(default_factory=dict)

    @property
    def inactive_seats(self) -> int:
        return len(self.inactive)

    @property
    def seat_activation(self) -> float | None:
        return self.mau / self.seats if self.seats else None


async def seats_of(tenant_id: uuid.UUID, filters: Filters = NO_FILTERS) -> list[dict[str, Any]]:
    """The tenant's seats (active users), narrowed to a team or current roles."""
    async with tenant_scope(tenant_id) as scope:
        query = scope.select(
            User, User.id, User.first_name, User.last_name, User.email, User.role
        ).where(User.status == "active")
        if filters.roles is not None:
            query = query.where(User.role.is_in(sorted(filters.roles) or [""]))
        if filters.user_ids is not None:
            query = query.where(User.id.is_in(sorted(filters.user_ids) or [uuid.uuid4()]))
        return list(await query.order_by(User.last_name).order_by(User.first_name))


async def usage_summary(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    filters: Filters = NO_FILTERS,
    *,
    now: dt.datetime | None = None,
) -> UsageSummary:
    """The figures over ``start``..``end``, read in one transaction: seats,
    the active users of each day (29 days before ``start`` too, for the
    trailing windows), the use per segment, and the hours not rolled up yet
    (read once for both)."""
    async with tenant_scope(tenant_id):
        return await _summary(tenant_id, start, end, filters, now)


async def _summary(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    filters: Filters,
    now: dt.datetime | None,
) -> UsageSummary:
    tz = await tenant_zone(tenant_id)
    last = min(end, local_today(tz, now))
    summary = UsageSummary(start=start, end=last)
    seats = await seats_of(tenant_id, filters)
    summary.seats = len(seats)
    if start > last:
        summary.by_role = {role: Segment() for role in ROLES}
        summary.by_module = {module: Segment() for module in MODULES}
        summary.inactive = [_seat(seat, None) for seat in seats]
        return summary
    live = await live_rows(tenant_id, start - 29 * DAY, last, filters, tz=tz)
    active = await active_pairs(tenant_id, start - 29 * DAY, last, filters, tz=tz, live=live)
    summary.active = active
    summary.days = metrics.trailing(active, start, last)
    summary.dau = metrics.mean([float(day.dau) for day in summary.days])
    summary.wau, summary.mau = summary.days[-1].wau, summary.days[-1].mau
    summary.stickiness = metrics.mean([day.stickiness for day in summary.days])
    in_range = set().union(*(active[day] for day in metrics_days(start, last)))
    summary.active_users = len(in_range)
    recent = set().union(
        *(active[day] for day in metrics_days(last - (INACTIVE_DAYS - 1) * DAY, last))
    )
    last_seen: dict[uuid.UUID, dt.date] = {}
    for day in sorted(active):
        for user in active[day]:
            last_seen[user] = day
    summary.inactive = [
        _seat(seat, last_seen.get(seat["id"])) for seat in seats if seat["id"] not in recent
    ]
    for key, names, target in (
        ("role", ROLES, summary.by_role),
        ("module", MODULES, summary.by_module),
    ):
        totals = await segment_totals(tenant_id, start, last, key, filters, live=live)
        target.update({name: Segment() for name in names})
        target.update(
            {name: Segment(len(users), events) for name, (users, events) in totals.items() if name}
        )
    return summary


def metrics_days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + n * DAY for n in range((end - start).days + 1)]


def _seat(row: dict[str, Any], last_active: dt.date | None) -> Seat:
    name = f"{row['first_name'] or ''} {row['last_name'] or ''}".strip() or row["email"]
    return Seat(row["id"], name, row["email"], row["role"], last_active)


@dataclass
class Trends:
    """The dashboard's weekly charts."""

    lifecycle: list[metrics.WeekLifecycle]
    cohorts: list[metrics.Cohort]


async def weekly_trends(
    tenant_id: uuid.UUID,
    summary: UsageSummary,
    filters: Filters = NO_FILTERS,
) -> Trends:
    """Lifecycle per week and retention by cohort over the summary's range."""
    if not summary.days:
        return Trends([], [])
    first_days = await first_active_days(tenant_id, filters)
    start = summary.start
    week_before = metrics.monday(start) - 7 * DAY
    active = dict(summary.active)
    if week_before < start - 29 * DAY:  # never: the summary holds 29 days before
        active.update(await active_pairs(tenant_id, week_before, start, filters))
    return Trends(
        lifecycle=metrics.lifecycle(active, first_days, start, summary.end),
        cohorts=metrics.retention(active, first_days, start, summary.end),
    )
