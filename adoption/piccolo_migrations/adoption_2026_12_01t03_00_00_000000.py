"""``usage_events_ingest`` without slicing its arrays once per tenant:
slicing arrays of variable-length values walks them from the start, so a
batch of 2,000 events of 1,000 tenants cost millions of steps. A tenant with
64 rows or more in the batch gets one INSERT of its slice (a few per batch);
the others' rows are inserted one by one while the arrays are read once.
Rows come sorted by tenant; the tenant is set (``app.tenant_id``) before its
rows, so row-level security checks every INSERT."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "usage_events_ingest reads its arrays once"

FUNCTION = """
CREATE OR REPLACE FUNCTION usage_events_ingest(
    tenants uuid[], starts integer[], ends integer[],
    ids uuid[], tenant_ids uuid[], created timestamptz[], user_ids uuid[], roles varchar[],
    modules varchar[], object_types varchar[], events varchar[], quantities integer[],
    occurred timestamptz[], hours integer[]
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    runs integer := coalesce(array_length(tenants, 1), 0);
    k integer;
    s integer;
    e integer;
    r record;
BEGIN
    -- A tenant with many rows in the batch: one INSERT of its slice (a few per batch).
    FOR k IN 1 .. runs LOOP
        s := starts[k];
        e := ends[k];
        IF e - s + 1 >= 64 THEN
            PERFORM set_config('app.tenant_id', tenants[k]::text, true);
            INSERT INTO usage_events (id, tenant_id, created_at, user_id, role, module,
                                      object_type, event, quantity, occurred_at, hour)
            SELECT * FROM unnest(ids[s:e], tenant_ids[s:e], created[s:e], user_ids[s:e],
                                 roles[s:e], modules[s:e], object_types[s:e], events[s:e],
                                 quantities[s:e], occurred[s:e], hours[s:e]);
        END IF;
    END LOOP;
    -- The others row by row, reading the arrays once.
    k := 0;
    e := 0;
    FOR r IN SELECT * FROM unnest(ids, tenant_ids, created, user_ids, roles, modules,
                                  object_types, events, quantities, occurred, hours)
             WITH ORDINALITY
             AS u(id, tenant_id, created_at, user_id, role, module, object_type, event,
                  quantity, occurred_at, hour, n)
    LOOP
        IF r.n > e THEN
            k := k + 1;
            s := starts[k];
            e := ends[k];
            IF e - s + 1 < 64 THEN
                PERFORM set_config('app.tenant_id', tenants[k]::text, true);
            END IF;
        END IF;
        IF e - s + 1 < 64 THEN
            INSERT INTO usage_events (id, tenant_id, created_at, user_id, role, module,
                                      object_type, event, quantity, occurred_at, hour)
            VALUES (r.id, r.tenant_id, r.created_at, r.user_id, r.role, r.module,
                    r.object_type, r.event, r.quantity, r.occurred_at, r.hour);
        END IF;
    END LOOP;
    RETURN coalesce(array_length(ids, 1), 0);
END
$$
"""


async def replace_function() -> None:
    engine = engine_finder()
    assert engine is not None
    if engine.engine_type == "postgres":
        await engine.run_ddl(FUNCTION)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(replace_function)
    return manager
