"""Bringing a tenant's rollups up to date, Zulip-style.

A run rolls up every *finished* hour after the tenant's last one (an hour is
finished ``GRACE`` after it ends, so events buffered at its end have been
written), a week of local days at a time. Each chunk is one transaction:
the hourly rows of its new hours are deleted then inserted from the raw
events, its days' per-user and per-tenant rows are rebuilt from all their
hourly rows, and the tenant's last finished hour moves to the end of those
hours. A crash leaves the state at the last committed chunk, so the next run redoes exactly
what is missing; a repeated run finds nothing to do. Only groups with events
are stored (no zero rows). Events written for an hour already rolled up
(more than ``GRACE`` late: a transaction open across the hour's end) mark
it (``usage_late_hours``), and the next run rolls that hour up again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from comptoir.adoption.rollups import active_days
from comptoir.adoption.rollups.tables import RollupState, TenantUsageDay, UsageDay, UsageHour
from comptoir.adoption.telemetry.classify import value_sql
from comptoir.adoption.telemetry.clock import GRACE, aware, day_hours, hour_of, local_day, zone
from comptoir.adoption.telemetry.settings import raw_events_days
from comptoir.adoption.telemetry.store import bulk_insert
from comptoir.adoption.telemetry.tables import LateHour, UsageEvent
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.db.values import as_uuid_or_none
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.ids import new_id

log = structlog.get_logger(__name__)

CHUNK_DAYS = 7  # local days with events per transaction
TENANT_BATCH = 500

HOUR_COLUMNS = (
    ("id", "uuid"),
    ("tenant_id", "uuid"),
    ("hour", "integer"),
    ("user_id", "uuid"),
    ("role", "varchar"),
    ("module", "varchar"),
    ("event", "varchar"),
    ("value", "boolean"),
    ("events", "integer"),
    ("quantity", "integer"),
)
DAY_COLUMNS = (
    ("id", "uuid"),
    ("tenant_id", "uuid"),
    ("day", "date"),
    ("user_id", "uuid"),
    ("role", "varchar"),
    ("module", "varchar"),
    ("events", "integer"),
    ("value_events", "integer"),
    ("quantity", "integer"),
)
TENANT_DAY_COLUMNS = (
    ("id", "uuid"),
    ("tenant_id", "uuid"),
    ("day", "date"),
    ("event", "varchar"),
    ("module", "varchar"),
    ("role", "varchar"),
    ("value", "boolean"),
    ("events", "integer"),
    ("quantity", "integer"),
)


@dataclass(frozen=True)
class RollupResult:
    hours: int  # finished hours now rolled up
    days: int  # local days rebuilt
    late_hours: int = 0  # hours rolled up again for events written late


async def _state(scope: TenantScope) -> RollupState | None:
    return await scope.objects(RollupState).first()


async def _set_state(scope: TenantScope, last_hour: int) -> None:
    state = await _state(scope)
    if state is None:
        await scope.insert(RollupState(last_hour=last_hour))
    else:
        await scope.update(RollupState, {RollupState.last_hour: last_hour})


async def _roll_hours(scope: TenantScope, first: int, last: int) -> None:
    """Hourly rows of hours ``first``..``last`` (included), from the raw events."""
    tenant = scope.tenant_id
    await scope.raw(
        UsageHour,
        "DELETE FROM usage_hours WHERE tenant_id = {} AND hour >= {} AND hour <= {}",
        tenant,
        first,
        last,
    )
    value = value_sql()
    rows = await scope.raw(
        UsageEvent,
        f"SELECT hour, user_id, role, module, event, {value} AS value, COUNT(*) AS events, "
        "COALESCE(SUM(quantity), 0) AS quantity FROM usage_events "
        "WHERE tenant_id = {} AND hour >= {} AND hour <= {} "
        f"GROUP BY hour, user_id, role, module, event, {value}",
        tenant,
        first,
        last,
    )
    await bulk_insert(
        scope,
        UsageHour,
        HOUR_COLUMNS,
        [
            (
                new_id(),
                tenant,
                int(row["hour"]),
                as_uuid_or_none(row["user_id"]),
                row["role"],
                row["module"],
                row["event"],
                bool(int(row["value"])),
                int(row["events"]),
                int(row["quantity"] or 0),
            )
            for row in rows
        ],
    )


def _merge(totals: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], *counts: int) -> None:
    found = totals.setdefault(key, [0] * len(counts))
    for index, count in enumerate(counts):
        found[index] += count


async def _rebuild_days(scope: TenantScope, days: list[dt.date], tz: ZoneInfo) -> None:
    """The per-user and per-tenant rows of ``days`` (local days, in order),
    from all their hourly rows, then who was active on them and the tenant's
    active counts they change: a few statements whatever the number of days."""
    tenant = scope.tenant_id
    wanted = set(days)
    first, stop = day_hours(days[0], tz).start, day_hours(days[-1], tz).stop
    for table in (UsageDay, TenantUsageDay):
        await scope.raw(
            table,
            f"DELETE FROM {table._meta.tablename} WHERE tenant_id = {{}} "
            f"AND day IN ({', '.join('{}' for _ in days)})",
            tenant,
            *days,
        )
    users: dict[tuple[Any, ...], list[int]] = {}
    rows = await scope.raw(
        UsageHour,
        "SELECT hour, user_id, role, module, SUM(events) AS events, "
        "SUM(CASE WHEN value THEN events ELSE 0 END) AS value_events, "
        "SUM(quantity) AS quantity FROM usage_hours "
        "WHERE tenant_id = {} AND hour >= {} AND hour < {} "
        "GROUP BY hour, user_id, role, module",
        tenant,
        first,
        stop,
    )
    for row in rows:
        day = local_day(int(row["hour"]), tz)
        if day in wanted:
            key = (day, as_uuid_or_none(row["user_id"]), row["role"], row["module"])
            _merge(
                users,
                key,
                int(row["events"]),
                int(row["value_events"] or 0),
                int(row["quantity"] or 0),
            )
    await bulk_insert(
        scope,
        UsageDay,
        DAY_COLUMNS,
        [(new_id(), tenant, *key, *counts) for key, counts in users.items()],
    )
    events: dict[tuple[Any, ...], list[int]] = {}
    rows = await scope.raw(
        UsageHour,
        "SELECT hour, event, module, role, value, SUM(events) AS events, "
        "SUM(quantity) AS quantity FROM usage_hours "
        "WHERE tenant_id = {} AND hour >= {} AND hour < {} "
        "GROUP BY hour, event, module, role, value",
        tenant,
        first,
        stop,
    )
    for row in rows:
        day = local_day(int(row["hour"]), tz)
        if day in wanted:
            totals = (day, row["event"], row["module"], row["role"], bool(row["value"]))
            _merge(events, totals, int(row["events"]), int(row["quantity"] or 0))
    await bulk_insert(
        scope,
        TenantUsageDay,
        TENANT_DAY_COLUMNS,
        [(new_id(), tenant, *key, *counts) for key, counts in events.items()],
    )
    await active_days.rebuild(scope, days)


async def rollup_tenant(
    tenant_id: uuid.UUID,
    timezone: str | None = None,
    *,
    now: dt.datetime | None = None,
    chunk_days: int = CHUNK_DAYS,
    after_chunk: Callable[[dt.date], Awaitable[None]] | None = None,
) -> RollupResult:
    """Roll up the tenant's finished hours not rolled up yet, ``chunk_days``
    local days with events per transaction. ``after_chunk`` is called after
    each chunk's commit with its last day (tests use it to crash a run)."""
    tz = zone(timezone)
    moment = aware(now or dt.datetime.now(dt.UTC))
    target = hour_of(moment - GRACE) - 1
    late = await _roll_late_hours(tenant_id, tz, moment)
    async with tenant_scope(tenant_id) as scope:
        state = await _state(scope)
        last = state.last_hour if state is not None else None
        if last is None:
            rows = await scope.raw(
                UsageEvent,
                "SELECT MIN(hour) AS first FROM usage_events WHERE tenant_id = {}",
                tenant_id,
            )
            if not rows or rows[0]["first"] is None:
                return RollupResult(0, 0, late)
            last = int(rows[0]["first"]) - 1
        if last >= target:
            return RollupResult(0, 0, late)
        found = await scope.raw(
            UsageEvent,
            "SELECT DISTINCT hour FROM usage_events WHERE tenant_id = {} AND hour > {} "
            "AND hour <= {}",
            tenant_id,
            last,
            target,
        )
    busy_days = sorted({local_day(int(row["hour"]), tz) for row in found})
    for start in range(0, len(busy_days), chunk_days):
        chunk = busy_days[start : start + chunk_days]
        first = max(last + 1, day_hours(chunk[0], tz).start)
        end = min(target, day_hours(chunk[-1], tz).stop - 1)
        async with tenant_scope(tenant_id) as scope:
            done = await _locked_state(scope)  # another run may have gone further
            if done is not None and done >= end:
                continue
            if done is not None:
                first = max(first, done + 1)
            await _roll_hours(scope, first, end)
            await _rebuild_days(scope, chunk, tz)
            await _set_state(scope, end)
        if after_chunk is not None:
            await after_chunk(chunk[-1])
    async with tenant_scope(tenant_id) as scope:
        done = await _locked_state(scope)
        if done is None or done < target:
            await _set_state(scope, target)
    return RollupResult(hours=target - last, days=len(busy_days), late_hours=late)


