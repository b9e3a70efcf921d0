"""Every table of every Piccolo app, and which of them hold tenant data."""

from __future__ import annotations

import importlib

from piccolo.table import Table

from comptoir.platform.db.base import TenantTable

APP_MODULES = ("comptoir.platform.piccolo_app", "comptoir.tenants.piccolo_app")


def all_tables() -> list[type[Table]]:
    tables: list[type[Table]] = []
    for module_name in APP_MODULES:
        module = importlib.import_module(module_name)
        tables.extend(module.APP_CONFIG.table_classes)
    return tables


def tenant_tables() -> list[type[Table]]:
    return [table for table in all_tables() if issubclass(table, TenantTable)]
