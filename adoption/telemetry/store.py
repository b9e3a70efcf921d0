"""Many rows in one statement, inside a tenant scope (row-level security
applies): ``unnest`` of one array per column on PostgreSQL, multi-row
``VALUES`` on SQLite. The event store and the rollups write through here."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import uuid_utils

from comptoir.adoption.telemetry.tables import LateHour
from comptoir.platform.db.base import TenantTable
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope, current_scope, tenant_scope
from comptoir.platform.ids import new_id

# The event store's ids are uuid_utils' UUIDs (fast to make): stored as text on SQLite.
sqlite3.register_adapter(uuid_utils.UUID, str)

# SQLite allows 32,766 parameters per statement.
SQLITE_PARAMETERS = 30_000
POSTGRES_ROWS = 20_000


async def bulk_insert(
    scope: TenantScope,
    table: type[TenantTable],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Insert ``rows`` (values in the order of ``columns``: (name, PostgreSQL
    type)) into ``table``. Every row's ``tenant_id`` must be the scope's."""
    if not rows:
        return
    name = table._meta.tablename
    names = ", ".join(column for column, _ in columns)
    if is_postgres(get_engine()):
        arrays = ", ".join(f"{{}}::{kind}[]" for _, kind in columns)
        for start in range(0, len(rows), POSTGRES_ROWS):
            chunk = rows[start : start + POSTGRES_ROWS]
            values = [list(column) for column in zip(*chunk, strict=True)]
            await scope.raw(
                table, f"INSERT INTO {name} ({names}) SELECT * FROM unnest({arrays})", *values
            )
        return
    placeholders = "(" + ", ".join("{}" for _ in columns) + ")"
    per_statement = max(1, SQLITE_PARAMETERS // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        await scope.raw(
            table,
            f"INSERT INTO {name} ({names}) VALUES {', '.join(placeholders for _ in chunk)}",
            *(value for row in chunk for value in row),
        )


async def insert_for_tenants(
    table: type[TenantTable],
    columns: Sequence[tuple[str, str]],
    rows_by_tenant: Mapping[uuid.UUID, Sequence[Sequence[Any]]],
) -> None:
    """Insert many tenants' rows of ``usage_events`` in ONE transaction: the
    telemetry writer's batch, where a transaction per tenant would cost a
    commit (a WAL flush) per tenant. On PostgreSQL one call of
    ``usage_events_ingest`` (see the adoption migration that creates it) sets
    each tenant before inserting its rows, so row-level security still checks
    every row; the commit does not wait for the WAL flush (``synchronous_commit
    off``): a database crash may lose the last fraction of a second of
    telemetry, as a process crash loses the buffer; a clean shutdown loses
    nothing. Never called inside a tenant scope."""
    if current_scope() is not None:
        raise RuntimeError("insert_for_tenants opens its own transaction")
    engine = get_engine()
    if not is_postgres(engine):
        async with engine.transaction():
            for tenant_id, rows in rows_by_tenant.items():
                await bulk_insert(TenantScope(tenant_id), table, columns, rows)
        return
    tenants: list[uuid.UUID] = []
    starts: list[int] = []
    ends: list[int] = []
    ordered: list[Sequence[Any]] = []
    for tenant_id, rows in rows_by_tenant.items():
        if not rows:
            continue
        tenants.append(tenant_id)
        starts.append(len(ordered) + 1)
        ordered.extend(rows)
        ends.append(len(ordered))
    if not ordered:
        return
    values = [list(column) for column in zip(*ordered, strict=True)]
    async with engine.transaction() as transaction:
        await transaction.connection.execute("SET LOCAL synchronous_commit TO off")
        await transaction.connection.execute(
            "SELECT usage_events_ingest($1, $2, $3, "
            + ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(columns, start=4))
            + ")",
            tenants,
            starts,
            ends,
            *values,
        )


async def mark_late_hours(marks: Mapping[uuid.UUID, set[int]], now: dt.datetime) -> None:
    """Mark each tenant's hours that got events after they may have been
    rolled up (``clock.late_hours``): one small transaction per tenant with
    such hours, rare outside a long transaction across an hour's end."""
    for tenant_id, hours in marks.items():
        if not hours:
            continue
        async with tenant_scope(tenant_id) as scope:
            for hour in sorted(hours):
                await scope.raw(
                    LateHour,
                    "INSERT INTO usage_late_hours (id, tenant_id, hour, marked_at) "
                    "VALUES ({}, {}, {}, {}) ON CONFLICT (tenant_id, hour) "
                    "DO UPDATE SET marked_at = excluded.marked_at",
                    new_id(),
                    tenant_id,
                    hour,
                    now,
                )
