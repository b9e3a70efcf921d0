"""Search through the trigram index under row-level security (PostgreSQL).

With RLS on, PostgreSQL must apply the tenant policy before any qualifier
that is not leakproof, and LIKE is not: the trigram index was never used and a
search read every row of the tenant (0.4 s on a million contacts). Each
searchable table gets a function, run as the table's owner (so without RLS),
that reads the tenant from the same transaction setting the policy uses and
returns the ids whose search text matches; the list query then keeps only
those ids, through RLS as before. The search is planned with the real
pattern at every call (dynamic SQL), so the index is used for rare and
common terms alike."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from comptoir.platform.db.ddl import run_ddl

ID = "2026-11-30T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search functions that use the trigram index under row-level security"

SEARCHABLE = ("contacts", "accounts")


def search_function(table: str) -> list[str]:
    name = f"{table}_search_ids"
    return [
        f"""
CREATE OR REPLACE FUNCTION {name}(pattern text) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
    IF tenant IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT id FROM {table} WHERE tenant_id = $1 AND search_text LIKE $2 ESCAPE ''\\'''
        USING tenant, pattern;
END
$fn$""",
        f"REVOKE ALL ON FUNCTION {name}(text) FROM PUBLIC",
    ]


async def create_functions() -> None:
    engine = engine_finder()
    if engine is None or engine.engine_type != "postgres":
        return
    for table in SEARCHABLE:
        await run_ddl(*search_function(table))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(create_functions)
    return manager
