"""Indexes of the sales records: one per declared sort key and filter
(tenant first, id last), the per-tenant uniqueness rules, and on PostgreSQL
the trigram indexes and search functions behind their ``q`` search."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from comptoir.platform.db.ddl import run_ddl, tenant_index, tenant_unique_index
from comptoir.platform.ids import new_id
from comptoir.tenants.piccolo_migrations.tenants_2026_11_30t17_00_00_000000 import (
    search_function,
)
from comptoir.tenants.piccolo_migrations.tenants_2026_11_30t17_00_01_000000 import (
    paged_search_function,
)
from comptoir.tenants.signup.defaults import LOST_REASONS

ID = "2026-11-30T18:21:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes, uniqueness and search of the sales records"

SEARCHABLE = ("opportunities", "activities", "quotes")


async def create_indexes() -> None:
    await run_ddl(
        tenant_unique_index("follow_up_settings", "user_id"),
        tenant_unique_index("quote_sequences", "year"),
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_company_profiles_tenant "
        "ON company_profiles (tenant_id)",
        # Drafts have no number yet; every number given is unique in its tenant.
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_quotes_tenant_number "
        "ON quotes (tenant_id, number) WHERE number <> ''",
        tenant_index("pipeline_stages", "position"),
        tenant_index("lost_reasons", "position"),
        tenant_index("opportunities", "id"),
        tenant_index("opportunities", "updated_at", "id"),
        tenant_index("opportunities", "name", "id"),
        tenant_index("opportunities", "amount", "id"),
        tenant_index("opportunities", "expected_close_date", "id"),
        tenant_index("opportunities", "owner_id", "updated_at"),
        tenant_index("opportunities", "stage_id", "status", "id"),
        tenant_index("opportunities", "status", "expected_close_date"),
        tenant_index("opportunities", "account_id", "id"),
        tenant_index("opportunities", "contact_id", "id"),
        tenant_index("opportunity_stage_changes", "opportunity_id", "changed_at"),
        tenant_index("activities", "id"),
        tenant_index("activities", "updated_at", "id"),
        tenant_index("activities", "due_at", "id"),
        tenant_index("activities", "owner_id", "done_at", "due_at"),
        tenant_index("activities", "contact_id", "due_at"),
        tenant_index("activities", "account_id", "due_at"),
        tenant_index("activities", "opportunity_id", "due_at"),
        tenant_index("quotes", "id"),
        tenant_index("quotes", "updated_at", "id"),
        tenant_index("quotes", "status", "id"),
        tenant_index("quotes", "owner_id", "updated_at"),
        tenant_index("quotes", "account_id", "id"),
        tenant_index("quotes", "contact_id", "id"),
        tenant_index("quotes", "opportunity_id", "id"),
        tenant_index("quote_lines", "quote_id", "position"),
        tenant_index("territories", "position"),
        tenant_index("accounts", "owner_id", "id"),
    )
    engine = engine_finder()
    if engine is not None and engine.engine_type == "postgres":
        for table in SEARCHABLE:
            await run_ddl(
                f"CREATE INDEX IF NOT EXISTS ix_{table}_search ON {table} "
                "USING gin (tenant_id, search_text gin_trgm_ops)",
                *search_function(table),
                *paged_search_function(table),
            )


async def give_existing_tenants_lost_reasons() -> None:
    """New workspaces get the default lost reasons at provisioning; those
    provisioned before get them here."""
    engine = engine_finder()
    assert engine is not None
    tenants = await engine.run_ddl(
        "SELECT id FROM tenants WHERE id NOT IN (SELECT tenant_id FROM lost_reasons)"
    )
    for tenant in tenants or []:
        for position, name in enumerate(LOST_REASONS):
            await engine.run_querystring(
                QueryString(
                    "INSERT INTO lost_reasons (id, tenant_id, name, position) "
                    "VALUES ({}, {}, {}, {})",
                    new_id(),
                    tenant["id"],
                    name,
                    position,
                )
            )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw(give_existing_tenants_lost_reasons)
    return manager
