from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_index, tenant_unique_index

ID = "2026-11-26T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "per-tenant unique indexes"


async def create_indexes() -> None:
    await run_ddl(
        tenant_unique_index("users", "email"),
        tenant_unique_index("user_sessions", "token_hash"),
        tenant_unique_index("api_tokens", "token_hash"),
        tenant_index("audit_log", "created_at"),
        tenant_index("outbox_messages", "status"),
        tenant_index("provisioning_events", "created_at"),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
