"""How fast the data completeness figures answer on a big tenant: the app's
own code (``completeness_report``, what ``GET /api/v1/adoption/completeness``
computes, and the completeness page's stale and conformance queries) against
the same aggregate SQL straight through asyncpg.

    .venv/bin/python bench/completeness.py               # seed, then N = 200 runs
    .venv/bin/python bench/completeness.py --n 50 --keep # reuse the seeded database

It seeds its own database (``comptoir_bench_completeness``): one workspace
with 500 users and 100,000 contacts, 30,000 accounts and 40,000
opportunities (fields filled at random rates, owners spread over the users,
stage history for each deal), beside ``--tenants`` small workspaces of 200
records each, every one made through the real signup (which provisions the
default expected fields); the records are loaded with COPY as the owner.

Then, in this process, as the application role (row-level security on), it
times one call at a time after a warm-up: p50 and p95 in milliseconds of
- the report as the API answers it: rules in force, the kept figures (one
  row per object) and the owners' names, 3 statements in one transaction;
- the same report computed from the records (what a read does once the kept
  figures are over an hour old or dropped by a write a minute after them):
  one grouped aggregate per object, then the figures kept;
- the page's extra figures: stale opportunities and stage conformance.
The floor is the three aggregate statements alone, through asyncpg, in one
transaction that sets ``app.tenant_id``. A case passes with p95 <= 50 ms.

``COMPTOIR_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
is the database's owner."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("COMPTOIR_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from comptoir.adoption.completeness import service as completeness
from comptoir.adoption.completeness.objects import completeness_objects
from comptoir.adoption.completeness.scores import figures_sql, report_in, rules_in_force
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.engine import build_engine, close_pool, set_engine, start_pool
from comptoir.platform.db.migrate import app_role_name, migrate
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.heap import freeze_startup_objects
from comptoir.tenants.signup.service import SignupRequest, provision_tenant

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "comptoir_bench_completeness"
BIG_SLUG = "grand-compte"
TARGET_P95_MS = 50.0
PASSWORD = "Bench-mark-du-comptoir-42"


def _with(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


def uuid7_at(moment: float, rng: random.Random) -> uuid.UUID:
    rand = rng.getrandbits(74)
    value = (
        (int(moment * 1000) << 80)
        | (0x7 << 76)
        | ((rand >> 62) << 64)
        | (0b10 << 62)
        | (rand & ((1 << 62) - 1))
    )
    return uuid.UUID(int=value)


def stats(samples: Sequence[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return cuts[49], cuts[94]


# --- Seeding -------------------------------------------------------------------------


async def create_database(admin_url: str) -> None:
    role = app_role_name()
    admin = await asyncpg.connect(admin_url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            await admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()


async def sign_up(slug: str) -> tuple[uuid.UUID, uuid.UUID]:
    request = SignupRequest(
        company_name=f"Société {slug}",
        slug=slug,
        admin_email=f"admin@{slug}.fr",
        admin_password=PASSWORD,
        plan="entreprise",
        admin_first_name="Hélène",
        admin_last_name="Lefèvre",
    )
    result = await provision_tenant(request, actor=Actor.system("bench-completeness"))
    return result.tenant.id, result.admin.id


def _maybe(rng: random.Random, rate: float, value: Any, empty: Any = "") -> Any:
    return value if rng.random() < rate else empty


async def load_tenant(
    owner: asyncpg.Connection,
    tenant_id: uuid.UUID,
    rng: random.Random,
    *,
    users: int,
    contacts: int,
    accounts: int,
    opportunities: int,
) -> None:
    now = time.time()
    year = 365 * 86400.0
    user_ids = [uuid7_at(now - year, rng) for _ in range(users)]
    if users:
        await owner.copy_records_to_table(
            "users",
            columns=["id", "tenant_id", "email", "first_name", "last_name", "role", "status"],
            records=[
                (u, tenant_id, f"vendeur{i}@bench.fr", "Vendeur", f"N°{i}", "end_user", "active")
                for i, u in enumerate(user_ids)
            ],
        )
    admin = await owner.fetchval(
        "SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin'", tenant_id
    )
    owners = [*user_ids, admin]

    def stamps() -> tuple[uuid.UUID, dt.datetime, dt.datetime]:
        created = now - rng.random() * year
        updated = created + rng.random() * (now - created)
        return (
            uuid7_at(created, rng),
            dt.datetime.fromtimestamp(created, dt.UTC),
            dt.datetime.fromtimestamp(updated, dt.UTC),
        )

    rows: list[tuple[Any, ...]] = []
    for n in range(contacts):
        record_id, created, updated = stamps()
        rows.append(
            (
                record_id,
                tenant_id,
                rng.choice(owners),
                created,
                updated,
                "Jean",
                f"Martin{n}",
                _maybe(rng, 0.8, f"c{n}@exemple.fr"),
                _maybe(rng, 0.55, "0102030405"),
                _maybe(rng, 0.3, "0601020304"),
                _maybe(rng, 0.5, "Acheteur"),
                _maybe(rng, 0.6, "Lyon"),
            )
        )
    await owner.copy_records_to_table(
        "contacts",
        columns=[
            "id",
            "tenant_id",
            "owner_id",
            "created_at",
            "updated_at",
            "first_name",
            "last_name",
            "email",
            "phone",
            "mobile",
            "job_title",
            "city",
        ],
        records=rows,
    )
    rows = []
    for n in range(accounts):
        record_id, created, updated = stamps()
        rows.append(
            (
                record_id,
                tenant_id,
                rng.choice(owners),
                created,
                updated,
                f"Société {n}",
                _maybe(rng, 0.7, "Boulangerie"),
                _maybe(rng, 0.85, "Nantes"),
                _maybe(rng, 0.5, "0240000000"),
            )
        )
    await owner.copy_records_to_table(
        "accounts",
        columns=[
            "id",
            "tenant_id",
            "owner_id",
            "created_at",
            "updated_at",
            "name",
            "industry",
            "city",
            "phone",
        ],
        records=rows,
    )
    stages = await owner.fetch(
        "SELECT id, is_won, is_lost FROM pipeline_stages WHERE tenant_id = $1 ORDER BY position",
        tenant_id,
    )
    reason = await owner.fetchval(
        "SELECT id FROM lost_reasons WHERE tenant_id = $1 LIMIT 1", tenant_id
    )
    deals: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...]] = []
    for n in range(opportunities):
        record_id, created, updated = stamps()
        stage = rng.choice(stages)
        status = "won" if stage["is_won"] else "lost" if stage["is_lost"] else "open"
        deals.append(
            (
                record_id,
                tenant_id,
                rng.choice(owners),
                created,
                updated,
                f"Affaire {n}",
                stage["id"],
                status,
                rng.choice([0, 1500, 4200, 9000]) if rng.random() < 0.8 else 0,
                _maybe(rng, 0.6, (created + dt.timedelta(days=60)).date(), None),
                _maybe(rng, 0.7, reason, None) if status == "lost" else None,
                updated.date() if status == "won" else None,
                updated if status != "open" else None,
            )
        )
        moves.append(
            (uuid7_at(created.timestamp(), rng), tenant_id, record_id, stage["id"], created)
        )
    await owner.copy_records_to_table(
        "opportunities",
        columns=[
            "id",
            "tenant_id",
            "owner_id",
            "created_at",
            "updated_at",
            "name",
            "stage_id",
            "status",
            "amount",
            "expected_close_date",
            "lost_reason_id",
            "won_at",
            "closed_at",
        ],
        records=deals,
    )
    await owner.copy_records_to_table(
        "opportunity_stage_changes",
        columns=["id", "tenant_id", "opportunity_id", "to_stage_id", "changed_at"],
        records=moves,
    )


async def seed(admin_url: str, args: argparse.Namespace) -> uuid.UUID:
    owner_url = _with(admin_url, DATABASE)
    rng = random.Random(7)
    started = time.perf_counter()
    big, _admin = await sign_up(BIG_SLUG)
    smalls = [await sign_up(f"atelier-{n:04d}") for n in range(args.tenants)]
    print(f"  {1 + args.tenants} workspaces signed up in {time.perf_counter() - started:.1f} s")
    owner = await asyncpg.connect(owner_url)
    try:
        await load_tenant(
            owner, big, rng, users=499, contacts=100_000, accounts=30_000, opportunities=40_000
        )
        for tenant_id, _ in smalls:
            await load_tenant(
                owner, tenant_id, rng, users=3, contacts=120, accounts=40, opportunities=40
            )
        # A stage that requires an amount and a close date, for the conformance figures.
        stage = await owner.fetchval(
            "SELECT id FROM pipeline_stages WHERE tenant_id = $1 AND key = 'proposal'", big
        )
        await completeness.set_stage_requirements(
            big, stage, ["amount", "expected_close_date"], actor=Actor.system("bench")
        )
        await owner.execute("VACUUM (ANALYZE)")
    finally:
        await owner.close()
    print(f"  seeded in {time.perf_counter() - started:.1f} s")
    return big


# --- Timing ---------------------------------------------------------------------------


async def timed(call: Callable[[], Awaitable[Any]], n: int) -> list[float]:
    for _ in range(max(5, n // 10)):
        await call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def run(args: argparse.Namespace, admin_url: str) -> int:
    owner_url = _with(admin_url, DATABASE)
    app_url = _with(admin_url, DATABASE, app_role_name())
    os.environ["DATABASE_URL"] = app_url
    engine = build_engine(app_url)
    set_engine(engine)
    if not args.keep:
        print(f"Seeding {DATABASE} …")
        await create_database(admin_url)
    await migrate(owner_url)
    await start_pool(engine, max_size=4)
    try:
        if not args.keep:
            tenant_id = await seed(admin_url, args)
        else:
            owner = await asyncpg.connect(owner_url)
            tenant_id = await owner.fetchval("SELECT id FROM tenants WHERE slug = $1", BIG_SLUG)
            await owner.close()
        async with tenant_scope(tenant_id) as scope:
            rules = await rules_in_force(scope)
            counted = await scope.raw(
                completeness_objects()[0].table,
                "SELECT (SELECT count(*) FROM contacts WHERE tenant_id = {}) + "
                "(SELECT count(*) FROM accounts WHERE tenant_id = {}) + "
                "(SELECT count(*) FROM opportunities WHERE tenant_id = {}) AS n",
                tenant_id,
                tenant_id,
                tenant_id,
            )
        print(f"Workspace {BIG_SLUG}: {counted[0]['n']:,} records, rules version {rules.version}")

        async def report() -> None:
            async with tenant_scope(tenant_id) as scope:
                await report_in(scope)

        async def computed() -> None:
            async with tenant_scope(tenant_id) as scope:
                await report_in(scope, fresh=True)

        async def page_extras() -> None:
            async with tenant_scope(tenant_id) as scope:
                await completeness.stale_records(scope, rules)
                await completeness.conformance(scope)

        statements = []
        for obj in completeness_objects():
            sql, _names = figures_sql(obj, rules.weights(obj))
            statements.append(sql.replace("{}", "$1"))
        floor_conn = await asyncpg.connect(app_url)

        async def floor() -> None:
            async with floor_conn.transaction():
                await floor_conn.execute(
                    "SELECT set_config('app.tenant_id', $1, true)", str(tenant_id)
                )
                for sql in statements:
                    await floor_conn.fetch(sql, tenant_id)

        freeze_startup_objects()  # as the app does once started
        results = {}
        for name, call in (
            ("completeness report (API)", report),
            ("report computed, not kept", computed),
            ("stale + conformance (page)", page_extras),
            ("floor: the 3 aggregates, raw", floor),
        ):
            # The computed report takes a second: fewer runs of it.
            runs = max(20, args.n // 5) if call is computed else args.n
            results[name] = stats(await timed(call, runs))
        await floor_conn.close()
    finally:
        await close_pool(engine)

    floor_p50 = results["floor: the 3 aggregates, raw"][0]
    failed = False
    print(f"\n{'case':34} {'p50 ms':>8} {'p95 ms':>8} {'x floor':>8}")
    for name, (p50, p95) in results.items():
        ok = p95 <= TARGET_P95_MS
        failed |= not ok and name.startswith(("completeness", "stale"))
        print(f"{name:34} {p50:8.1f} {p95:8.1f} {p50 / floor_p50:8.2f}  {'ok' if ok else 'SLOW'}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="timed calls per case")
    parser.add_argument("--tenants", type=int, default=100, help="small workspaces beside it")
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    args = parser.parse_args()
    admin_url = os.environ.get("COMPTOIR_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        return asyncio.run(run(args, admin_url))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL is not usable at {admin_url}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
