"""Reading and changing the tenant directory (the control plane)."""

from __future__ import annotations

import datetime as dt
import uuid

from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import NotFound, TenantSuspended
from comptoir.platform.ids import parse_id

ACTIVITY_RESOLUTION = dt.timedelta(minutes=5)


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
