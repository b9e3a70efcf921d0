"""Reading and changing the tenant directory (the control plane)."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from comptoir.platform.directory.tables import ProvisioningEvent, Tenant
from comptoir.platform.errors import NotFound, TenantSuspended
from comptoir.platform.ids import parse_id

ACTIVITY_RESOLUTION = dt.timedelta(minutes=5)
# API requests find their tenant by the id in the token; a directory row is
# kept this long in the process, so a suspension made elsewhere (the CLI,
# another server) is effective within seconds. Writes here forget it at once.
TENANT_CACHE_SECONDS = 5.0
_tenant_cache: dict[uuid.UUID, tuple[float, Tenant]] = {}


def forget_tenant(tenant_id: uuid.UUID) -> None:
    _tenant_cache.pop(tenant_id, None)


async def cached_tenant(tenant_id: uuid.UUID) -> Tenant | None:
    """The tenant with this id, read at most every few seconds."""
    now = time.monotonic()
    hit = _tenant_cache.get(tenant_id)
    if hit is not None and now - hit[0] < TENANT_CACHE_SECONDS:
        return hit[1]
    tenant = await tenant_by_id(tenant_id)
    if tenant is None:
        forget_tenant(tenant_id)
        return None
    if len(_tenant_cache) > 10_000:
        _tenant_cache.clear()
    _tenant_cache[tenant_id] = (now, tenant)
    return tenant


async def tenant_by_slug(slug: str) -> Tenant | None:
    return await Tenant.objects().where(Tenant.slug == slug.lower()).first()


async def tenant_by_id(tenant_id: uuid.UUID | str) -> Tenant | None:
    parsed = tenant_id if isinstance(tenant_id, uuid.UUID) else parse_id(tenant_id)
    if parsed is None:
        return None
    return await Tenant.objects().where(Tenant.id == parsed).first()


async def require_tenant(slug: str) -> Tenant:
    tenant = await tenant_by_slug(slug)
    if tenant is None:
        raise NotFound("No such workspace.")
    return tenant


def ensure_usable(tenant: Tenant) -> None:
    if tenant.status == "suspended":
        raise TenantSuspended(
            "This workspace is suspended. Its data is kept; contact your administrator "
            "or Comptoir support to reactivate it."
        )


async def touch_activity(tenant: Tenant) -> None:
    """Remember the tenant's last activity, written at most every few minutes."""
    now = dt.datetime.now(dt.UTC)
    last = tenant.last_activity_at
    if last is not None and now - last < ACTIVITY_RESOLUTION:
        return
    tenant.last_activity_at = now
    await Tenant.update({Tenant.last_activity_at: now}).where(Tenant.id == tenant.id)


async def set_status(
    tenant: Tenant,
    status: str,
    *,
    reason: str = "",
    actor_label: str,
    staff_id: uuid.UUID | None = None,
    ip_address: str = "",
) -> Tenant:
    """Suspend or reactivate a tenant. Nothing is deleted: a suspended tenant's
    users and tokens are refused with a clear message until it is reactivated."""
    from comptoir.platform.audit import service as audit
    from comptoir.platform.auth.actor import Actor
    from comptoir.platform.db.scope import tenant_scope

    if status not in ("suspended", "active", "trial"):
        raise ValueError(status)
    forget_tenant(tenant.id)
    previous = tenant.status
    now = dt.datetime.now(dt.UTC)
    if status == "suspended":
        tenant.status, tenant.suspended_at, tenant.suspended_reason = status, now, reason[:500]
    else:
        in_trial = tenant.trial_ends_at is not None and tenant.trial_ends_at > now
        tenant.status = "trial" if in_trial else "active"
        tenant.suspended_at, tenant.suspended_reason = None, None
    actor = Actor(
        kind="staff" if staff_id else "system",
        id=staff_id,
        label=actor_label,
        tenant_id=tenant.id,
        ip_address=ip_address,
    )
    await tenant.save(columns=[Tenant.status, Tenant.suspended_at, Tenant.suspended_reason])
    async with tenant_scope(tenant.id) as scope:
        await audit.record(
            scope,
            actor,
            f"tenant.{'suspend' if status == 'suspended' else 'reactivate'}",
            object_type="tenant",
            object_id=tenant.id,
            changes={"status": [previous, tenant.status], "reason": reason},
        )
    return tenant


SHARING_RULES = ("all", "own_and_team")


async def set_sharing_rule(tenant: Tenant, rule: str) -> Tenant:
    """Who sees which records in this workspace (see ``OwnedTable``). A
    control-plane write, outside any tenant transaction; the caller audits it."""
    if rule not in SHARING_RULES:
        raise ValueError(rule)
    forget_tenant(tenant.id)
    tenant.sharing_rule = rule
    await Tenant.update({Tenant.sharing_rule: rule}).where(Tenant.id == tenant.id)
    return tenant


async def record_provisioning(tenant_id: uuid.UUID, steps: list[tuple[str, str]]) -> None:
    """Write a tenant's provisioning steps to the control plane's log."""
    await ProvisioningEvent.insert(
        *[
            ProvisioningEvent(for_tenant_id=tenant_id, step=step, detail=detail)
            for step, detail in steps
        ]
    )


async def provisioning_log(tenant_id: uuid.UUID, limit: int = 100) -> list[ProvisioningEvent]:
    return await (
        ProvisioningEvent.objects()
        .where(ProvisioningEvent.for_tenant_id == tenant_id)
        .order_by(ProvisioningEvent.id)
        .limit(limit)
    )


async def set_user_count(tenant_id: uuid.UUID, active_users: int) -> None:
    await Tenant.update({Tenant.user_count: active_users}).where(Tenant.id == tenant_id)
