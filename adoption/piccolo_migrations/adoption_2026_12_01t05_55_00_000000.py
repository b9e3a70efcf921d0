"""The active user-days and active counts: their per-tenant uniqueness, and
their rows for the days rolled up before they existed (rebuilt from
``usage_days``, a month of days per transaction; a re-run rebuilds the same)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_unique_index

ID = "2026-12-01T05:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "active user-days and counts: unique per tenant and day, backfilled"


async def indexes() -> None:
    await run_ddl(
        tenant_unique_index("usage_active_user_days", "day", "user_id"),
        tenant_unique_index("usage_active_counts", "day"),
    )


async def backfill() -> None:
    from comptoir.adoption.rollups import active_days
    from comptoir.adoption.rollups.tables import UsageDay
    from comptoir.platform.db.scope import tenant_scope
    from comptoir.platform.directory.tables import Tenant

    for tenant in await Tenant.select(Tenant.id):
        async with tenant_scope(tenant["id"]) as scope:
            rows = await scope.select(UsageDay, UsageDay.day).distinct()
        days = sorted({row["day"] for row in rows})
        for start in range(0, len(days), 31):
            async with tenant_scope(tenant["id"]) as scope:
                await active_days.rebuild(scope, days[start : start + 31])


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(indexes)
    manager.add_raw(backfill)
    return manager
