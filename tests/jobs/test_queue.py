"""The job queue on both engines: enqueue in the business transaction, claim,
retry with backoff, dead after the last attempt, unique keys, stale claims,
pruning, and several workers at once. The clock is moved, never waited for."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter
from typing import Any

import pytest

from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import Conflict, NotFound
from comptoir.platform.ids import new_id, parse_id
from comptoir.platform.jobs import job_queue as queue
from comptoir.platform.jobs.job_queue import (
    backoff,
    cancel,
    claim,
    complete,
    enqueue,
    get_job,
    prune,
    rescue_stale,
    retry,
)
from comptoir.platform.jobs.kinds import JobContext, JobKind
from comptoir.platform.jobs.registry import STALE_AFTER
from comptoir.platform.jobs.tables import Job
from comptoir.platform.jobs.worker import run_due_jobs, run_job, worker_loop

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


class Recorder:
    """A kind whose handler notes each context it gets, and fails while told to."""

    def __init__(self, name: str = "test.record", **options: Any) -> None:
        self.seen: list[JobContext] = []
        self.failures_left = 0
        self.kind = JobKind(name=name, handler=self.handle, **options)

    async def handle(self, context: JobContext) -> None:
        self.seen.append(context)
        await asyncio.sleep(0)  # let other workers interleave
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError(f"failure on attempt {context.attempt}")


async def test_a_job_runs_once_with_its_args_and_tenant(db) -> None:
    recorder = Recorder()
    tenant_id = new_id()
    job_id = await enqueue(
        "test.record", {"invoice": "F-12", "when": T0}, tenant_id=tenant_id, max_attempts=3
    )
    assert job_id is not None

    assert await run_due_jobs(kinds=[recorder.kind]) == 1
    assert await run_due_jobs(kinds=[recorder.kind]) == 0
    [context] = recorder.seen
    assert context.job_id == job_id and context.tenant_id == tenant_id
    assert context.args == {"invoice": "F-12", "when": "2026-12-01T09:00:00Z"}
    assert context.attempt == 1 and context.max_attempts == 3
    job = await get_job(job_id)
    assert job.state == "succeeded" and job.attempts == 1 and job.finished_at is not None


async def test_a_job_waits_for_its_run_at_and_for_a_worker_that_knows_its_kind(db) -> None:
    recorder = Recorder()
    await enqueue("test.record", run_at=T0 + dt.timedelta(hours=1), max_attempts=1)
    await enqueue("test.unknown", max_attempts=1)
    assert await run_due_jobs(kinds=[recorder.kind], now=T0) == 0
    assert await run_due_jobs(kinds=[recorder.kind], now=T0 + dt.timedelta(hours=1)) == 1
    unknown = await Job.objects().where(Job.kind == "test.unknown").first()
    assert unknown is not None and unknown.state == "available"


async def test_a_job_enqueued_in_a_transaction_commits_or_rolls_back_with_it(db) -> None:
    tenant_id = new_id()
    with pytest.raises(RuntimeError):
        async with tenant_scope(tenant_id):
            await enqueue("test.record", {"n": 1}, tenant_id=tenant_id, max_attempts=1)
            raise RuntimeError("the business write failed")
    assert await Job.count() == 0

    async with tenant_scope(tenant_id):
        await enqueue("test.record", {"n": 2}, tenant_id=tenant_id, max_attempts=1)
    assert await Job.count() == 1


async def test_a_failed_job_is_retried_after_a_growing_backoff_then_dead(db) -> None:
    recorder = Recorder(max_attempts=3)
    recorder.failures_left = 10
    job_id = await enqueue("test.record", max_attempts=3)
    assert job_id is not None

    now = T0
    assert await run_due_jobs(kinds=[recorder.kind], now=now) == 1
    job = await get_job(job_id)
    assert job.state == "retryable" and job.attempts == 1
    assert "failure on attempt 1" in job.last_error
    first_wait = job.run_at - now
    assert queue.BACKOFF_BASE / 2 <= first_wait <= queue.BACKOFF_BASE
    # Not due again before its backoff.
    assert await run_due_jobs(kinds=[recorder.kind], now=job.run_at - dt.timedelta(seconds=1)) == 0

    now = job.run_at
    assert await run_due_jobs(kinds=[recorder.kind], now=now) == 1
    job = await get_job(job_id)
    assert job.state == "retryable" and job.attempts == 2
    assert queue.BACKOFF_BASE <= job.run_at - now <= queue.BACKOFF_BASE * 2

    assert await run_due_jobs(kinds=[recorder.kind], now=job.run_at) == 1
    job = await get_job(job_id)
    assert job.state == "dead" and job.attempts == 3 and job.finished_at is not None
    assert "failure on attempt 3" in job.last_error
    assert await run_due_jobs(kinds=[recorder.kind], now=T0 + dt.timedelta(days=1)) == 0
    assert [c.attempt for c in recorder.seen] == [1, 2, 3]


def test_backoff_doubles_with_jitter_up_to_a_cap() -> None:
    base = queue.BACKOFF_BASE
    for attempt in range(1, 40):
        full = min(base * 2 ** min(attempt - 1, 30), queue.BACKOFF_CAP)
        delays = {backoff(attempt) for _ in range(20)}
        assert all(full / 2 <= delay <= full for delay in delays), attempt
        if attempt < 5:
            assert len(delays) > 1, "jitter spreads retries"
    assert backoff(100) <= queue.BACKOFF_CAP


async def test_a_handler_that_times_out_is_retried(db) -> None:
    async def never_returns(context: JobContext) -> None:
        await asyncio.Event().wait()

    kind = JobKind(name="test.slow", handler=never_returns, timeout=0.05, max_attempts=2)
    job_id = await enqueue("test.slow", max_attempts=2)
    assert job_id is not None
    assert await run_due_jobs(kinds=[kind], now=T0) == 1
    job = await get_job(job_id)
    assert job.state == "retryable" and job.last_error == "Timed out."


async def test_unique_key_holds_while_a_job_is_unfinished(db) -> None:
    recorder = Recorder()
    first = await enqueue("test.record", unique_key="billing-run:alpha", max_attempts=1)
    again = await enqueue("test.record", unique_key="billing-run:alpha", max_attempts=1)
    other = await enqueue("test.record", unique_key="billing-run:beta", max_attempts=1)
    assert first is not None and again is None and other is not None

    async with tenant_scope(new_id()):  # inside a transaction too, without aborting it
        assert await enqueue("test.record", unique_key="billing-run:alpha", max_attempts=1) is None
        assert await enqueue("test.record", {"n": 1}, max_attempts=1) is not None

    assert await run_due_jobs(kinds=[recorder.kind]) == 3
    later = await enqueue("test.record", unique_key="billing-run:alpha", max_attempts=1)
    assert later is not None and later != first


async def test_periodic_jobs_are_scheduled_once_per_slot(db) -> None:
    recorder = Recorder(name="test.every5", periodic="*/5 * * * *", max_attempts=1)
    kinds = [recorder.kind]
    noon = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)

    # Three workers ticking at once schedule the 12:00 slot once.
    scheduled = await asyncio.gather(
        *(queue.schedule_periodic(kinds, now=noon + dt.timedelta(minutes=3)) for _ in range(3))
    )
    assert sum(scheduled) == 1
    [job] = await Job.objects().where(Job.kind == "test.every5")
    assert job.unique_key == "test.every5@2026-12-01T12:00:00+00:00"
    assert job.run_at == noon

    # Run it; later ticks within the slot schedule nothing, even though it is done.
    assert await run_due_jobs(kinds=kinds, now=noon + dt.timedelta(minutes=4)) == 1
    assert await queue.schedule_periodic(kinds, now=noon + dt.timedelta(minutes=4, seconds=59)) == 0
    assert len(recorder.seen) == 1 and recorder.seen[0].args == {"slot": noon.isoformat()}

    # The next slot, exactly on time.
    assert await run_due_jobs(kinds=kinds, now=noon + dt.timedelta(minutes=5)) == 1
    assert await Job.count().where(Job.kind == "test.every5") == 2


async def test_a_slot_missed_for_too_long_is_skipped(db) -> None:
    monthly = JobKind(name="test.monthly", handler=Recorder().handle, periodic="0 0 1 * *")
    assert await queue.schedule_periodic([monthly], now=T0 + dt.timedelta(hours=2)) == 1
    assert await queue.schedule_periodic([monthly], now=T0 + dt.timedelta(days=20)) == 0


async def test_a_worker_remembers_the_slots_it_saw(db) -> None:
    kind = JobKind(name="test.hourly", handler=Recorder().handle, periodic="0 * * * *")
    seen: set[str] = set()
    assert await queue.schedule_periodic([kind], now=T0, seen=seen) == 1
    await Job.delete(force=True)
    # Known to this worker: not even looked up again.
    assert await queue.schedule_periodic([kind], now=T0, seen=seen) == 0
    assert await Job.count() == 0


async def test_pruning_deletes_only_old_finished_jobs(db) -> None:
    recorder = Recorder()
    old_done = await enqueue("test.record", max_attempts=1)
    await run_due_jobs(kinds=[recorder.kind], now=T0)
    waiting_old = await enqueue("test.record", run_at=T0 + dt.timedelta(days=90), max_attempts=1)
    recent_done = await enqueue("test.record", max_attempts=1)
    await run_due_jobs(kinds=[recorder.kind], now=T0 + dt.timedelta(days=20))

    now = T0 + dt.timedelta(days=21)
    assert await prune(now=now, batch=1) == 1
    remaining = set(await Job.select(Job.id).output(as_list=True))
    assert remaining == {waiting_old, recent_done}
    with pytest.raises(NotFound):
        await get_job(str(old_done))


async def test_pruning_is_a_periodic_job_of_the_queue(db) -> None:
    from comptoir.platform.jobs.feature import FEATURE, PRUNE

    [kind] = FEATURE.job_kinds
    assert kind.name == PRUNE and kind.periodic
    done = await enqueue("test.record", max_attempts=1)
    await run_due_jobs(kinds=[Recorder().kind])
    await Job.update({Job.finished_at: queue.utcnow() - dt.timedelta(days=30)}).where(
        Job.id == done
    )
    slot = queue.due_slot(kind.periodic, queue.utcnow())
    assert await run_due_jobs(kinds=FEATURE.job_kinds, now=slot) == 1
    [prune_job] = await Job.objects()
    assert prune_job.kind == PRUNE and prune_job.state == "succeeded"


async def test_a_job_left_running_by_a_dead_worker_is_run_again(db) -> None:
    recorder = Recorder()
    job_id = await enqueue("test.record", max_attempts=3)
    [held] = await claim(["test.record"], worker="host:1:dead", now=T0)
    assert held.id == job_id and held.attempt == 1

    # Not stale yet: nobody else takes it.
    assert await rescue_stale(now=T0 + STALE_AFTER - dt.timedelta(seconds=1)) == 0
    assert await run_due_jobs(kinds=[recorder.kind], now=T0 + dt.timedelta(minutes=5)) == 0

    later = T0 + STALE_AFTER + dt.timedelta(seconds=1)
    assert await run_due_jobs(kinds=[recorder.kind], now=later) == 1
    job = await get_job(job_id)
    assert job.state == "succeeded" and job.attempts == 2
    assert [c.attempt for c in recorder.seen] == [2]
    # The dead worker's late answer changes nothing.
    assert await complete(held) is False


async def test_a_stale_job_on_its_last_attempt_is_dead(db) -> None:
    job_id = await enqueue("test.record", max_attempts=1)
    await claim(["test.record"], worker="host:1:dead", now=T0)
    assert await rescue_stale(now=T0 + STALE_AFTER * 2) == 1
    assert job_id is not None
    job = await get_job(job_id)
    assert job.state == "dead" and "Abandoned" in job.last_error


async def test_a_stopping_worker_gives_its_job_back(db) -> None:
    started = asyncio.Event()

    async def blocks(context: JobContext) -> None:
        started.set()
        await asyncio.Event().wait()

    kind = JobKind(name="test.blocks", handler=blocks)
    job_id = await enqueue("test.blocks", max_attempts=2)
    [held] = await claim(["test.blocks"], worker="host:2:a")
    task = asyncio.create_task(run_job(held, kind))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert job_id is not None
    job = await get_job(job_id)
    assert job.state == "available" and job.attempts == 0


@pytest.mark.parametrize("workers", [3])
async def test_workers_side_by_side_run_each_job_exactly_once(db, workers: int) -> None:
    recorder = Recorder(name="test.parallel")
    tenant_id = new_id()
    async with tenant_scope(tenant_id):
        ids = [
            await enqueue("test.parallel", {"n": n}, tenant_id=tenant_id, max_attempts=1)
            for n in range(50)
        ]
    counts = await asyncio.gather(
        *(run_due_jobs(kinds=[recorder.kind], worker=f"host:{w}:x") for w in range(workers))
    )
    assert sum(counts) == 50
    runs = Counter(context.job_id for context in recorder.seen)
    assert set(runs) == set(ids) and set(runs.values()) == {1}
    states = await Job.select(Job.state, Job.claimed_by).output(as_list=False)
    assert {row["state"] for row in states} == {"succeeded"}
    if db.name == "postgres":
        # SKIP LOCKED let them share the work rather than queue behind one another.
        assert sum(1 for count in counts if count) >= 2, counts


async def test_a_failing_handler_never_stops_the_worker_loop(db) -> None:
    finished = asyncio.Event()

    async def fails(context: JobContext) -> None:
        raise ValueError("broken handler")

    async def succeeds(context: JobContext) -> None:
        finished.set()

    broken = JobKind(name="test.a-broken", handler=fails, max_attempts=1)
    fine = JobKind(name="test.b-fine", handler=succeeds)
    await enqueue("test.a-broken", max_attempts=1)
    await enqueue("test.a-broken", max_attempts=1)
    await enqueue("test.b-fine", max_attempts=1)
    loop = asyncio.create_task(worker_loop(0.01, kinds=[broken, fine]))
    try:
        await asyncio.wait_for(finished.wait(), timeout=30)
        for _ in range(600):  # until every outcome is recorded
            if not await Job.exists().where(Job.finished_at.is_null()):
                break
            await asyncio.sleep(0.05)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    states = await Job.select(Job.kind, Job.state).order_by(Job.kind)
    assert [row["state"] for row in states] == ["dead", "dead", "succeeded"]


async def test_staff_may_retry_a_dead_job_and_cancel_a_waiting_one(db) -> None:
    recorder = Recorder(max_attempts=1)
    recorder.failures_left = 1
    job_id = await enqueue("test.record", unique_key="export:alpha", max_attempts=1)
    assert job_id is not None
    await run_due_jobs(kinds=[recorder.kind])
    assert (await get_job(job_id)).state == "dead"

    # Another job with its key is queued meanwhile: retrying would duplicate it.
    blocking = await enqueue("test.record", unique_key="export:alpha", max_attempts=1)
    assert blocking is not None
    with pytest.raises(Conflict):
        await retry(job_id)
    assert (await cancel(blocking)).state == "cancelled"
    with pytest.raises(Conflict):
        await cancel(blocking)

    retried = await retry(job_id)
    assert retried.state == "available" and retried.max_attempts == 2
    assert await run_due_jobs(kinds=[recorder.kind]) == 1
    job = await get_job(job_id)
    assert job.state == "succeeded" and job.attempts == 2
    with pytest.raises(Conflict):
        await retry(job_id)
    with pytest.raises(NotFound):
        await retry(str(uuid.uuid4()))
    with pytest.raises(NotFound):
        await retry("not-an-id")


async def test_erasing_a_tenant_erases_its_jobs(db, client, workspace, other_workspace) -> None:
    from comptoir.platform.directory.lifecycle import erase_tenant

    mine = await enqueue("test.record", tenant_id=parse_id(workspace.tenant_id), max_attempts=1)
    theirs = await enqueue(
        "test.record", tenant_id=parse_id(other_workspace.tenant_id), max_attempts=1
    )
    counts = await erase_tenant(workspace.slug)
    assert counts is not None and counts["jobs"] >= 1
    with pytest.raises(NotFound):
        await get_job(str(mine))
    assert (await get_job(str(theirs))).state == "available"
