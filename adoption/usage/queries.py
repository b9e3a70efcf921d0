"""Usage read from the rollups: who was active on which day, and how much.

The documented entry points for the rest of the adoption area (completeness,
training, ROI, timelines):

- ``daily_active_users(tenant_id, start, end)``: for each day of the tenant's
  calendar (its time zone) from ``start`` to ``end`` included, the users
  *active* that day, i.e. who did at least one value event (see
  ``comptoir.adoption.telemetry.classify``: a login or a look at the home
  page alone is not use). Days without anyone active are present, empty.
- ``user_activity(tenant_id, start, end)``: per user active in the range,
  their active days, value events (and all events), first and last active day.
- ``activity_rows(...)``: the rows under both, per day, user, role and module.

Each reads the daily rollups (``usage_days``) plus the raw events not rolled
up yet (those after the tenant's last finished hour, so at most an hour or
two of them), never the raw events beyond that. They open the tenant's scope
themselves (or join the caller's transaction for that tenant)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from comptoir.adoption.rollups.active_days import active_sets
from comptoir.adoption.rollups.tables import RollupState, UsageDay
from comptoir.adoption.telemetry.classify import value_sql
from comptoir.adoption.telemetry.clock import day_start_hour, local_day, zone
from comptoir.adoption.telemetry.tables import UsageEvent
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.db.values import as_date, as_uuid_or_none
from comptoir.platform.directory.service import cached_tenant


@dataclass(frozen=True)
class ActivityRow:
    """What one user (None: jobs) did on one local day under one role and module."""

    day: dt.date
    user_id: uuid.UUID | None
    role: str
    module: str
    events: int
    value_events: int
    quantity: int = 0


@dataclass
class UserActivity:
    """One user's use of the CRM over a range of days."""

    user_id: uuid.UUID
    active_days: int = 0  # days with at least one value event
    value_events: int = 0
    events: int = 0  # value events, logins and home-page views
    first_active_day: dt.date | None = None
    last_active_day: dt.date | None = None
    days: set[dt.date] = field(default_factory=set)  # the active days themselves


@dataclass(frozen=True)
class Filters:
    """Narrow the figures to some roles, modules or users (a team); None = all."""

    roles: frozenset[str] | None = None
    modules: frozenset[str] | None = None
    user_ids: frozenset[uuid.UUID] | None = None

    @property
    def narrowed(self) -> bool:
        return self.roles is not None or self.modules is not None or self.user_ids is not None


NO_FILTERS = Filters()


async def tenant_zone(tenant_id: uuid.UUID) -> ZoneInfo:
    tenant = await cached_tenant(tenant_id)
    return zone(tenant.timezone if tenant is not None else None)


def _where(filters: Filters, args: list[Any], *, users: str = "user_id") -> str:
    """SQL conditions for ``filters`` (placeholders appended to ``args``)."""
    clauses: list[str] = []
    for column, values in (("role", filters.roles), ("module", filters.modules)):
        if values is not None:
            if not values:
                return " AND 1 = 0"
            clauses.append(f"{column} IN ({', '.join('{}' for _ in values)})")
            args.extend(sorted(values))
    if filters.user_ids is not None:
        if not filters.user_ids:
            return " AND 1 = 0"
        clauses.append(f"{users} IN ({', '.join('{}' for _ in filters.user_ids)})")
        args.extend(sorted(filters.user_ids))
    return "".join(f" AND {clause}" for clause in clauses)


async def last_rolled_hour(scope: TenantScope) -> int | None:
    """The tenant's last finished hour in the rollups (None: never rolled up)."""
    rows = await scope.select(RollupState, RollupState.last_hour)
    return int(rows[0]["last_hour"]) if rows else None


async def _live_rows(
    scope: TenantScope,
    tz: ZoneInfo,
    start: dt.date,
    end: dt.date,
    filters: Filters,
    *,
    value_only: bool = False,
) -> list[ActivityRow]:
    """Raw events after the last rolled-up hour, as day rows (a few hours' worth)."""
    last = await last_rolled_hour(scope)
    first = day_start_hour(start, tz)
    if last is not None:
        first = max(first, last + 1)
    stop = day_start_hour(end + dt.timedelta(days=1), tz)
    if first >= stop:
        return []
    args: list[Any] = [scope.tenant_id, first, stop]
    where = _where(filters, args)
    value = value_sql()
    having = f" AND {value} = 1" if value_only else ""
    rows = await scope.raw(
        UsageEvent,
        f"SELECT hour, user_id, role, module, {value} AS value, COUNT(*) AS events, "
        "COALESCE(SUM(quantity), 0) AS quantity FROM usage_events "
        f"WHERE tenant_id = {{}} AND hour >= {{}} AND hour < {{}}{where}{having} "
        f"GROUP BY hour, user_id, role, module, {value}",
        *args,
    )
    merged: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        key = (
            local_day(int(row["hour"]), tz),
            as_uuid_or_none(row["user_id"]),
            row["role"],
            row["module"],
        )
        counts = merged.setdefault(key, [0, 0, 0])
        counts[0] += int(row["events"])
        counts[1] += int(row["events"]) if int(row["value"]) else 0
        counts[2] += int(row["quantity"] or 0)
    return [ActivityRow(*key, *counts) for key, counts in merged.items()]


