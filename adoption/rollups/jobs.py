"""The rollups' background work: every five minutes, and the daily purge."""

from __future__ import annotations

from comptoir.adoption.rollups.service import purge_all, rollup_all
from comptoir.adoption.telemetry.buffer import flush
from comptoir.platform.jobs.kinds import JobContext, JobKind


async def run_rollups(context: JobContext) -> None:
    await flush()  # this process's buffered events first
    await rollup_all()


async def purge_raw_events(context: JobContext) -> None:
    await purge_all()


ROLLUP = JobKind(
    name="adoption.rollup",
    handler=run_rollups,
    periodic="*/5 * * * *",
    description="Bring every tenant's usage rollups up to date.",
    timeout=1500.0,
)
PURGE = JobKind(
    name="adoption.purge_raw_events",
    handler=purge_raw_events,
    periodic="17 3 * * *",
    description="Drop raw usage events past the kept days (90 by default).",
    timeout=1500.0,
)
