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
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from comptoir.adoption.rollups.active_days import bit
from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.telemetry.clock import today as local_today
from comptoir.adoption.usage import kept, metrics
from comptoir.adoption.usage.queries import (
    NO_FILTERS,
    ActivityRow,
    Filters,
    active_pairs,
    first_active_days,
    live_rows,
    segment_totals,
    tenant_zone,
)
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope

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
    end: dt.date  # the last day counted (today at most; the end asked for a range to come)
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
    if start > last:  # a range still to come: nothing to count in it yet
        summary.end = end
        summary.by_role = {role: Segment() for role in ROLES}
        summary.by_module = {module: Segment() for module in MODULES}
        summary.inactive = [_seat(seat, None) for seat in seats]
        return summary
    live = await live_rows(tenant_id, start - 29 * DAY, last, filters, tz=tz)
    if filters.narrowed:
        last_seen = await _from_day_rows(summary, tenant_id, filters, live)
    else:
        async with tenant_scope(tenant_id) as scope:
            last_seen = await _from_kept(summary, scope, live)
    summary.dau = metrics.mean([float(day.dau) for day in summary.days])
    summary.wau, summary.mau = summary.days[-1].wau, summary.days[-1].mau
    summary.stickiness = metrics.mean([day.stickiness for day in summary.days])
    summary.active_users = sum(1 for day in last_seen.values() if day >= start)
    recent = last - (INACTIVE_DAYS - 1) * DAY
    summary.inactive = [
        _seat(seat, last_seen.get(seat["id"]))
        for seat in seats
        if last_seen.get(seat["id"], recent - DAY) < recent
    ]
    return summary


async def _from_day_rows(
    summary: UsageSummary, tenant_id: uuid.UUID, filters: Filters, live: list[ActivityRow]
) -> dict[uuid.UUID, dt.date]:
    """A filtered summary: the days, roles and modules from the per-user day
    rows narrowed by the filters. Each user's last active day in the range
    and the 29 days before it."""
    start, last = summary.start, summary.end
    active = await active_pairs(tenant_id, start - 29 * DAY, last, filters, live=live)
    summary.days = metrics.trailing(active, start, last)
    last_seen: dict[uuid.UUID, dt.date] = {}
    for day in sorted(active):
        for user in active[day]:
            last_seen[user] = day
    for key, names, target in (
        ("role", ROLES, summary.by_role),
        ("module", MODULES, summary.by_module),
    ):
        totals = await segment_totals(tenant_id, start, last, key, filters, live=live)
        target.update({name: Segment() for name in names})
        target.update(
            {name: Segment(len(users), events) for name, (users, events) in totals.items() if name}
        )
    return last_seen


async def _from_kept(
    summary: UsageSummary, scope: TenantScope, live: list[ActivityRow]
) -> dict[uuid.UUID, dt.date]:
    """The whole tenant's summary from what the rollups keep for it: the
    active counts of each day, one row per user active in the range and the
    29 days before, the value events per role and module; then the hours not
    rolled up yet (``live``) on top."""
    start, last = summary.start, summary.end
    counts = await kept.active_counts(scope, start, last)
    spans = await kept.user_spans(scope, start - 29 * DAY, start, last)
    role_events, module_events = await kept.value_events(scope, start, last)
    live_active: dict[dt.date, set[uuid.UUID]] = {}
    for row in live:
        if row.user_id is not None and row.value_events:
            live_active.setdefault(row.day, set()).add(row.user_id)
    # The rollups end where the live hours begin: days from the first live
    # day on are counted here, from each user's last rolled-up day.
    first_live = min(live_active, default=last + DAY)
    rolled_last = {user: span.last_day for user, span in spans.items()}
    summary.days = [
        _live_figures(day, rolled_last, live_active)
        if day >= first_live
        else metrics.DayFigures(day, *counts.get(day, (0, 0, 0)))
        for day in metrics_days(start, last)
    ]
    for row in live:
        if row.user_id is None or not row.value_events:
            continue
        span = spans.setdefault(row.user_id, kept.UserSpan(row.day))
        span.last_day = max(span.last_day, row.day)
        if start <= row.day <= last:
            span.roles |= bit(row.role, ROLES)
            span.modules |= bit(row.module, MODULES)
            role_events[row.role] += row.value_events
            module_events[row.module] += row.value_events
    summary.by_role = _segments(ROLES, [span.roles for span in spans.values()], role_events)
    summary.by_module = _segments(MODULES, [span.modules for span in spans.values()], module_events)
    return {user: span.last_day for user, span in spans.items()}


def _segments(
    names: tuple[str, ...], user_bits: list[int], events: Counter[str]
) -> dict[str, Segment]:
    """Per name: the users whose bits include it, and its value events."""
    return {
        name: Segment(sum(1 for bits in user_bits if bits & bit(name, names)), events[name])
        for name in names
    }


def _live_figures(
    day: dt.date, rolled_last: dict[uuid.UUID, dt.date], live: dict[dt.date, set[uuid.UUID]]
) -> metrics.DayFigures:
    """DAU, WAU and MAU of a day the live hours reach: every rolled-up day
    is on or before it, so a user's last rolled-up day says if they were
    active in each trailing window."""

    def window(size: int) -> int:
        first = day - (size - 1) * DAY
        users = {user for user, last in rolled_last.items() if last >= first}
        for live_day, found in live.items():
            if first <= live_day <= day:
                users |= found
        return len(users)

    return metrics.DayFigures(day, window(1), window(7), window(30))


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
    week_before = metrics.monday(summary.start) - 7 * DAY
    active = await active_pairs(tenant_id, week_before, summary.end, filters)
    return Trends(
        lifecycle=metrics.lifecycle(active, first_days, summary.start, summary.end),
        cohorts=metrics.retention(active, first_days, summary.start, summary.end),
    )
