"""Adoption telemetry at scale: event ingestion rate and the dashboard
summary's latency on PostgreSQL.

In a fresh database (created and dropped), as the non-owner application
role with a connection pool, exactly as the app runs:

1. **Ingest**: a 500-user tenant's 90 days of events (and 1,000 other
   tenants' events beside them) go through the real path: the listener
   turns domain events into rows in the buffer, which is written as the
   background writer does (one multi-row INSERT per tenant in its scope,
   every ``BATCH`` rows). Reported as events per second on one core (this
   process is single-threaded), with the target >= 20,000/s.
2. **Rollups**: every tenant rolled up (timed), then events of the current
   hour added, left for the live part of the figures.
3. **Summary**: ``usage_summary`` of the big tenant over the 30 days ending
   today (what the dashboard and ``GET /api/v1/adoption/summary`` compute by
   default) and over 90 days, N times each: p50/p95, target p95 <= 50 ms.

The floor, measured in the same run: one raw INSERT of a batch of the same
rows (``INSERT ... SELECT FROM unnest(...)``, prepared, on a bare connection,
no scope, into a temporary copy of the table).

    .venv/bin/python bench/adoption.py
    .venv/bin/python bench/adoption.py --users 500 --days 90 --others 1000 --samples 200

``COMPTOIR_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
is a role that may create roles and databases. The exit status is 1 when a
target is missed."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: bench/provision.py is a sibling module
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("COMPTOIR_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")

import asyncpg

from bench.provision import DEFAULT_URL, Stats, _server_version, fresh_database
from comptoir.adoption.rollups.service import rollup_tenant
from comptoir.adoption.telemetry import buffer as telemetry
from comptoir.adoption.telemetry.buffer import BATCH, COLUMNS, event_row
from comptoir.adoption.usage.summary import usage_summary
from comptoir.platform.auth.tables import User
from comptoir.platform.db.engine import build_engine, close_pool, set_engine, start_pool
from comptoir.platform.db.migrate import migrate
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.events import DomainEvent
from comptoir.platform.heap import freeze_startup_objects
from comptoir.platform.ids import new_id

TARGET_EVENTS_PER_SECOND = 20_000
TARGET_P95_MS = 50.0
ZONE = "Europe/Paris"
# What people do, weighted: (event, module, object type).
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("page.viewed", "sales", "contacts"),
    ("page.viewed", "sales", "opportunities"),
    ("page.viewed", "", "workspace"),
    ("contact.updated", "sales", "contact"),
    ("contact.created", "sales", "contact"),
    ("activity.created", "sales", "activity"),
    ("opportunity.stage_changed", "sales", "opportunity"),
    ("quote.sent", "sales", "quote"),
    ("ticket.status_changed", "service", "ticket"),
    ("campaign.sent", "marketing", "campaign"),
    ("training.step_completed", "training", "training_step"),
)
WEIGHTS = (30, 20, 10, 12, 6, 8, 5, 2, 4, 1, 2)


def _roles(users: int) -> list[str]:
    admins, keys = max(1, users // 50), max(1, users // 10)
    return ["admin"] * admins + ["key_user"] * keys + ["end_user"] * (users - admins - keys)


def tenant_events(
    rng: random.Random,
    tenant_id: uuid.UUID,
    users: Sequence[tuple[uuid.UUID, str]],
    days: int,
    per_user_day: int,
    active_share: float,
    now: dt.datetime,
) -> list[DomainEvent]:
    """``days`` days of work: each user active on ``active_share`` of the
    days, signing in then doing ``per_user_day`` things over the working day."""
    found: list[DomainEvent] = []
    for back in range(days, 0, -1):
        day = (now - dt.timedelta(days=back)).replace(hour=7, minute=0, second=0, microsecond=0)
        for user_id, role in users:
            if rng.random() > active_share:
                continue
            start = day + dt.timedelta(minutes=rng.randrange(0, 180))
            found.append(
                DomainEvent(
                    "user.signed_in", tenant_id, user_id, role, "user", str(user_id), "", start
                )
            )
            for n in range(per_user_day):
                name, module, kind = rng.choices(ACTIONS, WEIGHTS)[0]
                at = start + dt.timedelta(minutes=20 * n + rng.randrange(0, 20))
                found.append(DomainEvent(name, tenant_id, user_id, role, kind, "x", module, at))
    return found


async def ingest(events: Sequence[DomainEvent], per_transaction: int = 4) -> float:
    """The real path, timed: the listener per committed transaction, the
    writer every ``BATCH`` rows, the rest at the end (shutdown). Seconds."""
    started = time.perf_counter()
    for start in range(0, len(events), per_transaction):
        await telemetry.record_events(events[start : start + per_transaction])
        if len(telemetry.BUFFER) >= BATCH:
            await telemetry.flush()
    await telemetry.flush()
    return time.perf_counter() - started


async def raw_insert_floor(app_url: str, rows: list[tuple[Any, ...]], runs: int) -> list[float]:
    """One prepared INSERT ... SELECT FROM unnest of ``rows`` into a temporary
    copy of usage_events, on a bare connection: milliseconds per batch."""
    connection = await asyncpg.connect(app_url)
    try:
        await connection.execute(
            "CREATE TEMP TABLE floor_events (LIKE usage_events INCLUDING DEFAULTS)"
        )
        names = ", ".join(name for name, _ in COLUMNS)
        arrays = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(COLUMNS, start=1))
        statement = await connection.prepare(
            f"INSERT INTO floor_events ({names}) SELECT * FROM unnest({arrays})"
        )
        columns = [list(column) for column in zip(*rows, strict=True)]
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await statement.fetch(*columns)
            samples.append((time.perf_counter() - started) * 1000)
        return samples
    finally:
        await connection.close()


async def timed_summaries(tenant_id: uuid.UUID, days: int, samples: int) -> list[float]:
    today = dt.datetime.now(dt.UTC).date()
    found = []
    for _ in range(samples):
        started = time.perf_counter()
        await usage_summary(tenant_id, today - dt.timedelta(days=days - 1), today)
        found.append((time.perf_counter() - started) * 1000)
    return found


async def run(args: argparse.Namespace, admin_url: str) -> bool:
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    async with fresh_database(admin_url) as (owner_url, app_url):
        os.environ["DATABASE_URL"] = app_url
        engine = build_engine(app_url)
        set_engine(engine)
        await migrate(owner_url)
        await start_pool(engine, max_size=4)
        try:
            server = await _server_version(app_url)
            big = new_id()
            await Tenant(id=big, slug="bench-adoption", company_name="Bench", timezone=ZONE).save()
            people = [(new_id(), role) for role in _roles(args.users)]
            async with tenant_scope(big) as scope:
                await scope.insert_many(
                    [
                        User(
                            id=user_id,
                            email=f"u{n}@big.example",
                            first_name="U",
                            last_name=str(n),
                            role=role,
                            status="active",
                        )
                        for n, (user_id, role) in enumerate(people)
                    ]
                )
            big_events = tenant_events(rng, big, people, args.days, args.per_day, 0.7, now)
            other_events: list[DomainEvent] = []
            others = [new_id() for _ in range(args.others)]
            for tenant in others:
                crew = [(new_id(), "end_user") for _ in range(3)]
                other_events.extend(tenant_events(rng, tenant, crew, args.days, 2, 0.25, now))
            mixed = big_events + other_events
            rng.shuffle(mixed)  # tenants interleaved, as in a real process
            ingest_s = await ingest(mixed)
            floor = Stats.of(
                await raw_insert_floor(app_url, [event_row(e) for e in mixed[:BATCH]], 50)
            )

            started = time.perf_counter()
            await rollup_tenant(big, ZONE, now=now)
            big_rollup_s = time.perf_counter() - started
            started = time.perf_counter()
            for tenant in others:
                await rollup_tenant(tenant, ZONE, now=now)
            others_rollup_s = time.perf_counter() - started
            # The current hour, not rolled up: read live by the summary.
            live = [
                DomainEvent(
                    "contact.updated",
                    big,
                    user_id,
                    role,
                    "contact",
                    "x",
                    "sales",
                    now - dt.timedelta(minutes=rng.randrange(0, 50)),
                )
                for user_id, role in rng.sample(people, min(200, len(people)))
                for _ in range(5)
            ]
            await ingest(live)
            vacuum = await asyncpg.connect(owner_url)  # what autovacuum does after a load
            try:
                await vacuum.execute("VACUUM ANALYZE usage_days, usage_events, usage_hours")
            finally:
                await vacuum.close()

            freeze_startup_objects()  # as the app does once started
            await timed_summaries(big, 30, 5)  # warm-up
            month = Stats.of(await timed_summaries(big, 30, args.samples))
            quarter = Stats.of(await timed_summaries(big, 90, max(20, args.samples // 4)))
            counts = {}
            connection = await asyncpg.connect(owner_url)
            try:
                for table in (
                    "usage_events",
                    "usage_hours",
                    "usage_days",
                    "tenant_usage_days",
                    "usage_active_user_days",
                    "usage_active_counts",
                ):
                    counts[table] = await connection.fetchval(f"SELECT count(*) FROM {table}")
            finally:
                await connection.close()
        finally:
            await close_pool(engine)

    total = len(mixed)
    rate = total / ingest_s
    per_batch_ms = ingest_s * 1000 / (total / BATCH)
    passed = rate >= TARGET_EVENTS_PER_SECOND and month.p95 <= TARGET_P95_MS
    print(f"Comptoir adoption bench: {server}, one process (one core)")
    print(
        f"  big tenant: {args.users} users, {args.days} days, {len(big_events):,} events; "
        f"{args.others:,} other tenants, {len(other_events):,} events beside them"
    )
    print("  rows: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    print(f"  {'':44} {'p50':>8} {'p95':>8} {'max':>8}  x floor p50")
    print(
        f"  {'floor: one raw INSERT of ' + format(BATCH, ',') + ' rows':44} {floor.p50:8.2f} "
        f"{floor.p95:8.2f} {floor.max:8.2f}  {1:>6}x"
    )
    print(
        f"  {'ingest: one batch through listener+buffer':44} {per_batch_ms:8.2f} "
        f"{'':8} {'':8}  {per_batch_ms / floor.p50:6.1f}x   ({rate:,.0f} events/s)"
    )
    print(
        f"  {'summary, 30 days (dashboard default)':44} {month.p50:8.2f} {month.p95:8.2f} "
        f"{month.max:8.2f}  {month.p95 / floor.p50:6.1f}x"
    )
    print(
        f"  {'summary, 90 days':44} {quarter.p50:8.2f} {quarter.p95:8.2f} "
        f"{quarter.max:8.2f}  {quarter.p95 / floor.p50:6.1f}x"
    )
    print(
        f"  rollups from scratch: big tenant {big_rollup_s:.1f} s, "
        f"{args.others:,} other tenants {others_rollup_s:.1f} s"
    )
    print("  (milliseconds)")
    verdict = "PASS" if passed else "FAIL"
    print(
        f"{verdict}: ingest {rate:,.0f} events/s (target >= {TARGET_EVENTS_PER_SECOND:,}), "
        f"summary p95 {month.p95:.1f} ms (target <= {TARGET_P95_MS:.0f} ms)"
    )
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--others", type=int, default=1000)
    parser.add_argument("--per-day", type=int, default=12, help="events per active user-day")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    admin_url = os.environ.get("COMPTOIR_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        passed = asyncio.run(run(args, admin_url))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL is not usable at {admin_url}: {error}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
