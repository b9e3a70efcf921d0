from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from comptoir.platform.db.ddl import run_ddl

ID = "2026-11-30T15:22:38:596238"
VERSION = "1.38.0"
DESCRIPTION = "provisioning log on the control plane"


async def leave_row_level_security() -> None:
    """The log is the control plane's now: no tenant policy filters it."""
    engine = engine_finder()
    if engine is not None and engine.engine_type == "postgres":
        await run_ddl(
            "DROP POLICY IF EXISTS tenant_isolation ON provisioning_events",
            "ALTER TABLE provisioning_events DISABLE ROW LEVEL SECURITY",
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)
    manager.add_raw(leave_row_level_security)
    manager.rename_column(
        table_class_name="ProvisioningEvent",
        tablename="provisioning_events",
        old_column_name="tenant_id",
        new_column_name="for_tenant_id",
        old_db_column_name="tenant_id",
        new_db_column_name="for_tenant_id",
        schema=None,
    )
    return manager
