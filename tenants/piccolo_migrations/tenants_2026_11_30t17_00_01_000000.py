"""Searches in creation order, one page at a time (PostgreSQL).

The search functions of the previous migration return every matching id:
for a common term on a big tenant (5 % of a million contacts) that is 47,000
ids before a page of 50 is cut. Lists sorted by creation (the default, and the
order of ids) get a paged function instead: it takes the cursor's id, the
direction and the page size, and is planned with the real pattern at every
call, so the owner's planner walks the id index for a common term and the
trigram index for a rare one."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from comptoir.platform.db.ddl import run_ddl

ID = "2026-11-30T17:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "paged search functions for lists in creation order"

SEARCHABLE = ("contacts", "accounts")


def paged_search_function(table: str) -> list[str]:
    name = f"{table}_search_page"
    query = f"SELECT id FROM {table} WHERE tenant_id = $1 AND search_text LIKE $2 ESCAPE ''\\'' "
    return [
        f"""
CREATE OR REPLACE FUNCTION {name}(pattern text, after uuid, descending boolean, size integer)
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
    IF tenant IS NULL THEN
        RETURN;
    END IF;
    IF descending THEN
        RETURN QUERY EXECUTE
            '{query}AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4'
            USING tenant, pattern, after, size;
    ELSE
        RETURN QUERY EXECUTE
            '{query}AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4'
            USING tenant, pattern, after, size;
    END IF;
END
$fn$""",
        f"REVOKE ALL ON FUNCTION {name}(text, uuid, boolean, integer) FROM PUBLIC",
    ]


async def create_functions() -> None:
    engine = engine_finder()
    if engine is None or engine.engine_type != "postgres":
        return
    for table in SEARCHABLE:
        await run_ddl(*paged_search_function(table))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(create_functions)
    return manager
