"""How long the monthly billing run takes: 10,000 subscriptions invoiced for one
period on PostgreSQL, then the same run again (which must change nothing).

Seeds a fresh database in bulk (COPY as the owner: tenants, their active
subscriptions with 1 to 25 seats, and seats added last month for one tenant
in ten, so the run also prorates), then calls ``billing_run`` directly as the
non-owner application role through a connection pool, as the daily job does.
In the same run it measures the floor: the same number of invoice rows and
line rows written by bare multi-row INSERTs in chunks of the run's size, one
transaction each, on one connection. The database is dropped at the end.

    .venv/bin/python bench/billing.py                 # 10,000 tenants
    .venv/bin/python bench/billing.py --tenants 2000

``COMPTOIR_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
is a role that may create roles and databases. Targets: the run <= 60 s, the re-run
<= 10 s; the exit status is 1 when one is missed."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

# Settings are read once: give them what a run needs before anything reads them.
os.environ.setdefault("COMPTOIR_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from bench.provision import DEFAULT_URL, fresh_database
from comptoir.billing.invoices.run import CHUNK_SIZE, billing_run
from comptoir.billing.periods import Period
from comptoir.platform.db.engine import build_engine, close_pool, set_engine, start_pool
from comptoir.platform.db.migrate import migrate
from comptoir.platform.ids import new_id

TARGET_RUN_S = 60.0
TARGET_RERUN_S = 10.0
PERIOD = "2026-11"
PLANS = ("essentiel", "pro", "entreprise")


async def seed(owner_url: str, tenants: int, period: Period) -> int:
    """``tenants`` workspaces with an active subscription (trial over long ago),
    and seats added last month for one in ten. Returns the seat changes made."""
    rng = random.Random(42)
    now = dt.datetime.now(dt.UTC)
    long_ago = period.start - dt.timedelta(days=90)
    previous = period.previous()
    tenant_rows = []
    subscription_rows = []
    change_rows = []
    for n in range(tenants):
        tenant_id = new_id()
        plan = PLANS[n % 3]
        seats = rng.randint(1, 25)
        tenant_rows.append(
            (
                tenant_id,
                f"bench-{n}",
                f"Entreprise {n}",
                plan,
                "active",
                long_ago,
                "fr",
                "Europe/Paris",
                "all",
                seats,
                now,
            )
        )
        subscription_id = new_id()
        country, vat = ("BE", "BE0403170701") if n % 50 == 0 else ("FR", "")
        subscription_rows.append(
            (
                subscription_id,
                tenant_id,
                plan,
                "active",
                long_ago,
                previous.start,
                previous.end,
                seats,
                str(previous),
                False,
                "bank_transfer",
                "bank_transfer",
                "",
                f"Entreprise {n}",
                "1 rue du Banc",
                "69001",
                "Lyon",
                country,
                vat,
                f"compta@bench-{n}.fr",
                now,
                now,
            )
        )
        if n % 10 == 0 and seats > 1:
            day = previous.start + dt.timedelta(days=rng.randint(0, previous.days - 1), hours=9)
            change_rows.append(
                (
                    new_id(),
                    tenant_id,
                    subscription_id,
                    str(previous),
                    seats - 1,
                    seats,
                    plan,
                    "user_added",
                    day,
                )
            )
    connection = await asyncpg.connect(owner_url)
    try:
        await connection.copy_records_to_table(
            "tenants",
            records=tenant_rows,
            columns=[
                "id",
                "slug",
                "company_name",
                "plan",
                "status",
                "trial_ends_at",
                "locale",
                "timezone",
                "sharing_rule",
                "user_count",
                "created_at",
            ],
        )
        await connection.copy_records_to_table(
            "billing_subscriptions",
            records=subscription_rows,
            columns=[
                "id",
                "for_tenant_id",
                "plan",
                "status",
                "trial_ends_at",
                "current_period_start",
                "current_period_end",
                "seats_billed",
                "billed_through",
                "cancel_at_period_end",
                "payment_terms",
                "gateway",
                "payment_method_summary",
                "billing_name",
                "billing_address",
                "billing_postal_code",
                "billing_city",
                "billing_country",
                "vat_number",
                "billing_email",
                "created_at",
                "updated_at",
            ],
        )
        await connection.copy_records_to_table(
            "billing_seat_changes",
            records=change_rows,
            columns=[
                "id",
                "for_tenant_id",
                "subscription_id",
                "period",
                "seats_before",
                "seats_after",
                "plan",
                "cause",
                "at",
            ],
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return len(change_rows)


async def write_floor(app_url: str, invoices: int, chunk: int) -> float:
    """The bare writes of the run: ``invoices`` invoice-sized rows and as many
    line rows, by multi-row INSERTs of ``chunk`` rows, one transaction per chunk."""
    connection = await asyncpg.connect(app_url)
    try:
        await connection.execute(
            "CREATE TEMP TABLE floor_invoices (LIKE billing_invoices INCLUDING DEFAULTS)"
        )
        await connection.execute(
            "CREATE TEMP TABLE floor_lines (LIKE billing_invoice_lines INCLUDING DEFAULTS)"
        )
        seller = json.dumps(
            {
                "legal_name": "Comptoir SAS",
                "siren": "912345675",
                "address": "12 rue de la République",
                "iban": "FR76...",
            }
        )
        buyer = json.dumps({"name": "Entreprise", "address": "1 rue du Banc", "city": "Lyon"})
        started = time.perf_counter()
        for first in range(0, invoices, chunk):
            size = min(chunk, invoices - first)
            ids = [new_id() for _ in range(size)]
            now = dt.datetime.now(dt.UTC)
            async with connection.transaction():
                await connection.executemany(
                    "INSERT INTO floor_invoices (id, for_tenant_id, kind, sequence_number, "
                    "number, status, period, purpose, idempotency_key, issued_at, total_net, "
                    "total_vat, total_gross, seller, buyer) VALUES ($1, $2, 'invoice', $3, $4, "
                    "'open', $5, 'period', $6, $7, 35, 7, 42, $8, $9)",
                    [
                        (
                            i,
                            new_id(),
                            first + k,
                            f"FA{first + k:08d}",
                            PERIOD,
                            str(i),
                            now,
                            seller,
                            buyer,
                        )
                        for k, i in enumerate(ids)
                    ],
                )
                await connection.executemany(
                    "INSERT INTO floor_lines (id, for_tenant_id, invoice_id, description, "
                    "quantity, unit_price, total_net, total_vat, total_gross) VALUES "
                    "($1, $2, $3, 'Abonnement Pro', 1, 35, 35, 7, 42)",
                    [(new_id(), new_id(), i) for i in ids],
                )
        return time.perf_counter() - started
    finally:
        await connection.close()


async def check(app_url: str, tenants: int) -> tuple[int, int, int, int]:
    """(invoices, distinct subscriptions, first number, last number) of the period."""
    connection = await asyncpg.connect(app_url)
    try:
        row = await connection.fetchrow(
            "SELECT count(*), count(DISTINCT subscription_id), min(sequence_number), "
            "max(sequence_number) FROM billing_invoices WHERE period = $1 AND purpose = 'period'",
            PERIOD,
        )
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2] or 0), int(row[3] or 0)
    finally:
        await connection.close()


async def run(tenants: int, admin_url: str) -> bool:
    period = Period.parse(PERIOD)
    async with fresh_database(admin_url) as (owner_url, app_url):
        os.environ["DATABASE_URL"] = app_url
        engine = build_engine(app_url)
        set_engine(engine)
        await migrate(owner_url)
        seed_started = time.perf_counter()
        changes = await seed(owner_url, tenants, period)
        seed_s = time.perf_counter() - seed_started
        await start_pool(engine, max_size=4)
        try:
            floor_s = await write_floor(app_url, tenants, CHUNK_SIZE)
            first = await billing_run(period)
            second = await billing_run(period)
            invoices, distinct, low, high = await check(app_url, tenants)
        finally:
            await close_pool(engine)

    gapless = invoices == distinct == tenants and (low, high) == (1, tenants)
    passed = first.seconds <= TARGET_RUN_S and second.seconds <= TARGET_RERUN_S and gapless
    print(
        f"Comptoir billing run bench: {tenants:,} tenants, period {PERIOD}, chunks of {CHUNK_SIZE}"
    )
    print(f"  seeded in {seed_s:.1f} s (COPY; {changes:,} tenants with seats added last month)")
    print(
        f"  floor: {tenants:,} invoice rows + {tenants:,} line rows, bare INSERTs   "
        f"{floor_s:7.2f} s"
    )
    print(
        f"  billing run                      {first.seconds:7.2f} s  "
        f"{first.invoices_created:,} invoices created  "
        f"({first.invoices_created / first.seconds:,.0f}/s, {first.seconds / floor_s:.1f}x "
        "the floor)"
    )
    print(
        f"  re-run (nothing left to do)      {second.seconds:7.2f} s  "
        f"{second.invoices_created:,} invoices created"
    )
    print(
        f"  numbers {low}..{high}, {invoices:,} invoices for {distinct:,} subscriptions: "
        f"{'gapless, one each' if gapless else 'WRONG'}"
    )
    verdict = "PASS" if passed else "FAIL"
    print(
        f"{verdict}: run {first.seconds:.1f} s (target <= {TARGET_RUN_S:.0f} s), re-run "
        f"{second.seconds:.2f} s (target <= {TARGET_RERUN_S:.0f} s)"
    )
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, default=10_000, help="default 10,000")
    args = parser.parse_args(argv)
    if args.tenants < 1:
        parser.error("--tenants must be at least 1")
    admin_url = os.environ.get("COMPTOIR_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        passed = asyncio.run(run(args.tenants, admin_url))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL is not usable at {admin_url}: {error}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
