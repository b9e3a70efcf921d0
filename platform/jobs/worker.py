"""Background work: ``comptoir worker`` runs the job queue, and several may
run side by side, each job being claimed by exactly one of them; in
``comptoir demo`` the same loop runs inside the web process.

A worker polls for due jobs, runs them a few at a time, each with its kind's
timeout, and records each outcome. A failing handler (or a failing database)
never stops the loop; a stopping worker gives its unfinished jobs back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import time
import traceback
from collections.abc import Iterable, Mapping
from typing import Any

import structlog

from comptoir.platform.db.engine import close_pool, get_engine, start_pool
from comptoir.platform.jobs.job_queue import (
    MAX_ERROR_LENGTH,
    ClaimedJob,
    claim,
    complete,
    fail,
    release,
    rescue_stale,
    schedule_periodic,
)
from comptoir.platform.jobs.kinds import JobKind
from comptoir.platform.jobs.registry import resolve

log = structlog.get_logger(__name__)
POLL_SECONDS = 2.0
BATCH = 5  # jobs claimed at once, and run concurrently, by one worker
RESCUE_EVERY = 60.0  # seconds between two looks for abandoned jobs


def worker_name() -> str:
    """Who holds a claim, as shown in the console: host, process, and a few
    random characters so that two loops of one process differ."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "Timed out."
    text = "".join(traceback.format_exception(error))
    return text[-MAX_ERROR_LENGTH:]


async def run_job(job: ClaimedJob, kind: JobKind, *, now: Any = None) -> bool:
    """Run one claimed job within its kind's timeout and record the outcome;
    True if it succeeded. Never raises but for cancellation, which gives the
    job back to the queue first."""
    tenant = str(job.tenant_id) if job.tenant_id else None
    with structlog.contextvars.bound_contextvars(
        job_id=str(job.id), job_kind=job.kind, tenant=tenant, user=None
    ):
        started = time.perf_counter()
        try:
            await asyncio.wait_for(kind.handler(job.context()), timeout=kind.timeout)
        except asyncio.CancelledError:
            await asyncio.shield(release(job))
            raise
        except Exception as error:  # any failure of the handler is the job's, not the loop's
            # Shielded: a worker stopping now still records the outcome.
            state = await asyncio.shield(fail(job, _describe(error), now=now))
            log.warning(
                "job.failed",
                attempt=job.attempt,
                max_attempts=job.max_attempts,
                state=state,
                error=repr(error)[:300],
            )
            return False
        await asyncio.shield(complete(job, now=now))
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log.info("job.succeeded", attempt=job.attempt, duration_ms=duration_ms)
        return True


async def _run_batch(jobs: list[ClaimedJob], registry: Mapping[str, JobKind], now: Any) -> None:
    results = await asyncio.gather(
        *(run_job(job, registry[job.kind], now=now) for job in jobs), return_exceptions=True
    )
    for job, result in zip(jobs, results, strict=True):
        if isinstance(result, asyncio.CancelledError):
            raise result
        if isinstance(result, BaseException):
            # Recording the outcome failed (the database went away): the job
            # stays running and is rescued once its claim is stale.
            log.error("job.outcome_not_recorded", job_id=str(job.id), error=repr(result))


async def run_due_jobs(
    *,
    kinds: Iterable[JobKind] | None = None,
    now: Any = None,
    worker: str | None = None,
    limit: int = 1000,
) -> int:
    """Run every job that is due, once, in this process, and return how many
    ran (succeeded or not): for tests, where ``now`` moves the clock, and for
    ``comptoir worker --once``. A failed job is not run again here: its retry
    is due later. ``kinds`` limits the run to those kinds (default: all)."""
    registry = resolve(kinds)
    worker = worker or worker_name()
    await rescue_stale(now=now)
    await schedule_periodic(registry.values(), now=now)
    ran = 0
    while ran < limit:
        jobs = await claim(registry.keys(), worker=worker, limit=min(BATCH, limit - ran), now=now)
        if not jobs:
            break
        await _run_batch(jobs, registry, now)
        ran += len(jobs)
    return ran


async def worker_loop(
    poll_seconds: float = POLL_SECONDS, *, kinds: Iterable[JobKind] | None = None
) -> None:
    """Run the queue until cancelled: schedule periodic jobs, claim and run due
    jobs a batch at a time, look for abandoned ones now and then, and sleep
    ``poll_seconds`` whenever nothing is due. ``kinds`` limits the worker to
    those kinds (default: every kind of every feature)."""
    try:
        registry = resolve(kinds)
    except Exception:
        log.exception("worker.no_job_kinds")
        raise
    worker = worker_name()
    seen: set[str] = set()
    last_rescue = 0.0
    log.info("worker.started", worker=worker, kinds=sorted(registry))
    while True:
        ran = 0
        try:
            if time.monotonic() - last_rescue >= RESCUE_EVERY:
                await rescue_stale()
                last_rescue = time.monotonic()
            await schedule_periodic(registry.values(), seen=seen)
            jobs = await claim(registry.keys(), worker=worker, limit=BATCH)
            if jobs:
                await _run_batch(jobs, registry, None)
                ran = len(jobs)
        except Exception as error:  # keep the loop alive whatever one round hit
            log.exception("worker.round_failed", error=repr(error))
        if not ran:
            await asyncio.sleep(poll_seconds)


async def _until_stopped(coroutine: Any) -> None:
    """Run ``coroutine`` until it ends or the process is asked to stop
    (SIGTERM from systemd, SIGINT from a terminal): then cancel it, which
    gives running jobs back to the queue."""
    task = asyncio.ensure_future(coroutine)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
    log.info("worker.stopped")


async def run_worker(*, once: bool = False) -> None:
    """``comptoir worker``: the queue until stopped, or one pass (``--once``)."""
    engine = get_engine()
    await start_pool(engine, max_size=BATCH + 2)
    from comptoir.platform.app import feature_lifespans
    from comptoir.platform.heap import freeze_startup_objects

    try:
        async with feature_lifespans():
            freeze_startup_objects()
            if once:
                ran = await run_due_jobs()
                log.info("worker.pass_done", jobs=ran)
            else:
                await _until_stopped(worker_loop())
    finally:
        await close_pool(engine)
