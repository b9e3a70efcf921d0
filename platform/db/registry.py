"""Every table of every feature, and which of them hold tenant data (RLS,
export, erase and the isolation suites read this)."""

from __future__ import annotations

from piccolo.table import Table

from comptoir.platform.db.base import TenantTable


def all_tables() -> list[type[Table]]:
    from comptoir.platform.assembly import all_features

    tables: list[type[Table]] = []
    for feature in all_features():
        tables.extend(t for t in feature.tables if t not in tables)
    return tables


def tenant_tables() -> list[type[TenantTable]]:
    return [table for table in all_tables() if issubclass(table, TenantTable)]
