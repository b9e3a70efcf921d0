"""Exporting and erasing a whole tenant, table by table through its scope."""

from __future__ import annotations

from typing import Any

from comptoir.platform.db.registry import tenant_tables
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.jobs.tables import Job

# Secrets are never exported, even hashed.
SECRET_COLUMNS = {"password_hash", "token_hash", "totp_secret"}


async def export_tenant(slug: str) -> dict[str, Any] | None:
    tenant = await tenant_by_slug(slug)
    if tenant is None:
        return None
    data: dict[str, Any] = {
        "tenant": {k: v for k, v in tenant.to_dict().items() if k not in {"signup_fingerprint"}}
    }
    async with tenant_scope(tenant.id) as scope:
        for table in tenant_tables():
            rows = await scope.select(table).order_by(table.id)
            data[table._meta.tablename] = [
                {k: v for k, v in row.items() if k not in SECRET_COLUMNS} for row in rows
            ]
    return data


async def erase_tenant(slug: str) -> dict[str, int] | None:
    tenant = await tenant_by_slug(slug)
    if tenant is None:
        return None
    counts: dict[str, int] = {}
    async with tenant_scope(tenant.id) as scope:
        for table in reversed(tenant_tables()):
            counts[table._meta.tablename] = await scope.count(table)
            await scope.delete(table)
        # Its background jobs too (they live beside its data, not under its scope).
        counts[Job._meta.tablename] = await Job.count().where(Job.for_tenant_id == tenant.id)
        await Job.delete().where(Job.for_tenant_id == tenant.id)
        await Tenant.delete().where(Tenant.id == tenant.id)
    return counts
