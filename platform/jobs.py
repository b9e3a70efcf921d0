"""Background work run by ``comptoir worker``: today, e-mail delivery retries."""

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


async def run_worker(*, once: bool = False) -> None:
    engine = get_engine()
    await start_pool(engine, max_size=4)
    try:
        while True:
            sent = await deliver_all()
            if sent:
                log.info("worker.emails_sent", count=sent)
            if once:
                return
            await asyncio.sleep(POLL_SECONDS)
    finally:
        await close_pool(engine)
