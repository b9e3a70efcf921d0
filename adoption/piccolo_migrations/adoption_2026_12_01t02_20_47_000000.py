"""Indexes of the usage telemetry and rollups (tenant first), and the
uniqueness rules: one rollup state per tenant, one monthly report per tenant
and month, one health snapshot per tenant."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from comptoir.platform.db.ddl import run_ddl, tenant_index, tenant_unique_index

ID = "2026-12-01T02:20:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes and uniqueness of the usage telemetry and rollups"


async def create_indexes() -> None:
    await run_ddl(
        tenant_index("usage_events", "hour"),
        tenant_index("usage_hours", "hour"),
        tenant_index("usage_days", "day", "user_id"),
        tenant_index("usage_days", "user_id", "day"),
        tenant_index("tenant_usage_days", "day"),
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_usage_rollup_states_tenant "
        "ON usage_rollup_states (tenant_id)",
        tenant_unique_index("adoption_monthly_reports", "month"),
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_adoption_health_snapshots_tenant "
        "ON adoption_health_snapshots (for_tenant_id)",
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
