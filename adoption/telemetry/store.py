"""Many rows in one statement, inside a tenant scope (row-level security
applies): ``unnest`` of one array per column on PostgreSQL, multi-row
``VALUES`` on SQLite. The event store and the rollups write through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from comptoir.platform.db.base import TenantTable
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope

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
