"""The one access path to tenant data.

Every query of a tenant table goes through a ``TenantScope``: it takes the
tenant explicitly, owns the transaction and, on PostgreSQL, sets
``app.tenant_id`` for that transaction so row-level security filters rows even
if a query forgot its ``WHERE tenant_id``. Scale-out by cells would pick the
cell's engine here, and only here."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from piccolo.query import Count, Delete, Objects, Select, Update

from comptoir.platform.db.base import TenantTable
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.errors import NotFound
from comptoir.platform.ids import parse_id

T = TypeVar("T", bound=TenantTable)

_current_scope: ContextVar[TenantScope | None] = ContextVar("tenant_scope", default=None)


class TenantScope:
    """Queries of one tenant's tables, inside one transaction."""

    def __init__(self, tenant_id: uuid.UUID) -> None:
        self.tenant_id = tenant_id

    def select(self, table: type[T], *columns: Any) -> Select:
        return table.select(*columns).where(table.tenant_id == self.tenant_id)

    def objects(self, table: type[T]) -> Objects[T]:
        return table.objects().where(table.tenant_id == self.tenant_id)

    def count(self, table: type[T]) -> Count:
        return table.count().where(table.tenant_id == self.tenant_id)

    def update(self, table: type[T], values: dict[Any, Any]) -> Update:
        return table.update(values).where(table.tenant_id == self.tenant_id)

    def delete(self, table: type[T]) -> Delete:
        return table.delete().where(table.tenant_id == self.tenant_id)

    async def get(self, table: type[T], record_id: uuid.UUID | str) -> T:
        """The record with this id in this tenant, or NotFound (another
        tenant's id is indistinguishable from one that does not exist)."""
        found = await self.find(table, record_id)
        if found is None:
            raise NotFound(f"No such {table._meta.tablename.rstrip('s')}.")
        return found

    async def find(self, table: type[T], record_id: uuid.UUID | str) -> T | None:
        parsed = record_id if isinstance(record_id, uuid.UUID) else parse_id(record_id)
        if parsed is None:
            return None
        return await self.objects(table).where(table.id == parsed).first()

    async def insert(self, record: T) -> T:
        record.tenant_id = self.tenant_id
        await record.save()
        return record

    async def insert_many(self, records: list[T]) -> None:
        if not records:
            return
        for record in records:
            record.tenant_id = self.tenant_id
        await type(records[0]).insert(*records)

    async def save(self, record: TenantTable, columns: list[Any] | None = None) -> None:
        if record.tenant_id != self.tenant_id:
            raise NotFound()
        await record.save(columns=columns)


@asynccontextmanager
async def tenant_scope(tenant_id: uuid.UUID) -> AsyncIterator[TenantScope]:
    """Open a transaction for ``tenant_id``. Nested scopes of the same tenant
    join the outer transaction; a nested scope of another tenant is refused."""
    outer = _current_scope.get()
    if outer is not None:
        if outer.tenant_id != tenant_id:
            raise RuntimeError("A tenant scope cannot open inside another tenant's scope.")
        yield outer
        return
    engine = get_engine()
    async with engine.transaction() as transaction:
        if is_postgres(engine):
            await transaction.connection.execute(
                "SELECT set_config('app.tenant_id', $1, true)", str(tenant_id)
            )
        scope = TenantScope(tenant_id)
        token = _current_scope.set(scope)
        try:
            yield scope
        finally:
            _current_scope.reset(token)


@asynccontextmanager
async def control_scope() -> AsyncIterator[None]:
    """A transaction on the control plane (tenant directory, staff). Tenant
    tables are out of reach here on PostgreSQL: no tenant is set."""
    engine = get_engine()
    if _current_scope.get() is not None:
        # Already inside a tenant transaction: the directory lives in the same
        # database today, so join it.
        yield
        return
    async with engine.transaction():
        yield
