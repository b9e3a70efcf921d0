"""Recording events without slowing a request down.

The listener (``record_events``, called after each committed transaction)
only turns domain events into rows and appends them to an in-memory buffer.
A background task (the feature's lifespan, in the web and worker processes)
writes the buffer every second, or as soon as ``BATCH`` rows wait: one
multi-row INSERT per tenant, all in one transaction (see
``store.insert_for_tenants``: row-level security set per tenant). Leaving the lifespan
(a clean shutdown) writes whatever is left, so nothing is lost then. A batch
that fails goes back into the buffer for the next round; past ``MAX_PENDING``
rows (the database down for long) the oldest are dropped, with an error logged.
Tests and the CLI call ``flush()`` themselves."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import structlog
from uuid_utils import uuid7

from comptoir.adoption.telemetry.classify import MODULES, QUANTITY_KEYS, ROLES
from comptoir.adoption.telemetry.clock import late_hours
from comptoir.adoption.telemetry.store import bulk_insert, insert_for_tenants, mark_late_hours
from comptoir.adoption.telemetry.tables import UsageEvent
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.events import DomainEvent

log = structlog.get_logger(__name__)

BATCH = 2_000
INTERVAL_SECONDS = 1.0
MAX_PENDING = 500_000

# (name, PostgreSQL type) of each value of a buffered row, tenant_id second.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "uuid"),
    ("tenant_id", "uuid"),
    ("created_at", "timestamptz"),
    ("user_id", "uuid"),
    ("role", "varchar"),
    ("module", "varchar"),
    ("object_type", "varchar"),
    ("event", "varchar"),
    ("quantity", "integer"),
    ("occurred_at", "timestamptz"),
    ("hour", "integer"),
)
Row = tuple[Any, ...]
HOUR_INDEX = len(COLUMNS) - 1
ROLE_NAMES = frozenset(ROLES)
MODULE_NAMES = frozenset(MODULES)


def _quantity(data: dict[str, Any]) -> int:
    for key in QUANTITY_KEYS:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return max(0, value)
    return 0


def event_row(event: DomainEvent, recorded_at: dt.datetime | None = None) -> Row:
    """A domain event as a row of ``usage_events`` (a few microseconds: the
    id is uuid_utils' own UUIDv7, which asyncpg and SQLite take as it is)."""
    at = event.at if event.at.tzinfo is not None else event.at.replace(tzinfo=dt.UTC)
    # Support staff signed in as a user: recorded, but nobody's use.
    actor = None if event.impersonated else event.actor_id
    return (
        uuid7(),
        event.tenant_id,
        recorded_at or at,
        actor,
        event.actor_role if actor is not None and event.actor_role in ROLE_NAMES else "",
        event.module if event.module in MODULE_NAMES else "admin",
        event.object_type[:40],
        event.name[:60],
        _quantity(event.data) if event.data else 0,
        at,
        int(at.timestamp()) // 3600,
    )


class TelemetryBuffer:
    def __init__(self, batch: int = BATCH, max_pending: int = MAX_PENDING) -> None:
        self.batch = batch
        self.max_pending = max_pending
        self._rows: list[Row] = []
        self._wake: asyncio.Event | None = None
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, rows: Sequence[Row]) -> None:
        self._rows.extend(rows)
        overflow = len(self._rows) - self.max_pending
        if overflow > 0:
            del self._rows[:overflow]
            self.dropped += overflow
            log.error("telemetry.dropped", rows=overflow)
        if self._wake is not None and len(self._rows) >= self.batch:
            self._wake.set()

    def clear(self) -> None:
        self._rows = []

    async def flush(self) -> int:
        """Write every buffered row now, all tenants in one transaction; how
        many were written. If that fails, each tenant's rows are written in
        its own scope, and those that still fail go back into the buffer."""
        rows, self._rows = self._rows, []
        if not rows:
            return 0
        by_tenant: dict[uuid.UUID, list[Row]] = defaultdict(list)
        for row in rows:
            by_tenant[row[1]].append(row)
        try:
            await insert_for_tenants(UsageEvent, COLUMNS, by_tenant)
        except Exception as error:  # one tenant's rows may be at fault: write each alone
            log.warning("telemetry.batch_failed", error=repr(error), tenants=len(by_tenant))
        else:
            await _mark_late(by_tenant)
            return len(rows)
        written: dict[uuid.UUID, list[Row]] = {}
        for tenant_id, tenant_rows in by_tenant.items():
            try:
                async with tenant_scope(tenant_id) as scope:
                    await bulk_insert(scope, UsageEvent, COLUMNS, tenant_rows)
            except Exception as error:  # kept for the next round, never raised to a request
                log.exception("telemetry.flush_failed", tenant=str(tenant_id), error=repr(error))
                self.add(tenant_rows)
            else:
                written[tenant_id] = tenant_rows
        await _mark_late(written)
        return sum(len(tenant_rows) for tenant_rows in written.values())

    async def run(self, interval: float = INTERVAL_SECONDS) -> None:
        """Write the buffer every ``interval`` seconds or when a batch is full."""
        self._wake = asyncio.Event()
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=interval)
                self._wake.clear()
                await self.flush()
        finally:
            self._wake = None


async def _mark_late(written: dict[uuid.UUID, list[Row]]) -> None:
    """Hours that got events after the rollups may have done them are rolled
    up again by the next run (marks written after the events, so that run
    sees them)."""
    now = dt.datetime.now(dt.UTC)
    marks = {
        tenant: late_hours({row[HOUR_INDEX] for row in rows}, now)
        for tenant, rows in written.items()
    }
    marks = {tenant: hours for tenant, hours in marks.items() if hours}
    if not marks:
        return
    try:
        await mark_late_hours(marks, now)
    except Exception as error:  # the events are in; only their re-count is missed
        log.exception("telemetry.late_mark_failed", error=repr(error))


BUFFER = TelemetryBuffer()


async def record_events(events: Sequence[DomainEvent]) -> None:
    """The listener: every committed transaction's events, into the buffer."""
    now = dt.datetime.now(dt.UTC)
    BUFFER.add([event_row(event, now) for event in events])


async def flush() -> int:
    """Write the buffered events now (tests, the CLI, shutdown)."""
    return await BUFFER.flush()


@asynccontextmanager
async def telemetry_writer() -> AsyncIterator[None]:
    """The lifespan: write in the background; on a clean exit, write the rest."""
    task = asyncio.create_task(BUFFER.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        while len(BUFFER):
            if not await BUFFER.flush():
                break
