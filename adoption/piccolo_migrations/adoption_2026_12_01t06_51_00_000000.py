"""One late-hour mark per tenant and hour (written with ON CONFLICT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_unique_index

ID = "2026-12-01T06:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "usage_late_hours: one row per tenant and hour"


async def indexes() -> None:
    await run_ddl(tenant_unique_index("usage_late_hours", "hour"))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
