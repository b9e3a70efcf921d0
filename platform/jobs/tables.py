"""The job queue: one row per job, claimed by whichever worker gets it first."""

from piccolo.columns import JSON, UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable

# A job's life: available (waiting for its run_at) -> running (claimed by a
# worker) -> succeeded; or, when the handler fails, retryable (waiting for its
# backoff) and again running, until dead after max_attempts. Staff may cancel
# a job that has not run yet, and retry a dead or cancelled one.
AVAILABLE = "available"
RUNNING = "running"
RETRYABLE = "retryable"
SUCCEEDED = "succeeded"
DEAD = "dead"
CANCELLED = "cancelled"
STATES = (AVAILABLE, RUNNING, RETRYABLE, SUCCEEDED, DEAD, CANCELLED)
WAITING = (AVAILABLE, RETRYABLE)  # may be claimed once run_at has come
UNFINISHED = (AVAILABLE, RUNNING, RETRYABLE)  # where unique_key is unique
FINISHED = (SUCCEEDED, DEAD, CANCELLED)


class Job(ControlTable, tablename="jobs"):
    """A unit of background work.

    Not a tenant table: workers claim jobs across tenants, so the table has no
    row-level security and ``for_tenant_id`` only says whose work it is (the
    handler opens that tenant's scope itself). It belongs with the tenant data,
    in the same database as the records its jobs are about, so that a job is
    enqueued in the business transaction."""

    kind = Varchar(length=80)
    args = JSON(default="{}")
    for_tenant_id = UUID(null=True, default=None)  # indexed with state, see the migration
    state = Varchar(length=20, default=AVAILABLE)
    run_at = Timestamptz(default=TimestamptzNow())
    attempts = Integer(default=0)
    max_attempts = Integer(default=8)
    # At most one unfinished job per key (a partial unique index).
    unique_key = Varchar(length=200, null=True, default=None)
    last_error = Text(default="")
    claimed_at = Timestamptz(null=True, default=None)
    claimed_by = Varchar(length=120, default="")
    finished_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