async def _locked_state(scope: TenantScope) -> int | None:
    """Take the tenant's rollup turn for this transaction (two runs at once,
    the worker's and the command's, take turns chunk by chunk) and read its
    last finished hour as it is now."""
    if is_postgres(get_engine()):
        await scope.raw(
            RollupState,
            "SELECT pg_advisory_xact_lock(hashtextextended({}, 0))",
            f"usage-rollup:{scope.tenant_id}",
        )
    state = await _state(scope)
    return state.last_hour if state is not None else None


async def _roll_late_hours(tenant_id: uuid.UUID, tz: ZoneInfo, now: dt.datetime) -> int:
    """Roll up again the hours already rolled up that got events since (the
    telemetry writer marks them, ``usage_late_hours``), and forget the marks
    read: those of hours not rolled up yet need nothing more. Hours whose raw
    events are purged are left as they are. How many hours were redone."""
    async with tenant_scope(tenant_id) as scope:
        marks = await scope.select(LateHour, LateHour.hour, LateHour.marked_at)
        if not marks:
            return 0
        done = await _locked_state(scope)
        kept_from = hour_of(now - dt.timedelta(days=raw_events_days()))
        hours = sorted(
            {
                int(mark["hour"])
                for mark in marks
                if done is not None and kept_from <= int(mark["hour"]) <= done
            }
        )
        for hour in hours:
            await _roll_hours(scope, hour, hour)
        if hours:
            await _rebuild_days(scope, sorted({local_day(hour, tz) for hour in hours}), tz)
        await scope.raw(
            LateHour,
            "DELETE FROM usage_late_hours WHERE tenant_id = {} AND marked_at <= {}",
            tenant_id,
            max(mark["marked_at"] for mark in marks),
        )
    return len(hours)


