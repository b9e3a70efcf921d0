"""Background work: today, e-mail delivery retries. ``comptoir worker`` runs it;
in ``comptoir demo`` the same loop runs inside the web process."""

from __future__ import annotations

import asyncio

import structlog

from comptoir.platform.db.engine import close_pool, get_engine, start_pool
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.outbox.service import deliver_pending

log = structlog.get_logger(__name__)
POLL_SECONDS = 15


async def deliver_all() -> int:
    """One pass over every tenant's outbox (each through its own scope)."""
    sent = 0
    for row in await Tenant.select(Tenant.id).order_by(Tenant.id):
        sent += await deliver_pending(row["id"])
    return sent


async def run_once() -> None:
    sent = await deliver_all()
    if sent:
        log.info("worker.emails_sent", count=sent)


async def worker_loop(poll_seconds: float = POLL_SECONDS) -> None:
    """Run forever; a failed pass is logged and retried at the next tick."""
    while True:
        try:
            await run_once()
        except Exception as error:  # keep the loop alive whatever one pass hit
            log.exception("worker.pass_failed", error=repr(error))
        await asyncio.sleep(poll_seconds)


async def run_worker(*, once: bool = False) -> None:
    engine = get_engine()
    await start_pool(engine, max_size=4)
    try:
        if once:
            await run_once()
        else:
            await worker_loop()
    finally:
        await close_pool(engine)
