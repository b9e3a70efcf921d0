from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_unique_index

ID = "2026-11-30T14:53:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "one record count per tenant, object and owner"


async def create_indexes() -> None:
    await run_ddl(tenant_unique_index("record_counts", "object", "owner_key"))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
