"""The daily usage rows carry their value events in the index the figures
read (tenant, day, user): who was active on which day is then answered from
the index alone (an index-only scan on PostgreSQL once vacuumed)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_index

ID = "2026-12-01T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "usage_days: (tenant, day, user, value events) index"


async def create_index() -> None:
    await run_ddl(tenant_index("usage_days", "day", "user_id", "value_events"))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(create_index)
    return manager