async def live_rows(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    filters: Filters = NO_FILTERS,
    *,
    tz: ZoneInfo | None = None,
) -> list[ActivityRow]:
    """The raw events not rolled up yet from ``start`` to ``end``, as day rows:
    read once by a caller that asks several questions of the same range."""
    tz = tz or await tenant_zone(tenant_id)
    async with tenant_scope(tenant_id) as scope:
        return await _live_rows(scope, tz, start, end, filters)


async def activity_rows(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    filters: Filters = NO_FILTERS,
    *,
    tz: ZoneInfo | None = None,
) -> list[ActivityRow]:
    """Per local day, user, role and module: events and value events, from
    ``start`` to ``end`` included (rollups plus the hours not rolled up yet;
    a day may appear twice for a user when part of it is live)."""
    tz = tz or await tenant_zone(tenant_id)
    async with tenant_scope(tenant_id) as scope:
        args: list[Any] = [tenant_id, start, end]
        where = _where(filters, args)
        rows = await scope.raw(
            UsageDay,
            "SELECT day, user_id, role, module, events, value_events, quantity "
            f"FROM usage_days WHERE tenant_id = {{}} AND day >= {{}} AND day <= {{}}{where}",
            *args,
        )
        found = [
            ActivityRow(
                day=as_date(row["day"]),
                user_id=as_uuid_or_none(row["user_id"]),
                role=row["role"],
                module=row["module"],
                events=int(row["events"]),
                value_events=int(row["value_events"]),
                quantity=int(row["quantity"] or 0),
            )
            for row in rows
        ]
        found.extend(await _live_rows(scope, tz, start, end, filters))
    return found


async def active_pairs(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    filters: Filters = NO_FILTERS,
    *,
    tz: ZoneInfo | None = None,
    live: list[ActivityRow] | None = None,
) -> dict[dt.date, set[uuid.UUID]]:
    """``daily_active_users`` with filters: the lean query the dashboards use
    (``live``: the range's ``live_rows`` when the caller has them already).
    Read from the active user-days unless narrowed to roles or modules (those
    need the per-role and per-module day rows)."""
    tz = tz or await tenant_zone(tenant_id)
    async with tenant_scope(tenant_id) as scope:
        args: list[Any] = []
        where = _where(filters, args)
        if filters.roles is None and filters.modules is None:
            active = await active_sets(scope, start, end, condition=where, condition_args=args)
        else:
            active = await active_sets(
                scope,
                start,
                end,
                table="usage_days",
                condition=f" AND value_events > 0 AND user_id IS NOT NULL{where}",
                condition_args=args,
            )
        if live is None:
            live = await _live_rows(scope, tz, start, end, filters, value_only=True)
        for row in live:
            if row.user_id is not None and row.value_events and row.day in active:
                active[row.day].add(row.user_id)
    return active


async def daily_active_users(
    tenant_id: uuid.UUID, start: dt.date, end: dt.date
) -> dict[dt.date, set[uuid.UUID]]:
    """Each local day from ``start`` to ``end`` (included) -> the users who did
    at least one value event that day (empty set when nobody did)."""
    return await active_pairs(tenant_id, start, end)


def activity_by_user(rows: Iterable[ActivityRow]) -> dict[uuid.UUID, UserActivity]:
    """Fold day rows into one ``UserActivity`` per user (users with events only)."""
    users: dict[uuid.UUID, UserActivity] = {}
    for row in rows:
        if row.user_id is None:
            continue
        activity = users.setdefault(row.user_id, UserActivity(user_id=row.user_id))
        activity.events += row.events
        activity.value_events += row.value_events
        if row.value_events:
            activity.days.add(row.day)
    for activity in users.values():
        activity.active_days = len(activity.days)
        if activity.days:
            activity.first_active_day = min(activity.days)
            activity.last_active_day = max(activity.days)
    return users


async def user_activity(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    user_ids: Collection[uuid.UUID] | None = None,
) -> dict[uuid.UUID, UserActivity]:
    """Per user with any event from ``start`` to ``end`` (included): active
    days, value events, all events, first and last active day (None if they
    only signed in). ``user_ids`` narrows it to some users."""
    filters = Filters(user_ids=frozenset(user_ids)) if user_ids is not None else NO_FILTERS
    return activity_by_user(await activity_rows(tenant_id, start, end, filters))


