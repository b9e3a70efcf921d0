"""The pipeline's reads and rules: a stage's key is unique in its tenant, a
board column reads its cards newest-moved first, and an opportunity's stage
history is paged by id."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_index, tenant_unique_index

ID = "2026-11-30T19:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "pipeline stage keys, board columns and stage history indexes"


async def create_indexes() -> None:
    await run_ddl(
        tenant_unique_index("pipeline_stages", "key"),
        tenant_index("opportunities", "stage_id", "updated_at", "id"),
        tenant_index("opportunity_stage_changes", "opportunity_id", "id"),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
