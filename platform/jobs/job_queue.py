"""The job queue, in the manner of Oban and good_job: jobs are rows of the
``jobs`` table, enqueued in the business transaction and claimed by workers.

- ``enqueue`` joins the current transaction, if any: a job enqueued with the
  record it is about commits, or rolls back, with it. The jobs table belongs
  with the tenant data (today the control plane and the tenant data share one
  database; with cells, each cell would have its own jobs table and workers).
- ``claim`` takes due jobs for one worker: ``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, so workers side by side never take the same job nor wait for
  each other; a conditional update inside a ``BEGIN IMMEDIATE`` transaction on
  SQLite, where writers take turns.
- A handler's success marks the job succeeded; a failure schedules a retry
  with exponential backoff and jitter, until ``max_attempts``: then the job is
  dead, and staff may retry it from the console.
- A job left running by a worker that died goes back to the queue after
  ``STALE_AFTER`` (or is dead if that was its last attempt).
- Finished jobs are kept ``PRUNE_AFTER`` for the console, then pruned by a
  periodic job of the queue's own.

Every function takes an optional ``now`` so that tests move the clock instead
of waiting."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from croniter import croniter
from piccolo.columns.combination import And

from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.integrity import is_unique_violation
from comptoir.platform.errors import Conflict, NotFound
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.kinds import DEFAULT_MAX_ATTEMPTS, JobContext, JobKind
from comptoir.platform.jobs.registry import STALE_AFTER, registered_kinds
from comptoir.platform.jobs.tables import (
    AVAILABLE,
    CANCELLED,
    DEAD,
    FINISHED,
    RETRYABLE,
    RUNNING,
    SUCCEEDED,
    WAITING,
    Job,
)

log = structlog.get_logger(__name__)

BACKOFF_BASE = dt.timedelta(seconds=15)
BACKOFF_CAP = dt.timedelta(hours=6)
PRUNE_AFTER = dt.timedelta(days=14)
# A periodic slot missed by more than this (every worker was down) is skipped,
# as cron would; it must stay well under PRUNE_AFTER, since a slot is known
# to have been scheduled only while its job is kept.
CATCH_UP = dt.timedelta(days=1)
MAX_ERROR_LENGTH = 2000
# Any constant would do: schedulers on PostgreSQL take turns on this lock.
SCHEDULER_LOCK = 7_402_611_385


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return utcnow()
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _as_uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


# ---- enqueueing ------------------------------------------------------------------


async def enqueue(
    kind: str,
    args: Mapping[str, Any] | None = None,
    *,
    tenant_id: uuid.UUID | None = None,
    run_at: dt.datetime | None = None,
    unique_key: str | None = None,
    max_attempts: int | None = None,
) -> uuid.UUID | None:
    """Queue a job; its id, or None when an unfinished job already has
    ``unique_key`` (nothing is queued then).

    Joins the current transaction, so call it inside the tenant scope of the
    write the job is about: both commit or neither does. ``args`` must be
    JSON (UUIDs and datetimes become strings); ``run_at`` defaults to now;
    ``max_attempts`` to the kind's own."""
    now = utcnow()
    if max_attempts is None:
        declared = registered_kinds().get(kind)
        max_attempts = declared.max_attempts if declared else DEFAULT_MAX_ATTEMPTS
    job = Job(
        kind=kind,
        args=msgspec.json.encode(dict(args or {})).decode(),
        for_tenant_id=tenant_id,
        state=AVAILABLE,
        run_at=_utc(run_at) if run_at is not None else now,
        attempts=0,
        max_attempts=max(1, max_attempts),
        unique_key=unique_key,
        created_at=now,
    )
    rows = await Job.insert(job).on_conflict(action="DO NOTHING").returning(Job.id)
    if not rows:
        log.info("job.duplicate", kind=kind, unique_key=unique_key)
        return None
    return _as_uuid(rows[0]["id"])


