"""How long a signup takes: provision N tenants on PostgreSQL and time each one.

Runs ``provision_tenant`` directly (no HTTP) as the non-owner application role
with a connection pool, against a fresh database it creates and drops, first
one signup at a time, then with several at once. In the same run it measures
the floor (one bare single-row INSERT round trip on one connection) and the
argon2id hash every signup pays, so the figures can be read on any machine.

    make bench
    .venv/bin/python bench/provision.py --n 200 --concurrency 8

``COMPTOIR_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
is a role that may create roles and databases. The target is p95 <= 100 ms per
signup, one at a time; the exit status is 1 when it is missed."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

# Settings are read once: give them what a run needs before anything reads them,
# so that nothing (secret file, SQLite database) is written in the working directory.
os.environ.setdefault("COMPTOIR_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")

import asyncpg

from comptoir.platform.auth.credentials import hash_password
from comptoir.platform.counters.tables import RecordCount
from comptoir.platform.db.engine import (
    build_engine,
    close_pool,
    set_engine,
    start_pool,
)
from comptoir.platform.db.migrate import app_role_name, migrate
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import new_id
from comptoir.tenants.signup import service as signup_service
from comptoir.tenants.signup.service import SignupRequest, provision_tenant

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_P95_MS = 100.0
PASSWORD = "Bench-mark-du-comptoir-42"  # a throwaway password for throwaway tenants
FLOOR_INSERTS = 500
HASHES = 20
WARMUP = 5


@dataclass(frozen=True)
class Stats:
    count: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, samples_ms: list[float]) -> Stats:
        ordered = sorted(samples_ms)
        if len(ordered) == 1:
            only = ordered[0]
            return cls(1, only, only, only, only, only)
        cuts = statistics.quantiles(ordered, n=100, method="inclusive")
        return cls(
            count=len(ordered),
            p50=cuts[49],
            p95=cuts[94],
            p99=cuts[98],
            mean=statistics.fmean(ordered),
            max=ordered[-1],
        )


def _with(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[tuple[str, str]]:
    """A new database migrated by its owner, used through the application role.
    Yields (owner_url, app_url); dropped afterwards whatever happens."""
    database = f"comptoir_bench_{uuid.uuid4().hex[:12]}"
    role = app_role_name()
    admin = await asyncpg.connect(admin_url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            await admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    try:
        yield _with(admin_url, database), _with(admin_url, database, user=role)
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await admin.close()


def _request(run: str, index: int) -> SignupRequest:
    slug = f"bench-{run}-{index}"
    return SignupRequest(
        company_name=f"Entreprise {run} {index}",
        slug=slug,
        admin_email=f"admin@{slug}.fr",
        admin_password=PASSWORD,
        plan="pro",
    )


def _labels() -> Iterator[str]:
    while True:
        yield uuid.uuid4().hex[:8]


async def _timed_signup(request: SignupRequest) -> float:
    started = time.perf_counter()
    await provision_tenant(request)
    return (time.perf_counter() - started) * 1000


async def provision_sequentially(n: int, run: str) -> tuple[list[float], float]:
    samples = []
    started = time.perf_counter()
    for i in range(n):
        samples.append(await _timed_signup(_request(run, i)))
    return samples, time.perf_counter() - started


async def provision_concurrently(n: int, run: str, concurrency: int) -> tuple[list[float], float]:
    gate = asyncio.Semaphore(concurrency)
    samples: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            samples.append(await _timed_signup(_request(run, i)))

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return samples, time.perf_counter() - started


async def insert_floor(app_url: str, count: int = FLOOR_INSERTS) -> list[float]:
    """One bare single-row INSERT round trip, on one connection (autocommit)."""
    connection = await asyncpg.connect(app_url)
    try:
        await connection.execute(
            "CREATE TEMP TABLE bench_floor (id uuid PRIMARY KEY, tenant_id uuid, name text)"
        )
        statement = await connection.prepare("INSERT INTO bench_floor VALUES ($1, $2, $3)")
        tenant = new_id()
        samples = []
        for i in range(count):
            started = time.perf_counter()
            await statement.fetch(new_id(), tenant, f"row {i}")
            samples.append((time.perf_counter() - started) * 1000)
        return samples
    finally:
        await connection.close()


async def scoped_insert(tenant_id: uuid.UUID, count: int = 100) -> list[float]:
    """One tenant scope with one INSERT: BEGIN, set_config, INSERT, COMMIT."""
    samples = []
    for i in range(count):
        started = time.perf_counter()
        async with tenant_scope(tenant_id) as scope:
            await scope.insert(RecordCount(object="bench", owner_key=str(i), total=i))
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@asynccontextmanager
async def hash_computed_in_advance() -> AsyncIterator[None]:
    """Signups that reuse one precomputed password hash: what is left is the
    database work of a signup (a measuring device, never done in the product)."""
    hashed = await hash_password(PASSWORD)
    original = vars(signup_service)["hash_password"]

    async def precomputed(_password: str) -> str:
        return hashed

    setattr(signup_service, "hash_password", precomputed)  # noqa: B010 (a measuring device)
    try:
        yield
    finally:
        setattr(signup_service, "hash_password", original)  # noqa: B010


async def argon2_hashes(count: int = HASHES) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await hash_password(PASSWORD)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def run(n: int, concurrency: int, admin_url: str) -> bool:
    labels = _labels()
    async with fresh_database(admin_url) as (owner_url, app_url):
        os.environ["DATABASE_URL"] = app_url
        engine = build_engine(app_url)
        set_engine(engine)
        await migrate(owner_url)
        await start_pool(engine, max_size=max(concurrency + 2, 4))
        try:
            server = await _server_version(app_url)
            await provision_sequentially(WARMUP, next(labels))
            floor = Stats.of(await insert_floor(app_url))
            argon = Stats.of(await argon2_hashes())
            first = await provision_tenant(_request(next(labels), 0))
            scope_cost = Stats.of(await scoped_insert(first.tenant.id))
            sequential, sequential_s = await provision_sequentially(n, next(labels))
            parallel, parallel_s = await provision_concurrently(n, next(labels), concurrency)
            async with hash_computed_in_advance():
                database_only, database_s = await provision_sequentially(n, next(labels))
        finally:
            await close_pool(engine)

    seq, par, db_only = Stats.of(sequential), Stats.of(parallel), Stats.of(database_only)
    passed = seq.p95 <= TARGET_P95_MS
    rows = [
        ("floor: one bare INSERT round trip", floor, None),
        ("one tenant scope with one INSERT", scope_cost, None),
        ("argon2id hash of one password", argon, None),
        ("signup, one at a time", seq, n / sequential_s),
        (f"signup, {concurrency} at a time", par, n / parallel_s),
        ("signup without its hash (DB work)", db_only, n / database_s),
    ]
    print(f"Comptoir provisioning bench: {server}, {n} signups per run")
    print(f"  {'':36} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  {'/s':>7}  p95/floor")
    for label, stats, rate in rows:
        print(
            f"  {label:36} {stats.p50:8.2f} {stats.p95:8.2f} {stats.p99:8.2f} {stats.max:8.2f}"
            f"  {f'{rate:7.1f}' if rate else '':>7}  {stats.p95 / floor.p50:9,.0f}x"
        )
    print("  (milliseconds; /s = tenants provisioned per second)")
    print(
        f"  the argon2id hash is {argon.p50 / (argon.p50 + db_only.p50):.0%} of a signup "
        "(hash p50 / (hash p50 + DB work p50)); it runs in\n"
        "  a worker thread, so concurrent signups hash on both cores"
    )
    verdict = "PASS" if passed else "FAIL"
    print(
        f"{verdict}: signup p95 {seq.p95:.1f} ms one at a time, target <= {TARGET_P95_MS:.0f} ms"
        f" (without the hash: p95 {db_only.p95:.1f} ms)"
    )
    return passed


async def _server_version(url: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        version = await connection.fetchval("SHOW server_version")
        return f"PostgreSQL {version}"
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200, help="tenants per run (default 200)")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="signups at once in the second run"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.concurrency < 1:
        parser.error("--n and --concurrency must be at least 1")
    admin_url = os.environ.get("COMPTOIR_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        passed = asyncio.run(run(args.n, args.concurrency, admin_url))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL is not usable at {admin_url}: {error}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
