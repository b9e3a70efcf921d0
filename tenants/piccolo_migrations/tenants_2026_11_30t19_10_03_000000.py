"""Indexes of the record pages and of the contacts' new filters: a record's
history reads its own audit rows newest first, and the contacts list filters
by city and by marketing consent."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_index

ID = "2026-11-30T19:10:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "record history and contact filter indexes"


async def create_indexes() -> None:
    await run_ddl(
        tenant_index("audit_log", "object_type", "object_id", "id"),
        tenant_index("contacts", "city", "id"),
        tenant_index("contacts", "marketing_consent", "id"),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
