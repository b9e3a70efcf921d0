"""Who was active on which day, kept by the rollups beside the per-user
counts, so that the default adoption figures read a few hundred rows:

- ``usage_active_user_days``: one row per active user and local day, with the
  roles and modules of their value events that day as bits of ``ROLES`` and
  ``MODULES`` (those lists only ever grow at their end);
- ``usage_active_counts``: the tenant's DAU, WAU and MAU of each day. A day's
  counts depend on it and the 29 days before, so rebuilding days ``a..b``
  counts ``a..b+29`` again (days to come included: their WAU and MAU are
  known already, and nothing else would write them on a day without events).

Both are rebuilt from ``usage_days`` inside the rollup's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from comptoir.adoption.rollups.tables import ActiveCounts, ActiveUserDay
from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.telemetry.store import bulk_insert
from comptoir.adoption.usage import metrics
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.db.values import as_date, as_uuid
from comptoir.platform.ids import new_id

DAY = dt.timedelta(days=1)
WINDOW_DAYS = 30  # the longest trailing window (MAU)

USER_DAY_COLUMNS = (
    ("id", "uuid"),
    ("tenant_id", "uuid"),
    ("day", "date"),
    ("user_id", "uuid"),
    ("roles", "integer"),
    ("modules", "integer"),
    ("value_events", "integer"),
)
COUNT_COLUMNS = (
    ("id", "uuid"),
    ("tenant_id", "uuid"),
    ("day", "date"),
    ("dau", "integer"),
    ("wau", "integer"),
    ("mau", "integer"),
)


def bit(name: str, names: Sequence[str]) -> int:
    """The bit of ``name`` in ``names`` (0 for a name outside it)."""
    return 1 << names.index(name) if name in names else 0


def _bits_sql(column: str, names: Sequence[str]) -> str:
    """The bits of the values ``column`` takes in a group, in portable SQL
    (SQLite has no ``bit_or``): one MAX per name, summed."""
    return " + ".join(
        f"MAX(CASE WHEN {column} = '{name}' THEN {1 << index} ELSE 0 END)"
        for index, name in enumerate(names)
    )


async def rebuild_user_days(scope: TenantScope, days: Collection[dt.date]) -> None:
    """The active user-days of ``days`` from their per-user rows."""
    if not days:
        return
    tenant = scope.tenant_id
    marks = ", ".join("{}" for _ in days)
    await scope.raw(
        ActiveUserDay,
        f"DELETE FROM usage_active_user_days WHERE tenant_id = {{}} AND day IN ({marks})",
        tenant,
        *days,
    )
    rows = await scope.raw(
        ActiveUserDay,
        f"SELECT day, user_id, {_bits_sql('role', ROLES)} AS roles, "
        f"{_bits_sql('module', MODULES)} AS modules, SUM(value_events) AS value_events "
        f"FROM usage_days WHERE tenant_id = {{}} AND day IN ({marks}) "
        "AND value_events > 0 AND user_id IS NOT NULL GROUP BY day, user_id",
        tenant,
        *days,
    )
    await bulk_insert(
        scope,
        ActiveUserDay,
        USER_DAY_COLUMNS,
        [
            (
                new_id(),
                tenant,
                as_date(row["day"]),
                as_uuid(row["user_id"]),
                int(row["roles"]),
                int(row["modules"]),
                int(row["value_events"]),
            )
            for row in rows
        ],
    )


async def active_sets(
    scope: TenantScope,
    start: dt.date,
    end: dt.date,
    *,
    table: str = "usage_active_user_days",
    condition: str = "",
    condition_args: Sequence[Any] = (),
) -> dict[dt.date, set[uuid.UUID]]:
    """Each day from ``start`` to ``end`` -> its active users in ``table``
    (rolled up), its rows narrowed by ``condition`` (`` AND ...`` with
    ``condition_args``). One row per user (their days as an array on
    PostgreSQL), not one per user and day."""
    active: dict[dt.date, set[uuid.UUID]] = {
        start + n * DAY: set() for n in range((end - start).days + 1)
    }
    args: list[Any] = [scope.tenant_id, start, end, *condition_args]
    if is_postgres(get_engine()):
        days_sql = "array_agg(DISTINCT day - {}::date) AS offsets"
        args.insert(0, start)
    else:
        days_sql = "group_concat(DISTINCT day) AS days"
    rows = await scope.raw(
        ActiveUserDay,
        f"SELECT user_id, {days_sql} FROM {table} WHERE tenant_id = {{}} "
        f"AND day >= {{}} AND day <= {{}}{condition} GROUP BY user_id",
        *args,
    )
    by_offset = list(active.values())
    for row in rows:
        user = as_uuid(row["user_id"])
        if "offsets" in row:
            for offset in row["offsets"]:
                by_offset[offset].add(user)
        else:
            for text in str(row["days"]).split(","):
                active[as_date(text)].add(user)
    return active


async def recount(scope: TenantScope, first: dt.date, last: dt.date) -> None:
    """DAU, WAU and MAU of ``first`` to ``last`` + 29 days, from the active user-days."""
    end = last + (WINDOW_DAYS - 1) * DAY
    active = await active_sets(scope, first - (WINDOW_DAYS - 1) * DAY, end)
    await scope.raw(
        ActiveCounts,
        "DELETE FROM usage_active_counts WHERE tenant_id = {} AND day >= {} AND day <= {}",
        scope.tenant_id,
        first,
        end,
    )
    await bulk_insert(
        scope,
        ActiveCounts,
        COUNT_COLUMNS,
        [
            (new_id(), scope.tenant_id, day.day, day.dau, day.wau, day.mau)
            for day in metrics.trailing(active, first, end)
            if day.mau
        ],
    )


async def rebuild(scope: TenantScope, days: Sequence[dt.date]) -> None:
    """The active user-days of ``days`` (in order) and the counts they change."""
    if days:
        await rebuild_user_days(scope, days)
        await recount(scope, days[0], days[-1])
