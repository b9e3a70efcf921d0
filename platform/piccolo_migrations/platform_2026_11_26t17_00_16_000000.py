from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_unique_index

ID = "2026-11-26T17:00:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "password reset tokens unique per tenant"


async def create_indexes() -> None:
    # Raw steps run before a migration's table steps, hence a migration of its own.
    await run_ddl(tenant_unique_index("password_resets", "token_hash"))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
