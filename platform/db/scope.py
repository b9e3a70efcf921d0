"""The one access path to tenant data.

Every query of a tenant table goes through a ``TenantScope``: it takes the
tenant explicitly, owns the transaction and, on PostgreSQL, sets
``app.tenant_id`` for that transaction so row-level security filters rows even
if a query forgot its ``WHERE tenant_id``. Scale-out by cells would pick the
cell's engine here, and only here."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from piccolo.query import Count, Delete, Objects, Select, Update

from comptoir.platform import events
from comptoir.platform.db.base import OwnedTable, TenantTable
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.errors import NotFound
from comptoir.platform.ids import parse_id

T = TypeVar("T", bound=TenantTable)

_current_scope: ContextVar[TenantScope | None] = ContextVar("tenant_scope", default=None)


@dataclass(frozen=True)
class Visibility:
    """Whose records a user may see and change under the ``own_and_team``
    sharing rule: their own and their team's. ``None`` as a scope's
    visibility means every record of the tenant."""

    owner_ids: frozenset[uuid.UUID]

    @classmethod
    def of(cls, user_id: uuid.UUID, team_member_ids: Collection[uuid.UUID] = ()) -> Visibility:
        return cls(owner_ids=frozenset({user_id, *team_member_ids}))


class TenantScope:
    """Queries of one tenant's tables, inside one transaction, limited to the
    records the viewer may see (owned tables under ``own_and_team``)."""

    def __init__(self, tenant_id: uuid.UUID, visibility: Visibility | None = None) -> None:
        self.tenant_id = tenant_id
        self.visibility = visibility
        self._after_commit: list[Callable[[], Awaitable[None]]] = []

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run ``action`` once this transaction has committed (never if it
        rolls back): how a tenant write updates the control plane (the
        directory) without writing it inside the tenant's transaction."""
        self._after_commit.append(action)

    def visible_owner_ids(self) -> frozenset[uuid.UUID] | None:
        """The owners whose records this scope shows, or None for all."""
        return self.visibility.owner_ids if self.visibility is not None else None

    def _limit(self, table: type[T], query: Any) -> Any:
        query = query.where(table.tenant_id == self.tenant_id)
        if self.visibility is not None and issubclass(table, OwnedTable):
            query = query.where(table.owner_id.is_in(list(self.visibility.owner_ids)))
        return query

    def select(self, table: type[T], *columns: Any) -> Select[T]:
        return cast("Select[T]", self._limit(table, table.select(*columns)))

    def objects(self, table: type[T]) -> Objects[T]:
        return cast("Objects[T]", self._limit(table, table.objects()))

    def count(self, table: type[T]) -> Count:
        return cast(Count, self._limit(table, table.count()))

    def update(self, table: type[T], values: dict[Any, Any]) -> Update[T]:
        return cast("Update[T]", self._limit(table, table.update(values)))

    def delete(self, table: type[T]) -> Delete:
        return cast(Delete, self._limit(table, table.delete()))

    def raw(self, table: type[T], sql: str, *args: Any) -> Any:
        """A raw query on ``table`` in this transaction. The SQL must filter
        by ``tenant_id`` itself (pass ``self.tenant_id``); on PostgreSQL row-level
        security still limits it to this tenant."""
        return table.raw(sql, *args)

    def unrestricted(self) -> TenantScope:
        """The same tenant and transaction, every record visible: for the
        consequences of a write the viewer was allowed to make (unlinking
        the contacts of a deleted account, whoever owns them)."""
        unrestricted = TenantScope(self.tenant_id)
        unrestricted._after_commit = self._after_commit
        return unrestricted

    def may_own(self, owner_id: uuid.UUID | None) -> bool:
        """Whether a record with this owner would be visible to the viewer."""
        return self.visibility is None or owner_id in self.visibility.owner_ids

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

    async def set_statement_timeout(self, milliseconds: int) -> None:
        """Bound the statements still to come in this transaction (PostgreSQL)."""
        engine = get_engine()
        if is_postgres(engine):
            await engine.run_ddl(f"SET LOCAL statement_timeout = {int(milliseconds)}")


def current_scope() -> TenantScope | None:
    return _current_scope.get()


@asynccontextmanager
async def tenant_scope(
    tenant_id: uuid.UUID, *, visibility: Visibility | None = None
) -> AsyncIterator[TenantScope]:
    """Open a transaction for ``tenant_id``. Nested scopes of the same tenant
    join the outer transaction (and keep its visibility, so a request's
    viewer limits every service it calls); a nested scope of another tenant
    is refused.

    A service that raises inside a nested scope leaves the outer transaction
    to decide: services check their input before they write."""
    outer = _current_scope.get()
    if outer is not None:
        if outer.tenant_id != tenant_id:
            raise RuntimeError("A tenant scope cannot open inside another tenant's scope.")
        yield outer
        return
    engine = get_engine()
    with events.collecting() as collected:
        async with engine.transaction() as transaction:
            if is_postgres(engine):
                await transaction.connection.execute(
                    "SELECT set_config('app.tenant_id', $1, true)", str(tenant_id)
                )
            scope = TenantScope(tenant_id, visibility)
            token = _current_scope.set(scope)
            try:
                yield scope
            finally:
                _current_scope.reset(token)
        for action in scope._after_commit:
            await action()
    await collected.dispatch()


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
