"""Small DDL helpers shared by hand-written migrations."""

from __future__ import annotations

from piccolo.engine import engine_finder


async def run_ddl(*statements: str) -> None:
    engine = engine_finder()
    assert engine is not None
    for statement in statements:
        await engine.run_ddl(statement)


def tenant_unique_index(table: str, *columns: str) -> str:
    """A uniqueness that holds per tenant. Written as an index because SQLite
    rejects Piccolo's ``ALTER TABLE ... ADD CONSTRAINT``."""
    name = f"uq_{table}_tenant_{'_'.join(columns)}"
    column_list = ", ".join(("tenant_id", *columns))
    return f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({column_list})"


def tenant_index(table: str, *columns: str) -> str:
    name = f"ix_{table}_tenant_{'_'.join(columns)}"
    column_list = ", ".join(("tenant_id", *columns))
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column_list})"
