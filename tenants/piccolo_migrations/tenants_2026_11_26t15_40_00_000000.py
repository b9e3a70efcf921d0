from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_index, tenant_unique_index

ID = "2026-11-26T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "per-tenant unique indexes"


async def create_indexes() -> None:
    await run_ddl(
        tenant_unique_index("roles", "key"),
        tenant_unique_index("invitations", "token_hash"),
        tenant_unique_index("pipeline_stages", "key"),
        tenant_unique_index("ticket_slas", "priority"),
        tenant_index("contacts", "id"),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
