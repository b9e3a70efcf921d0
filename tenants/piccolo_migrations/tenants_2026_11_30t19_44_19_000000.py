"""The pipeline's maintained figures: one row per (owner, stage, status,
month of expected close) and tenant, filled from the opportunities there are."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from comptoir.platform.db.ddl import run_ddl, tenant_unique_index
from comptoir.tenants.opportunities.totals import rebuild_sql

ID = "2026-11-30T19:44:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique buckets of the pipeline's figures, filled from the opportunities"


async def fill_totals() -> None:
    engine = engine_finder()
    assert engine is not None
    await run_ddl(
        tenant_unique_index("opportunity_totals", "owner_key", "stage_id", "status", "close_month"),
        "DELETE FROM opportunity_totals",
        rebuild_sql(postgres=engine.engine_type == "postgres"),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(fill_totals)
    return manager