async def first_active_days(
    tenant_id: uuid.UUID, filters: Filters = NO_FILTERS
) -> dict[uuid.UUID, dt.date]:
    """Each user's first day with a value event, ever (rollups are kept for
    good; raw events not rolled up yet are recent, so they never come first
    for someone already rolled up)."""
    tz = await tenant_zone(tenant_id)
    async with tenant_scope(tenant_id) as scope:
        args: list[Any] = [tenant_id]
        where = _where(filters, args)
        rows = await scope.raw(
            UsageDay,
            "SELECT user_id, MIN(day) AS first_day FROM usage_days WHERE tenant_id = {} "
            f"AND value_events > 0 AND user_id IS NOT NULL{where} GROUP BY user_id",
            *args,
        )
        first = {as_uuid_or_none(row["user_id"]): as_date(row["first_day"]) for row in rows}
        today = dt.datetime.now(tz).date()
        for live in await _live_rows(
            scope, tz, today - dt.timedelta(days=2), today, filters, value_only=True
        ):
            if live.user_id is not None and live.user_id not in first:
                first[live.user_id] = live.day
            elif live.user_id is not None:
                first[live.user_id] = min(first[live.user_id], live.day)
    return {user: day for user, day in first.items() if user is not None}


@dataclass
class SegmentUse:
    """One user's use under one role and module over a range of days."""

    user_id: uuid.UUID
    role: str
    module: str
    value_events: int = 0
    events: int = 0


async def segment_use(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    filters: Filters = NO_FILTERS,
    *,
    tz: ZoneInfo | None = None,
    live: list[ActivityRow] | None = None,
) -> list[SegmentUse]:
    """Per user, role (the one they had at the time) and module: events from
    ``start`` to ``end``, summed in the database (a row per user and segment)."""
    tz = tz or await tenant_zone(tenant_id)
    found: dict[tuple[uuid.UUID, str, str], SegmentUse] = {}
    async with tenant_scope(tenant_id) as scope:
        args: list[Any] = [tenant_id, start, end]
        where = _where(filters, args)
        rows = await scope.raw(
            UsageDay,
            "SELECT user_id, role, module, SUM(value_events) AS value_events, "
            "SUM(events) AS events FROM usage_days WHERE tenant_id = {} AND day >= {} "
            f"AND day <= {{}} AND user_id IS NOT NULL{where} GROUP BY user_id, role, module",
            *args,
        )
        if live is None:
            live = await _live_rows(scope, tz, start, end, filters)
    for row in rows:
        user = as_uuid_or_none(row["user_id"])
        assert user is not None
        found[(user, row["role"], row["module"])] = SegmentUse(
            user, row["role"], row["module"], int(row["value_events"]), int(row["events"])
        )
    for item in live:
        if item.user_id is None or not start <= item.day <= end:
            continue
        use = found.setdefault(
            (item.user_id, item.role, item.module), SegmentUse(item.user_id, item.role, item.module)
        )
        use.value_events += item.value_events
        use.events += item.events
    return list(found.values())


async def segment_totals(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    key: str,
    filters: Filters = NO_FILTERS,
    *,
    live: list[ActivityRow],
) -> dict[str, tuple[set[uuid.UUID], int]]:
    """Per role or per module (``key``) from ``start`` to ``end``: the users
    with a value event there and the value events, one row per segment (its
    users as an array on PostgreSQL), plus ``live`` (the hours not rolled up)."""
    if key not in ("role", "module"):
        raise ValueError(key)
    postgres = is_postgres(get_engine())
    users_sql = (
        "array_agg(DISTINCT user_id) FILTER (WHERE value_events > 0) AS users"
        if postgres
        else "group_concat(DISTINCT CASE WHEN value_events > 0 THEN user_id END) AS users"
    )
    totals: dict[str, tuple[set[uuid.UUID], int]] = {}
    async with tenant_scope(tenant_id) as scope:
        args: list[Any] = [tenant_id, start, end]
        where = _where(filters, args)
        rows = await scope.raw(
            UsageDay,
            f"SELECT {key} AS segment, {users_sql}, SUM(value_events) AS events FROM usage_days "
            "WHERE tenant_id = {} AND day >= {} AND day <= {} AND user_id IS NOT NULL"
            f"{where} GROUP BY {key}",
            *args,
        )
    for row in rows:
        found = row["users"] or []
        if isinstance(found, str):
            found = found.split(",")
        users = {user for user in (as_uuid_or_none(item) for item in found) if user is not None}
        totals[row["segment"]] = (users, int(row["events"] or 0))
    for item in live:
        if item.user_id is None or not item.value_events or not start <= item.day <= end:
            continue
        users, events = totals.get(getattr(item, key), (set(), 0))
        users.add(item.user_id)
        totals[getattr(item, key)] = (users, events + item.value_events)
    return totals