# ---- claiming and recording outcomes ------------------------------------------------


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker holds: ``attempt`` counts this run, ``claimed_by`` is the
    worker; both guard the outcome against a claim released meanwhile."""

    id: uuid.UUID
    kind: str
    args: dict[str, Any]
    tenant_id: uuid.UUID | None
    attempt: int
    max_attempts: int
    claimed_by: str

    def context(self) -> JobContext:
        return JobContext(
            job_id=self.id,
            kind=self.kind,
            args=self.args,
            tenant_id=self.tenant_id,
            attempt=self.attempt,
            max_attempts=self.max_attempts,
        )


def _claimed(row: Mapping[str, Any], worker: str) -> ClaimedJob:
    args = row["args"]
    if isinstance(args, str | bytes):
        args = json.loads(args or "{}")
    tenant_id = _as_uuid(row["for_tenant_id"])
    job_id = _as_uuid(row["id"])
    assert job_id is not None
    return ClaimedJob(
        id=job_id,
        kind=str(row["kind"]),
        args=dict(args or {}),
        tenant_id=tenant_id,
        attempt=int(row["attempts"]),
        max_attempts=int(row["max_attempts"]),
        claimed_by=worker,
    )


async def claim(
    kinds: Collection[str], *, worker: str, limit: int = 10, now: dt.datetime | None = None
) -> list[ClaimedJob]:
    """Take up to ``limit`` due jobs of these kinds for ``worker``, oldest
    first, marking them running and counting the attempt. Kinds this worker
    does not know (a newer release's) are left for others."""
    if not kinds or limit < 1:
        return []
    now = _utc(now)
    names = sorted(kinds)
    due = (Job.state.is_in(list(WAITING))) & (Job.run_at <= now) & Job.kind.is_in(names)
    if not await Job.exists().where(due):
        return []  # the usual answer, found without taking a write lock
    engine = get_engine()
    kind_list = ", ".join("{}" for _ in names)
    skip_locked = " FOR UPDATE SKIP LOCKED" if is_postgres(engine) else ""
    sql = (
        "UPDATE jobs SET state = {}, attempts = attempts + 1, claimed_at = {}, claimed_by = {} "
        "WHERE state IN ({}, {}) AND id IN ("
        "SELECT id FROM jobs WHERE state IN ({}, {}) AND run_at <= {} "
        f"AND kind IN ({kind_list}) ORDER BY run_at, id LIMIT {{}}{skip_locked}"
        ") RETURNING id, kind, args, for_tenant_id, attempts, max_attempts"
    )
    params = [RUNNING, now, worker, *WAITING, *WAITING, now, *names, limit]
    # IMMEDIATE on SQLite: the write lock is taken at BEGIN, so two workers
    # cannot both read a job as available.
    async with engine.transaction():
        rows = await Job.raw(sql, *params)
    return [_claimed(row, worker) for row in rows]


def _still_held(job: ClaimedJob) -> And:
    return (
        (Job.id == job.id)
        & (Job.state == RUNNING)
        & (Job.claimed_by == job.claimed_by)
        & (Job.attempts == job.attempt)
    )


async def complete(job: ClaimedJob, *, now: dt.datetime | None = None) -> bool:
    """Record success; False if the claim had been released meanwhile."""
    done = await (
        Job.update({Job.state: SUCCEEDED, Job.finished_at: _utc(now), Job.claimed_at: None})
        .where(_still_held(job))
        .returning(Job.id)
    )
    return bool(done)


def backoff(attempt: int) -> dt.timedelta:
    """How long after the ``attempt``-th failure the job is tried again:
    exponential (15 s, 30 s, 1 min, …) up to six hours, with "equal jitter"
    (half fixed, half random) so that jobs that failed together do not all
    come back at the same moment."""
    exponent = min(max(attempt, 1) - 1, 30)
    delay = min(BACKOFF_BASE.total_seconds() * 2**exponent, BACKOFF_CAP.total_seconds())
    jitter = random.uniform(0, delay / 2)  # noqa: S311 (spreading retries, not a secret)
    return dt.timedelta(seconds=delay / 2 + jitter)


async def fail(job: ClaimedJob, error: str, *, now: dt.datetime | None = None) -> str | None:
    """Record a failed attempt: retryable after a backoff, or dead after the
    last attempt. Returns the new state (None if the claim was released)."""
    now = _utc(now)
    values: dict[Any, Any] = {Job.last_error: error[:MAX_ERROR_LENGTH], Job.claimed_at: None}
    if job.attempt >= job.max_attempts:
        values.update({Job.state: DEAD, Job.finished_at: now})
    else:
        values.update({Job.state: RETRYABLE, Job.run_at: now + backoff(job.attempt)})
    changed = await Job.update(values).where(_still_held(job)).returning(Job.state)
    return str(changed[0]["state"]) if changed else None


async def release(job: ClaimedJob) -> bool:
    """Give a job back untried (its worker is stopping): the attempt is not
    counted."""
    released = await (
        Job.update({Job.state: AVAILABLE, Job.attempts: Job.attempts - 1, Job.claimed_at: None})
        .where(_still_held(job))
        .returning(Job.id)
    )
    return bool(released)


async def rescue_stale(*, now: dt.datetime | None = None, after: dt.timedelta = STALE_AFTER) -> int:
    """Jobs still running ``after`` their claim belong to a worker that died:
    back to the queue, or dead if that was their last attempt (a job that
    kills its worker must not kill workers forever). Returns how many."""
    now = _utc(now)
    stale = (Job.state == RUNNING) & (Job.claimed_at < now - after)
    message = f"Abandoned: its worker gave no result within {after}."
    async with get_engine().transaction():
        dead = await (
            Job.update(
                {
                    Job.state: DEAD,
                    Job.finished_at: now,
                    Job.claimed_at: None,
                    Job.last_error: message,
                }
            )
            .where(stale & (Job.attempts >= Job.max_attempts))
            .returning(Job.id)
        )
        back = await (
            Job.update(
                {
                    Job.state: AVAILABLE,
                    Job.run_at: now,
                    Job.claimed_at: None,
                    Job.last_error: message,
                }
            )
            .where(stale)
            .returning(Job.id)
        )
    if dead or back:
        log.warning("jobs.rescued", requeued=len(back), dead=len(dead))
    return len(dead) + len(back)


# ---- periodic jobs -------------------------------------------------------------------


def due_slot(cron: str, now: dt.datetime) -> dt.datetime:
    """The latest time at or before ``now`` that ``cron`` (UTC) names."""
    # croniter's get_prev is strictly before its start: nudge the start so that
    # a slot that is exactly now counts.
    start = _utc(now) + dt.timedelta(microseconds=1)
    slot: dt.datetime = croniter(cron, start).get_prev(dt.datetime)
    return _utc(slot)


def slot_key(kind: str, slot: dt.datetime) -> str:
    return f"{kind}@{slot.isoformat()}"


async def schedule_periodic(
    kinds: Iterable[JobKind], *, now: dt.datetime | None = None, seen: set[str] | None = None
) -> int:
    """Enqueue the due slot of each periodic kind, once whatever the number of
    workers: its unique key ``kind@slot`` is looked up in every state (a fast
    job may already be done) while holding the scheduler's turn (an advisory
    lock on PostgreSQL, the write lock on SQLite), and the unique index
    catches anything else. ``seen`` remembers the keys this process already
    handled, so that most ticks do not touch the database."""
    now = _utc(now)
    due = []
    for kind in kinds:
        if kind.periodic is None:
            continue
        slot = due_slot(kind.periodic, now)
        key = slot_key(kind.name, slot)
        if now - slot <= CATCH_UP and (seen is None or key not in seen):
            due.append((kind, slot, key))
    if not due:
        return 0
    scheduled = 0
    engine = get_engine()
    async with engine.transaction():
        if is_postgres(engine):
            turn = await Job.raw("SELECT pg_try_advisory_xact_lock({}) AS turn", SCHEDULER_LOCK)
            if not turn[0]["turn"]:
                return 0  # another worker is scheduling right now
        for kind, slot, key in due:
            if not await Job.exists().where(Job.unique_key == key):
                created = await enqueue(
                    kind.name,
                    {"slot": slot.isoformat()},
                    run_at=slot,
                    unique_key=key,
                    max_attempts=kind.max_attempts,
                )
                if created is not None:
                    scheduled += 1
                    log.info("job.scheduled", kind=kind.name, slot=slot.isoformat())
    if seen is not None:
        seen.update(key for _, _, key in due)
    return scheduled


# ---- housekeeping and the console ----------------------------------------------------


async def prune(
    *, older_than: dt.timedelta = PRUNE_AFTER, now: dt.datetime | None = None, batch: int = 1000
) -> int:
    """Delete jobs finished more than ``older_than`` ago, in batches (each its
    own short statement). Returns how many."""
    cutoff = _utc(now) - older_than
    deleted = 0
    while True:
        ids = await (
            Job.select(Job.id)
            .where(Job.state.is_in(list(FINISHED)) & (Job.finished_at < cutoff))
            .limit(batch)
            .output(as_list=True)
        )
        if not ids:
            return deleted
        await Job.delete().where(Job.id.is_in(ids))
        deleted += len(ids)
        if len(ids) < batch:
            return deleted


async def prune_finished_jobs(context: JobContext) -> None:
    """The ``jobs.prune`` handler; ``days`` in its args overrides the default."""
    days = context.args.get("days")
    older_than = dt.timedelta(days=float(days)) if days else PRUNE_AFTER
    pruned = await prune(older_than=max(older_than, CATCH_UP * 2))
    log.info("jobs.pruned", count=pruned)


async def get_job(job_id: uuid.UUID | str) -> Job:
    parsed = job_id if isinstance(job_id, uuid.UUID) else parse_id(job_id)
    job = await Job.objects().where(Job.id == parsed).first() if parsed else None
    if job is None:
        raise NotFound("No such job.")
    return job


RETRIABLE = (RETRYABLE, DEAD, CANCELLED)


async def retry(job_id: uuid.UUID | str, *, now: dt.datetime | None = None) -> Job:
    """Run a failed, dead or cancelled job again as soon as a worker is free,
    with at least one more attempt. Conflict when it is in another state or
    another unfinished job has its unique key."""
    job = await get_job(job_id)
    if job.state not in RETRIABLE:
        raise Conflict("Only a failed, dead or cancelled job can be retried.")
    max_attempts = max(job.max_attempts, job.attempts + 1)
    try:
        changed = await (
            Job.update(
                {
                    Job.state: AVAILABLE,
                    Job.run_at: _utc(now),
                    Job.finished_at: None,
                    Job.claimed_at: None,
                    Job.max_attempts: max_attempts,
                }
            )
            .where((Job.id == job.id) & (Job.state == job.state))
            .returning(Job.id)
        )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("Another job with the same key is already queued.") from error
        raise
    if not changed:
        raise Conflict("The job changed meanwhile; reload the page.")
    log.info("job.retry", job_id=str(job.id), kind=job.kind, previous_state=job.state)
    job.state, job.max_attempts, job.finished_at = AVAILABLE, max_attempts, None
    return job


async def cancel(job_id: uuid.UUID | str, *, now: dt.datetime | None = None) -> Job:
    """Cancel a job that is waiting to run (a running one cannot be stopped)."""
    job = await get_job(job_id)
    changed = await (
        Job.update({Job.state: CANCELLED, Job.finished_at: _utc(now), Job.claimed_at: None})
        .where((Job.id == job.id) & Job.state.is_in(list(WAITING)))
        .returning(Job.id)
    )
    if not changed:
        raise Conflict("Only a job waiting to run can be cancelled.")
    job.state = CANCELLED
    return job
