"""Base classes for tables: control-plane tables and tenant-owned tables."""

from __future__ import annotations

from typing import Any

from piccolo.columns import UUID, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from comptoir.platform.ids import UUIDv7Default


class ControlTable(Table):
    """A table of the control plane (tenant directory, staff): no tenant_id."""

    id = UUID(primary_key=True, default=UUIDv7Default())


class TenantTable(Table):
    """A table of tenant data. Every row carries ``tenant_id``; on PostgreSQL a
    row-level security policy limits it to the tenant set for the transaction.

    Only the tenant scope (``comptoir.platform.db.scope``) queries these tables."""

    id = UUID(primary_key=True, default=UUIDv7Default())
    tenant_id = UUID(null=False, index=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    def __init__(
        self,
        _data: dict[Any, Any] | None = None,
        _ignore_missing: bool = False,
        _exists_in_db: bool = False,
        **kwargs: Any,
    ) -> None:
        # tenant_id (and the ids a row refers to) are filled in by the tenant
        # scope on insert; a row that still lacks one fails on NOT NULL.
        super().__init__(_data, _ignore_missing=True, _exists_in_db=_exists_in_db, **kwargs)


class OwnedTable(TenantTable):
    """A tenant table whose records belong to a user. Under the tenant's
    ``own_and_team`` sharing rule, a user who does not see every record sees
    and changes only those owned by them or by their team (the tenant scope
    adds the filter, in the same place that filters by tenant)."""

    owner_id = UUID(null=True, default=None, index=True)
