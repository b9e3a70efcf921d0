"""On PostgreSQL, ``usage_events_ingest``: the telemetry writer's batch of
many tenants' events in one round trip. Rows come sorted by tenant with
each tenant's first and last position; for each tenant the function sets
``app.tenant_id`` (as ``tenant_scope`` does) and inserts that tenant's slice,
so row-level security checks every row against its own tenant. SECURITY
INVOKER (the default): it runs as the application role, under RLS."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T02:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "usage_events_ingest: many tenants' events in one round trip, under RLS"

FUNCTION = """
CREATE OR REPLACE FUNCTION usage_events_ingest(
    tenants uuid[], starts integer[], ends integer[],
    ids uuid[], tenant_ids uuid[], created timestamptz[], user_ids uuid[], roles varchar[],
    modules varchar[], object_types varchar[], events varchar[], quantities integer[],
    occurred timestamptz[], hours integer[]
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    s integer;
    e integer;
BEGIN
    FOR i IN 1 .. coalesce(array_length(tenants, 1), 0) LOOP
        s := starts[i];
        e := ends[i];
        PERFORM set_config('app.tenant_id', tenants[i]::text, true);
        INSERT INTO usage_events (id, tenant_id, created_at, user_id, role, module,
                                  object_type, event, quantity, occurred_at, hour)
        SELECT * FROM unnest(ids[s:e], tenant_ids[s:e], created[s:e], user_ids[s:e],
                             roles[s:e], modules[s:e], object_types[s:e], events[s:e],
                             quantities[s:e], occurred[s:e], hours[s:e]);
    END LOOP;
    RETURN coalesce(array_length(ids, 1), 0);
END
$$
"""


async def create_function() -> None:
    engine = engine_finder()
    assert engine is not None
    if engine.engine_type == "postgres":
        await engine.run_ddl(FUNCTION)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(create_function)
    return manager
