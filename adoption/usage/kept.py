"""The reads of the unfiltered summary, over what the rollups keep for it
(``comptoir.adoption.rollups.active_days``): the tenant's active counts of
each day, one row per active user, and the tenant's value events per role
and module. A few hundred rows whatever the range, where the per-user day
rows are tens of thousands for a month of a large tenant."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass

from comptoir.adoption.rollups.tables import ActiveCounts, ActiveUserDay, TenantUsageDay
from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.db.values import as_date, as_uuid


@dataclass
class UserSpan:
    """One user's activity in the rollups over a window ending on the range's end."""

    last_day: dt.date  # their last active day in the window
    roles: int = 0  # bits of the roles and modules of their value events in the range
    modules: int = 0


async def active_counts(
    scope: TenantScope, start: dt.date, end: dt.date
) -> dict[dt.date, tuple[int, int, int]]:
    """Each kept day from ``start`` to ``end`` -> (DAU, WAU, MAU); a day not
    there had nobody active in its 30 days."""
    rows = await scope.raw(
        ActiveCounts,
        "SELECT day, dau, wau, mau FROM usage_active_counts "
        "WHERE tenant_id = {} AND day >= {} AND day <= {}",
        scope.tenant_id,
        start,
        end,
    )
    return {
        as_date(row["day"]): (int(row["dau"]), int(row["wau"]), int(row["mau"])) for row in rows
    }


def _spans_sql() -> str:
    if is_postgres(get_engine()):
        return (
            "SELECT user_id, MAX(day) AS last_day, "
            "COALESCE(bit_or(roles) FILTER (WHERE day >= {}), 0) AS roles, "
            "COALESCE(bit_or(modules) FILTER (WHERE day >= {}), 0) AS modules "
            "FROM usage_active_user_days WHERE tenant_id = {} AND day >= {} AND day <= {} "
            "GROUP BY user_id"
        )
    # SQLite has no bit_or: the largest of each bit, summed.
    roles = " + ".join(f"MAX(r & {1 << n})" for n in range(len(ROLES)))
    modules = " + ".join(f"MAX(m & {1 << n})" for n in range(len(MODULES)))
    return (
        f"SELECT user_id, MAX(day) AS last_day, {roles} AS roles, {modules} AS modules "
        "FROM (SELECT user_id, day, CASE WHEN day >= {} THEN roles ELSE 0 END AS r, "
        "CASE WHEN day >= {} THEN modules ELSE 0 END AS m FROM usage_active_user_days "
        "WHERE tenant_id = {} AND day >= {} AND day <= {}) AS found GROUP BY user_id"
    )


async def user_spans(
    scope: TenantScope, window_start: dt.date, start: dt.date, end: dt.date
) -> dict[uuid.UUID, UserSpan]:
    """Per user active from ``window_start`` to ``end``: their last active day
    and the roles and modules they used from ``start`` to ``end`` (bits)."""
    rows = await scope.raw(
        ActiveUserDay, _spans_sql(), start, start, scope.tenant_id, window_start, end
    )
    return {
        as_uuid(row["user_id"]): UserSpan(
            as_date(row["last_day"]), int(row["roles"]), int(row["modules"])
        )
        for row in rows
    }


async def value_events(
    scope: TenantScope, start: dt.date, end: dt.date
) -> tuple[Counter[str], Counter[str]]:
    """The tenant's value events from ``start`` to ``end``, per role and per
    module (value events always have a user: nobody's events are not use)."""
    rows = await scope.raw(
        TenantUsageDay,
        "SELECT role, module, SUM(events) AS events FROM tenant_usage_days "
        "WHERE tenant_id = {} AND day >= {} AND day <= {} AND value = {} GROUP BY role, module",
        scope.tenant_id,
        start,
        end,
        True,
    )
    roles: Counter[str] = Counter()
    modules: Counter[str] = Counter()
    for row in rows:
        roles[row["role"]] += int(row["events"])
        modules[row["module"]] += int(row["events"])
    return roles, modules
