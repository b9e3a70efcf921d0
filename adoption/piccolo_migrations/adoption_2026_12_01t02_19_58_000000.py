"""Per-tenant uniqueness of the completeness, training and ROI tables, and the
indexes their figures read by."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_index, tenant_unique_index

ID = "2026-12-01T02:19:58:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique rule versions, stage requirements, snapshots, completions and baselines"


async def indexes() -> None:
    await run_ddl(
        tenant_unique_index("completeness_rule_sets", "version"),
        tenant_unique_index("completeness_stage_requirements", "stage_id"),
        tenant_unique_index("completeness_snapshots", "day", "object", "owner_key"),
        tenant_unique_index("training_completions", "user_id", "step_id"),
        tenant_unique_index("roi_baselines"),
        tenant_index("training_steps", "task"),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
