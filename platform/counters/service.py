"""Maintained record counts: bumped in the transaction that creates, deletes or
re-owns a record, read by the pages instead of COUNT(*)."""

from __future__ import annotations

import uuid

from comptoir.platform.counters.tables import RecordCount
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.ids import new_id


def _owner_key(owner_id: uuid.UUID | None) -> str:
    return str(owner_id) if owner_id else ""


async def bump(scope: TenantScope, kind: str, owner_id: uuid.UUID | None, delta: int) -> None:
    """Add ``delta`` to the count of ``kind`` records owned by ``owner_id``."""
    if delta == 0:
        return
    await scope.raw(
        RecordCount,
        "INSERT INTO record_counts (id, tenant_id, created_at, object, owner_key, total) "
        "VALUES ({}, {}, CURRENT_TIMESTAMP, {}, {}, {}) "
        "ON CONFLICT (tenant_id, object, owner_key) "
        "DO UPDATE SET total = record_counts.total + excluded.total",
        new_id(),
        scope.tenant_id,
        kind,
        _owner_key(owner_id),
        delta,
    )


async def moved(
    scope: TenantScope, kind: str, old_owner: uuid.UUID | None, new_owner: uuid.UUID | None
) -> None:
    """A record changed owner."""
    if old_owner != new_owner:
        await bump(scope, kind, old_owner, -1)
        await bump(scope, kind, new_owner, 1)


async def visible_count(scope: TenantScope, kind: str) -> int:
    """How many ``kind`` records the scope's viewer may see."""
    query = scope.select(RecordCount, RecordCount.owner_key, RecordCount.total).where(
        RecordCount.object == kind
    )
    owners = scope.visible_owner_ids()
    if owners is not None:
        query = query.where(RecordCount.owner_key.is_in([str(o) for o in owners] or ["-"]))
    return sum(int(row["total"]) for row in await query)


async def owned_count(scope: TenantScope, kind: str, owner_id: uuid.UUID) -> int:
    row = await (
        scope.select(RecordCount, RecordCount.total)
        .where(RecordCount.object == kind)
        .where(RecordCount.owner_key == _owner_key(owner_id))
        .first()
    )
    return int(row["total"]) if row else 0
