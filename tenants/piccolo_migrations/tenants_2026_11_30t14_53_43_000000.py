"""Indexes of the lists: one per declared sort key (tenant first, id last), the
filters, and on PostgreSQL a trigram index behind the ``q`` search."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from comptoir.platform.db.ddl import run_ddl, tenant_index, tenant_unique_index

ID = "2026-11-30T14:53:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "list, filter and search indexes of contacts and accounts"


async def create_indexes() -> None:
    await run_ddl(
        tenant_unique_index("teams", "name"),
        tenant_index("contacts", "updated_at", "id"),
        tenant_index("contacts", "last_name", "first_name", "id"),
        tenant_index("contacts", "owner_id", "updated_at"),
        tenant_index("contacts", "account_id", "last_name", "first_name", "id"),
        tenant_index("accounts", "id"),
        tenant_index("accounts", "updated_at", "id"),
        tenant_index("accounts", "name", "id"),
        tenant_index("accounts", "owner_id", "updated_at"),
        tenant_index("accounts", "city", "id"),
        tenant_index("accounts", "industry", "id"),
    )
    engine = engine_finder()
    if engine is not None and engine.engine_type == "postgres":
        # pg_trgm and btree_gin are trusted extensions: the database owner may
        # create them. The GIN index leads with tenant_id, so a search reads
        # only the tenant's matching rows, never the whole table.
        await run_ddl(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE EXTENSION IF NOT EXISTS btree_gin",
            "CREATE INDEX IF NOT EXISTS ix_contacts_search ON contacts "
            "USING gin (tenant_id, search_text gin_trgm_ops)",
            "CREATE INDEX IF NOT EXISTS ix_accounts_search ON accounts "
            "USING gin (tenant_id, search_text gin_trgm_ops)",
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
