"""Writing and reading the audit logs."""

from __future__ import annotations

import uuid
from typing import Any

from comptoir.platform.audit.tables import AuditEntry, StaffAuditEntry
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.scope import TenantScope


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


async def record(
    scope: TenantScope,
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: uuid.UUID | str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Append one row to the tenant's audit log, in the caller's transaction."""
    label = actor.label
    if actor.impersonator_staff_id is not None:
        label = f"{actor.label} (impersonated by staff)"
    await scope.insert(
        AuditEntry(
            actor_type="staff" if actor.impersonator_staff_id else actor.kind,
            actor_id=actor.id,
            actor_label=label[:254],
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id else "",
            changes=_jsonable(changes or {}),
            ip_address=actor.ip_address,
        )
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Fields whose value changed, as {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


async def record_staff(
    staff_id: uuid.UUID | None,
    staff_email: str,
    action: str,
    *,
    target_tenant: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
    ip_address: str = "",
) -> None:
    await StaffAuditEntry(
        staff_id=staff_id,
        staff_email=staff_email,
        action=action,
        target_tenant=target_tenant,
        detail=_jsonable(detail or {}),
        ip_address=ip_address,
    ).save()


async def recent(scope: TenantScope, limit: int = 100) -> list[AuditEntry]:
    return await scope.objects(AuditEntry).order_by(AuditEntry.id, ascending=False).limit(limit)
