import datetime as dt
import json
import uuid

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from comptoir.platform.db.ddl import run_ddl
from comptoir.platform.ids import new_id

ID = "2026-11-30T15:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "job queue indexes; pending e-mail becomes jobs"

# Raw steps run before a migration's table steps, hence a migration of its own.
UNFINISHED = "('available', 'running', 'retryable')"


async def create_indexes() -> None:
    await run_ddl(
        # Claiming: the due jobs of a state, oldest run_at first.
        "CREATE INDEX IF NOT EXISTS ix_jobs_state_run_at ON jobs (state, run_at)",
        # One unfinished job per unique key. Partial unique indexes work on
        # both engines (SQLite since 3.8).
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_jobs_unique_key ON jobs (unique_key) "
        f"WHERE unique_key IS NOT NULL AND state IN {UNFINISHED}",
        # Finding a key in any state (periodic slots are scheduled once, even
        # when their job is already finished).
        "CREATE INDEX IF NOT EXISTS ix_jobs_unique_key ON jobs (unique_key) "
        "WHERE unique_key IS NOT NULL",
        # A tenant's jobs in the console, newest first, by state.
        "CREATE INDEX IF NOT EXISTS ix_jobs_tenant_state ON jobs (for_tenant_id, state, id)",
        # Pruning finished jobs by age.
        "CREATE INDEX IF NOT EXISTS ix_jobs_finished_at ON jobs (finished_at) "
        "WHERE finished_at IS NOT NULL",
    )


async def enqueue_pending_email() -> None:
    """E-mail queued before the job queue existed was sent by a loop over the
    outbox; give each message still waiting its delivery job. Runs as the
    owner, which row-level security does not restrict."""
    engine = engine_finder()
    assert engine is not None
    rows = await engine.run_ddl(
        "SELECT id, tenant_id FROM outbox_messages WHERE status IN ('pending', 'sending')"
    )
    now = str(dt.datetime.now(dt.UTC))
    for row in rows:
        # Parsed as UUIDs, so nothing but a UUID reaches the statement.
        message_id = str(uuid.UUID(str(row["id"])))
        tenant_id = str(uuid.UUID(str(row["tenant_id"])))
        args = json.dumps({"message_id": message_id})
        await engine.run_ddl(
            "INSERT INTO jobs (id, kind, args, for_tenant_id, state, run_at, attempts, "
            "max_attempts, unique_key, last_error, claimed_at, claimed_by, finished_at, "
            f"created_at) VALUES ('{new_id()}', 'email.send', '{args}', '{tenant_id}', "
            f"'available', '{now}', 0, 5, NULL, '', NULL, '', NULL, '{now}')"
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw(enqueue_pending_email)
    return manager