async def _tenants_after(after: uuid.UUID | None) -> list[dict[str, Any]]:
    query = Tenant.select(Tenant.id, Tenant.timezone).order_by(Tenant.id).limit(TENANT_BATCH)
    if after is not None:
        query = query.where(Tenant.id > after)
    return list(await query)


async def each_tenant(action: Callable[[dict[str, Any]], Awaitable[Any]], *, label: str) -> int:
    """Run ``action`` for every tenant of the directory; one that fails does
    not stop the others (the job fails afterwards, to be run again)."""
    done = 0
    failed: list[uuid.UUID] = []
    after: uuid.UUID | None = None
    while True:
        tenants = await _tenants_after(after)
        if not tenants:
            break
        for tenant in tenants:
            try:
                await action(tenant)
                done += 1
            except Exception as error:
                failed.append(tenant["id"])
                log.exception(f"{label}.failed", tenant=str(tenant["id"]), error=repr(error))
        after = tenants[-1]["id"]
    if failed:
        raise RuntimeError(f"{label} failed for {len(failed)} tenant(s)")
    return done


async def rollup_all(*, now: dt.datetime | None = None) -> int:
    """Every tenant's rollups up to date; how many tenants were looked at."""
    moment = now or dt.datetime.now(dt.UTC)

    async def one(tenant: dict[str, Any]) -> None:
        await rollup_tenant(tenant["id"], tenant["timezone"], now=moment)

    return await each_tenant(one, label="rollup")


async def purge_tenant(tenant_id: uuid.UUID, *, now: dt.datetime | None = None) -> None:
    """Drop the tenant's raw events older than the kept days, once rolled up."""
    cutoff = hour_of(aware(now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=raw_events_days()))
    async with tenant_scope(tenant_id) as scope:
        state = await _state(scope)
        if state is None:
            return
        await scope.raw(
            UsageEvent,
            "DELETE FROM usage_events WHERE tenant_id = {} AND hour < {} AND hour <= {}",
            tenant_id,
            cutoff,
            state.last_hour,
        )


async def purge_all(*, now: dt.datetime | None = None) -> int:
    async def one(tenant: dict[str, Any]) -> None:
        await purge_tenant(tenant["id"], now=now)

    return await each_tenant(one, label="purge")
