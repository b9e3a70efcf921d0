"""How fast lists, searches and the home page answer on a big tenant and a small
one: the real app over HTTP against the same SQL straight through asyncpg.

    .venv/bin/python bench/seed.py --fresh     # once: 1,000 tenants, 1M contacts, …
    .venv/bin/python bench/lists.py            # N = 200 requests per case
    .venv/bin/python bench/lists.py --n 50 --database comptoir_bench

Against the database ``bench/seed.py`` left (brought up to date with the
code's migrations first, as a deploy would), it starts ``comptoir serve`` in a
subprocess as the application role, gets API tokens with ``comptoir tokens
create``, signs both admins in through the login form, and times each case
one request at a time after a warm-up: p50 and p95 in milliseconds.

In the same run it times the floor of each case: the same SQL through asyncpg,
as the application role, in a transaction that sets ``app.tenant_id`` (so
row-level security applies, as in the app). For lists that is
``SELECT <the list's columns> FROM <table> WHERE tenant_id = $1 [AND id =
ANY(ARRAY(SELECT <table>_search_page($2, NULL, true, 51)))] [AND id < $3] ORDER BY id DESC LIMIT
51`` (the search as the app runs it);
for a record, the same columns ``WHERE tenant_id = $1 AND id = $2``; for a
page (home, pipeline, record pages) or a quote's PDF, every statement the app
ran for that same request, captured once in this process through the app
itself (``request_statements``) and replayed in one transaction: there the
session or token check is in the floor too, and what the floor lacks is the
framework, the templates and the PDF rendering.

A case passes with p95 <= 50 ms (a quote's PDF: 300 ms) and API p50 <= 2x
the floor's p50. The exit
status is 1 when a case fails. Then, per request, the statements the server
ran: from pg_stat_statements when it is loaded, else counted in the server's
asyncpg connections by a second, counting server started for that alone
(``pg_stat_database.xact_commit`` also counts the start-up transactions of
parallel query workers, and is reported only every 10 s); and the
noisy-neighbour check: the small tenant's first page alone, then while another
process searches the big tenant without pause.

``COMPTOIR_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
is the database's owner (a role that may migrate it and create extensions)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookies
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Settings are read once: give them what a run needs before anything reads them.
os.environ.setdefault("COMPTOIR_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")

import asyncpg
import httpx

from comptoir.platform.db.engine import (
    SERVER_SETTINGS,
    build_engine,
    close_pool,
    get_engine,
    set_engine,
    start_pool,
)
from comptoir.platform.db.migrate import MigrationFailed, app_role_name, migrate
from comptoir.platform.db.search import like_pattern
from comptoir.tenants.accounts.service import ACCOUNT_LIST
from comptoir.tenants.contacts.service import CONTACT_LIST
from comptoir.tenants.opportunities.service import OPPORTUNITY_LIST

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# As bench/seed.py creates them.
DEFAULT_DATABASE = "comptoir_bench"
BIG_SLUG = "grand-compte"
SMALL_SLUG = "atelier-0001"
PASSWORD = "Bench-mark-du-comptoir-42"

TARGET_P95_MS = 50.0
TARGET_PDF_P95_MS = 300.0
TARGET_RATIO = 2.0
PAGES_DEEP = 500
COMMON_QUERY = "martin"
RARE_QUERY = "zablocki"
WORKSPACE_COOKIE = "comptoir_session"
CSRF_COOKIE = "comptoir_csrf"
COUNTS_PATH = "/_bench/statements"  # answered by the counting server only


def _with(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


@dataclass(frozen=True)
class Stats:
    p50: float
    p95: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Stats:
        if len(samples_ms) == 1:
            return cls(samples_ms[0], samples_ms[0])
        cuts = statistics.quantiles(sorted(samples_ms), n=100, method="inclusive")
        return cls(p50=cuts[49], p95=cuts[94])


# ------------------------------------------------------------ the workspaces


@dataclass
class Workspace:
    slug: str
    tenant_id: uuid.UUID
    admin_id: uuid.UUID
    admin_email: str
    contacts: int
    accounts: int
    contact_ids: list[uuid.UUID] = field(default_factory=list)
    account_ids: list[uuid.UUID] = field(default_factory=list)
    opportunity_ids: list[uuid.UUID] = field(default_factory=list)
    quote_ids: list[uuid.UUID] = field(default_factory=list)
    opportunities: int = 0
    activities: int = 0
    quotes: int = 0
    token: str = ""
    cookies: str = ""  # a signed-in browser's: session and CSRF

    @property
    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def page_headers(self) -> dict[str, str]:
        return {"Cookie": self.cookies}


async def find_workspace(owner: asyncpg.Connection, slug: str, sample: int) -> Workspace:
    row = await owner.fetchrow(
        "SELECT t.id, u.id AS admin_id, u.email FROM tenants t "
        "JOIN users u ON u.tenant_id = t.id AND u.role = 'admin' "
        "WHERE t.slug = $1 ORDER BY u.id LIMIT 1",
        slug,
    )
    if row is None:
        raise SystemExit(f"No workspace {slug} with an admin: run bench/seed.py first.")
    tenant = row["id"]

    async def count(table: str) -> int:
        return int(
            await owner.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant)
        )

    async def some(table: str) -> list[uuid.UUID]:
        rows = await owner.fetch(
            f"SELECT id FROM {table} WHERE tenant_id = $1 ORDER BY md5(id::text) LIMIT $2",
            tenant,
            sample,
        )
        return [r["id"] for r in rows]

    return Workspace(
        slug=slug,
        tenant_id=tenant,
        admin_id=row["admin_id"],
        admin_email=row["email"],
        contacts=await count("contacts"),
        accounts=await count("accounts"),
        opportunities=await count("opportunities"),
        activities=await count("activities"),
        quotes=await count("quotes"),
        contact_ids=await some("contacts"),
        account_ids=await some("accounts"),
        opportunity_ids=await some("opportunities"),
        quote_ids=await some("quotes"),
    )


# ---------------------------------------------------------------- the server


def _command(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def server_environment(app_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_OWNER_URL", "COMPTOIR_DEMO")}
    env.update(
        DATABASE_URL=app_url,
        COMPTOIR_SECRET_KEY=os.environ["COMPTOIR_SECRET_KEY"],
        COMPTOIR_BASE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def create_token(env: dict[str, str], workspace: Workspace) -> str:
    """``comptoir tokens create``: the token is on its last line."""
    result = subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [
            _command("comptoir"),
            "tokens",
            "create",
            "--tenant",
            workspace.slug,
            "--email",
            workspace.admin_email,
            "--name",
            "Bench",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise SystemExit(f"comptoir tokens create failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(port: int) -> list[str]:
    return [_command("comptoir"), "serve", "--host", "127.0.0.1", "--port", str(port)]


def counting_command(port: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--counting-server", str(port)]


@contextlib.contextmanager
def served(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """The server in a subprocess, until the block ends; its log is shown if
    it does not come up."""
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
            command, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"The server did not start:\n{log.read()[-4000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                time.sleep(0.2)
            yield base
        except BaseException:
            log.seek(0)
            print(f"The server's last log lines:\n{log.read()[-3000:]}", file=sys.stderr)
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """The cookies a response sets. Read by hand: they are Secure (outside the
    demo), so httpx would keep them from a plain-HTTP server."""
    found: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
        jar.load(header)
        found.update({name: morsel.value for name, morsel in jar.items()})
    return found


def sign_in(client: httpx.Client, workspace: Workspace, password: str) -> str:
    """Through the login form, as a browser does; returns the cookies a
    browser would then send (session and CSRF)."""
    form = client.get(f"/w/{workspace.slug}/login")
    csrf = _set_cookies(form).get(CSRF_COOKIE)
    if form.status_code != 200 or not csrf:
        raise SystemExit(f"GET /w/{workspace.slug}/login answered {form.status_code}")
    answer = client.post(
        f"/w/{workspace.slug}/login",
        data={"email": workspace.admin_email, "password": password, "_csrf_token": csrf},
        headers={"Cookie": f"{CSRF_COOKIE}={csrf}"},
    )
    session = _set_cookies(answer).get(WORKSPACE_COOKIE)
    if answer.status_code not in (302, 303) or not session:
        raise SystemExit(f"Signing in to {workspace.slug} answered {answer.status_code}")
    return f"{WORKSPACE_COOKIE}={session}; {CSRF_COOKIE}={csrf}"


# ----------------------------------------------------------------- the floor

Statement = tuple[str, tuple[Any, ...]]
_capture: ContextVar[list[Statement] | None] = ContextVar("bench_capture", default=None)
TRANSACTION_CONTROL = ("BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK", "END")


@contextlib.contextmanager
def capturing() -> Iterator[list[Statement]]:
    """Record the statements this process sends through asyncpg (a measuring
    device: the app's own code runs, its SQL is kept to be replayed)."""
    sink: list[Statement] = []
    names = ("execute", "fetch", "fetchrow", "fetchval")
    originals = {name: getattr(asyncpg.Connection, name) for name in names}

    def recorder(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def method(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            found = _capture.get()
            if found is not None and not query.lstrip().upper().startswith(TRANSACTION_CONTROL):
                found.append((query, args))
            return await original(self, query, *args, **kwargs)

        return method

    token = _capture.set(sink)
    for name, original in originals.items():
        setattr(asyncpg.Connection, name, recorder(original))
    try:
        yield sink
    finally:
        for name, original in originals.items():
            setattr(asyncpg.Connection, name, original)
        _capture.reset(token)


async def request_statements(
    workspace: Workspace, paths: Sequence[str], page: bool
) -> list[list[Statement]]:
    """Every statement each request runs (its sign-in check included), captured
    in this process through the app itself: the floor of a page or document
    whose SQL is more than one list query."""
    from comptoir.platform.app import create_app

    app = create_app()
    engine = get_engine()
    await start_pool(engine, max_size=2)
    headers = workspace.page_headers if page else workspace.api_headers
    floors: list[list[Statement]] = []
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for path in paths:
                with capturing() as statements:
                    answer = await client.get(path, headers=headers)
                if answer.status_code != 200:
                    raise SystemExit(
                        f"GET {path} answered {answer.status_code} in process: {answer.text[:800]}"
                    )
                floors.append([s for s in statements if "set_config('app.tenant_id'" not in s[0]])
    finally:
        await close_pool(engine)
    return floors


async def bring_up_to_date(owner_url: str, app_url: str) -> float:
    """Point this process at the database as the app does, and apply any
    migration the code has and the database lacks (as a deploy would): the
    working tree may be ahead of the seeded schema. Returns the seconds taken."""
    os.environ["DATABASE_URL"] = app_url
    set_engine(build_engine(app_url))
    started = time.perf_counter()
    try:
        await migrate(owner_url)
    except (MigrationFailed, asyncpg.PostgresError) as error:
        raise SystemExit(
            f"The database's schema cannot be brought up to date ({error}): "
            "seed it again with bench/seed.py --fresh."
        ) from error
    return time.perf_counter() - started


async def in_scope(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, statements: Sequence[Statement]
) -> int:
    """The statements in one transaction for this tenant, as the app runs them;
    the rows of the last one."""
    rows: list[Any] = []
    async with connection.transaction():
        await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        for query, args in statements:
            rows = await connection.fetch(query, *args)
    return len(rows)


def _list_sql(table: str, columns: Sequence[str], *, search: bool, after: bool) -> str:
    where = ["tenant_id = $1"]
    if search:
        # As the app searches on PostgreSQL (comptoir.platform.db.listing).
        # The newest first, one page: the paged search function, as the app does.
        where.append(f"id = ANY(ARRAY(SELECT {table}_search_page($2, NULL, true, 51)))")
    if after:
        where.append(f"id < ${len(where) + 1}")
    names = ", ".join(f'"{c}"' for c in columns)
    return f"SELECT {names} FROM {table} WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT 51"


# ----------------------------------------------------------------- the cases


@dataclass
class Case:
    workspace: Workspace
    label: str
    # The i-th request (path, query parameters) and the i-th floor (statements
    # run in the tenant's transaction, with the tenant set).
    request: Callable[[int], tuple[str, dict[str, str]]]
    floor: Callable[[int], list[Statement]]
    page: bool = False  # a signed-in page rather than the API
    target_p95: float = TARGET_P95_MS
    rows: int = 0
    api: Stats | None = None
    raw: Stats | None = None
    statements: float | None = None  # per request
    transactions: float | None = None  # per request

    def headers(self) -> dict[str, str]:
        return self.workspace.page_headers if self.page else self.workspace.api_headers

    @property
    def ratio(self) -> float:
        assert self.api and self.raw
        return self.api.p50 / self.raw.p50

    def problems(self) -> list[str]:
        assert self.api
        found = []
        if self.api.p95 > self.target_p95:
            found.append(f"p95 > {self.target_p95:.0f} ms")
        if self.ratio > TARGET_RATIO:
            found.append(f"API > {TARGET_RATIO:.0f}x raw")
        return found


def _fixed(
    path: str, params: dict[str, str] | None = None
) -> Callable[[int], tuple[str, dict[str, str]]]:
    return lambda _i: (path, params or {})


def _same(query: str, *args: Any) -> Callable[[int], list[Statement]]:
    return lambda _i: [(query, args)]


def deep_cursor(client: httpx.Client, workspace: Workspace, pages: int) -> tuple[str, uuid.UUID]:
    """Follow ``next_cursor`` ``pages`` times: the cursor of the next page and
    the id it resumes after."""
    cursor: str | None = None
    last = ""
    for _ in range(pages):
        params = {"cursor": cursor} if cursor else {}
        answer = client.get("/api/v1/contacts", params=params, headers=workspace.api_headers)
        answer.raise_for_status()
        body = answer.json()
        cursor, last = body["next_cursor"], body["items"][-1]["id"]
        if cursor is None:
            raise SystemExit(f"{workspace.slug} has fewer than {pages} pages of contacts")
    assert cursor is not None
    return cursor, uuid.UUID(last)


def cases_of(
    workspace: Workspace,
    client: httpx.Client,
    deep: bool,
) -> list[Case]:
    tenant = workspace.tenant_id
    contacts, accounts = CONTACT_LIST.columns, ACCOUNT_LIST.columns
    first = _list_sql("contacts", contacts, search=False, after=False)
    search = _list_sql("contacts", contacts, search=True, after=False)
    account_search = _list_sql("accounts", accounts, search=True, after=False)
    names = ", ".join(f'"{c}"' for c in contacts)
    by_id = f"SELECT {names} FROM contacts WHERE tenant_id = $1 AND id = $2 LIMIT 1"
    ids = workspace.contact_ids
    cases = [
        Case(workspace, "contacts, first page", _fixed("/api/v1/contacts"), _same(first, tenant))
    ]
    if deep:
        cursor, after = deep_cursor(client, workspace, PAGES_DEEP)
        cases.append(
            Case(
                workspace,
                f"contacts, {PAGES_DEEP} pages deep",
                _fixed("/api/v1/contacts", {"cursor": cursor}),
                _same(_list_sql("contacts", contacts, search=False, after=True), tenant, after),
            )
        )
    cases += [
        Case(
            workspace,
            f"contacts, q={COMMON_QUERY}",
            _fixed("/api/v1/contacts", {"q": COMMON_QUERY}),
            _same(search, tenant, like_pattern(COMMON_QUERY)),
        ),
        Case(
            workspace,
            f"contacts, q={RARE_QUERY}",
            _fixed("/api/v1/contacts", {"q": RARE_QUERY}),
            _same(search, tenant, like_pattern(RARE_QUERY)),
        ),
        Case(
            workspace,
            "contact by id",
            lambda i: (f"/api/v1/contacts/{ids[i % len(ids)]}", {}),
            lambda i: [(by_id, (tenant, ids[i % len(ids)]))],
        ),
        Case(
            workspace,
            "accounts, first page",
            _fixed("/api/v1/accounts"),
            _same(_list_sql("accounts", accounts, search=False, after=False), tenant),
        ),
        Case(
            workspace,
            f"accounts, q={COMMON_QUERY}",
            _fixed("/api/v1/accounts", {"q": COMMON_QUERY}),
            _same(account_search, tenant, like_pattern(COMMON_QUERY)),
        ),
    ]
    return cases


CAPTURED = 20  # distinct records a captured case cycles through


def captured_case(
    runner: asyncio.Runner,
    workspace: Workspace,
    label: str,
    paths: Sequence[str],
    *,
    page: bool,
    target_p95: float = TARGET_P95_MS,
) -> Case:
    """A case whose floor is every statement the app ran for the same request."""
    paths = list(paths)[:CAPTURED]
    floors = runner.run(request_statements(workspace, paths, page))
    return Case(
        workspace,
        label,
        lambda i: (paths[i % len(paths)], {}),
        lambda i: floors[i % len(floors)],
        page=page,
        target_p95=target_p95,
    )


def sales_cases(runner: asyncio.Runner, workspace: Workspace) -> list[Case]:
    """The pipeline, the record pages, the home page's follow-ups and a quote's PDF."""
    tenant, base = workspace.tenant_id, f"/w/{workspace.slug}"
    opportunities = OPPORTUNITY_LIST.columns
    cases = [
        Case(
            workspace,
            "opportunities, first page",
            _fixed("/api/v1/opportunities"),
            _same(_list_sql("opportunities", opportunities, search=False, after=False), tenant),
        ),
        captured_case(runner, workspace, "pipeline (kanban)", [f"{base}/pipeline/"], page=True),
        captured_case(runner, workspace, "home page", [f"{base}/"], page=True),
        captured_case(
            runner,
            workspace,
            "contact record page",
            [f"{base}/contacts/{i}" for i in workspace.contact_ids],
            page=True,
        ),
        captured_case(
            runner,
            workspace,
            "account record page",
            [f"{base}/accounts/{i}" for i in workspace.account_ids],
            page=True,
        ),
    ]
    if workspace.opportunity_ids:
        cases.append(
            captured_case(
                runner,
                workspace,
                "opportunity record page",
                [f"{base}/opportunities/{i}" for i in workspace.opportunity_ids],
                page=True,
            )
        )
    if workspace.quote_ids:
        cases.append(
            captured_case(
                runner,
                workspace,
                "quote PDF",
                [f"/api/v1/quotes/{i}.pdf" for i in workspace.quote_ids],
                page=False,
                target_p95=TARGET_PDF_P95_MS,
            )
        )
    return cases


def _rows(answer: httpx.Response) -> int:
    if answer.headers.get("content-type", "").startswith("application/json"):
        body = answer.json()
        return len(body["items"]) if isinstance(body, dict) and "items" in body else 1
    return 1


def time_api(client: httpx.Client, case: Case, n: int, warmup: int) -> tuple[list[float], int]:
    samples = []
    rows = 0
    for i in range(warmup + n):
        path, params = case.request(i)
        started = time.perf_counter()
        answer = client.get(path, params=params, headers=case.headers())
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise SystemExit(
                f"{case.workspace.slug} {case.label}: GET {path} answered "
                f"{answer.status_code}: {answer.text[:300]}"
            )
        if i >= warmup:
            samples.append(elapsed)
        rows = _rows(answer)
    return samples, rows


async def time_floor(
    connection: asyncpg.Connection, case: Case, n: int, warmup: int
) -> list[float]:
    samples = []
    for i in range(warmup + n):
        statements = case.floor(i)
        started = time.perf_counter()
        await in_scope(connection, case.workspace.tenant_id, statements)
        elapsed = (time.perf_counter() - started) * 1000
        if i >= warmup:
            samples.append(elapsed)
    return samples


# --------------------------------------------------- statements per request


def counting_server(port: int) -> None:
    """``comptoir serve`` (the same command, through its CLI) with a count of
    what the app sends through asyncpg: every statement (BEGIN and COMMIT
    included) and every transaction (a BEGIN, or a statement outside any).
    ``GET /_bench/statements`` answers the counts. Used for counting only:
    the timed server is the plain command."""
    import json

    import comptoir.platform.app as app_module
    from comptoir.platform.cli import main as cli

    counts = {"statements": 0, "transactions": 0}

    def counted(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def method(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            counts["statements"] += 1
            if (
                query.lstrip().upper().startswith(("BEGIN", "START"))
                or not self.is_in_transaction()
            ):
                counts["transactions"] += 1
            return await original(self, query, *args, **kwargs)

        return method

    for name in ("execute", "executemany", "fetch", "fetchrow", "fetchval"):
        setattr(asyncpg.Connection, name, counted(getattr(asyncpg.Connection, name)))
    create = app_module.create_asgi_app

    def create_counted_app() -> Any:
        app = create()

        async def counted_app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == COUNTS_PATH:
                headers = [(b"content-type", b"application/json")]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": json.dumps(counts).encode()})
                return
            await app(scope, receive, send)

        return counted_app

    app_module.create_asgi_app = create_counted_app
    cli(["serve", "--host", "127.0.0.1", "--port", str(port)])


class StatementCount:
    """Statements (and transactions) the server runs per request: from
    pg_stat_statements when it is loaded, else from the counting server."""

    def __init__(self, owner_url: str, client: httpx.Client | None) -> None:
        self.owner_url = owner_url
        self.client = client  # the counting server's, or None with pg_stat_statements
        self.baseline = 0

    @staticmethod
    async def has_pg_stat_statements(owner_url: str) -> bool:
        connection = await asyncpg.connect(owner_url)
        try:
            if "pg_stat_statements" not in await connection.fetchval(
                "SHOW shared_preload_libraries"
            ):
                return False
            await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            return True
        finally:
            await connection.close()

    @property
    def unit(self) -> str:
        if self.client is None:
            return "statements per request (pg_stat_statements, BEGIN and COMMIT included)"
        return (
            "statements / transactions per request, counted in the server's asyncpg "
            "connection (BEGIN and COMMIT included; pg_stat_statements is not loaded)"
        )

    async def read(self) -> tuple[int, int | None]:
        if self.client is not None:
            counts = self.client.get(COUNTS_PATH).json()
            return int(counts["statements"]), int(counts["transactions"])
        connection = await asyncpg.connect(self.owner_url)
        try:
            calls = await connection.fetchval(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        finally:
            await connection.close()
        return int(calls) - self.baseline, None

    async def calibrate(self) -> None:
        """A reading's own statements (pg_stat_statements sees them too)."""
        if self.client is None:
            first, _ = await self.read()
            second, _ = await self.read()
            self.baseline = second - first


def count_statements(
    runner: asyncio.Runner,
    counter: StatementCount,
    client: httpx.Client,
    cases: Sequence[Case],
    k: int,
) -> None:
    runner.run(counter.calibrate())
    for case in cases:
        print(f"  ... counting {case.workspace.slug} {case.label}", file=sys.stderr, flush=True)
        time_api(client, case, 2, 0)  # the process's caches, as in the timed run
        statements, transactions = runner.run(counter.read())
        time_api(client, case, k, 0)
        statements_after, transactions_after = runner.run(counter.read())
        case.statements = (statements_after - statements) / k
        if transactions is not None and transactions_after is not None:
            case.transactions = (transactions_after - transactions) / k


# -------------------------------------------------------- noisy neighbour


def hammer(
    base: str,
    token: str,
    queries: Sequence[str],
    concurrency: int,
    ready: EventType,
    stop: EventType,
    results: Any,
) -> None:
    """Search the big tenant for rare names, ``concurrency`` requests at a
    time, until told to stop (runs in its own process)."""

    async def main() -> None:
        latencies: list[float] = []
        started = time.perf_counter()
        problem = ""
        failures = [0, 0]  # [answered 200, answered something else]
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

            async def worker(offset: int) -> None:
                i = offset
                while not stop.is_set():
                    begun = time.perf_counter()
                    answer = await client.get(
                        "/api/v1/contacts",
                        params={"q": queries[i % len(queries)]},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    latencies.append((time.perf_counter() - begun) * 1000)
                    failures[answer.status_code != 200] += 1
                    ready.set()
                    i += 1

            try:
                await asyncio.gather(*(worker(k) for k in range(concurrency)))
            except httpx.HTTPError as error:
                problem = repr(error)
        results.put((latencies, time.perf_counter() - started, problem, failures[1]))

    asyncio.run(main())


def rare_queries(owner_url: str, workspace: Workspace) -> list[str]:
    """The planted rare name and surnames that a handful of the big tenant's contacts have."""

    async def fetch() -> list[str]:
        connection = await asyncpg.connect(owner_url)
        try:
            rows = await connection.fetch(
                "SELECT last_name FROM contacts WHERE tenant_id = $1 GROUP BY last_name "
                "HAVING count(*) BETWEEN 2 AND 12 ORDER BY md5(last_name) LIMIT 20",
                workspace.tenant_id,
            )
        finally:
            await connection.close()
        return [r["last_name"].lower() for r in rows]

    return [RARE_QUERY, "ferrandiere", *asyncio.run(fetch())]


# ------------------------------------------------------------------ the run


def _fmt(value: float) -> str:
    return f"{value:8.2f}"


def report(cases: Sequence[Case], unit: str | None) -> bool:
    print(
        f"  {'tenant':13} {'case':28} {'rows':>4} {'p50':>8} {'p95':>8} {'raw p50':>8} "
        f"{'raw p95':>8} {'API/raw':>8} {'stmts':>6} {'xacts':>6}  verdict"
    )
    passed = True
    for case in cases:
        assert case.api and case.raw
        problems = case.problems()
        passed = passed and not problems
        counts = "".join(
            f" {value:6.1f}" if value is not None else f" {'-':>6}"
            for value in (case.statements, case.transactions)
        )
        verdict = "PASS" if not problems else "FAIL (" + ", ".join(problems) + ")"
        print(
            f"  {case.workspace.slug:13} {case.label:28} {case.rows:4d}"
            f"{_fmt(case.api.p50)}{_fmt(case.api.p95)}{_fmt(case.raw.p50)}{_fmt(case.raw.p95)}"
            f" {case.ratio:7.1f}x{counts}  {verdict}"
        )
    print("  (milliseconds; raw = the same SQL through asyncpg in a tenant transaction;")
    print(f"   stmts, xacts = {unit or 'not counted'})")
    return passed


def time_cases(
    runner: asyncio.Runner,
    client: httpx.Client,
    raw: asyncpg.Connection,
    cases: Sequence[Case],
    args: argparse.Namespace,
) -> None:
    for case in cases:
        print(f"  ... {case.workspace.slug} {case.label}", file=sys.stderr, flush=True)
        samples, case.rows = time_api(client, case, args.n, args.warmup)
        case.api = Stats.of(samples)
        case.raw = Stats.of(runner.run(time_floor(raw, case, args.n, args.warmup)))


def run(args: argparse.Namespace, admin_url: str) -> bool:
    owner_url = _with(admin_url, args.database)
    app_url = _with(admin_url, args.database, user=app_role_name())
    sample = args.n + args.warmup
    with asyncio.Runner() as runner:
        owner = runner.run(asyncpg.connect(owner_url))
        try:
            version = runner.run(owner.fetchval("SHOW server_version"))
            big = runner.run(find_workspace(owner, args.big, sample))
            small = runner.run(find_workspace(owner, args.small, sample))
        finally:
            runner.run(owner.close())
        migrated = runner.run(bring_up_to_date(owner_url, app_url))
        port = _free_port()
        env = server_environment(app_url, port)
        for workspace in (big, small):
            workspace.token = create_token(env, workspace)
        raw = runner.run(asyncpg.connect(app_url, server_settings=SERVER_SETTINGS))
        try:
            with (
                served(serve_command(port), env, port) as base,
                httpx.Client(base_url=base, timeout=60) as client,
            ):
                for workspace in (big, small):
                    workspace.cookies = sign_in(client, workspace, args.password)
                print(
                    f"Comptoir list bench: PostgreSQL {version}, {args.n} requests per case "
                    f"after {args.warmup} of warm-up, one at a time\n"
                    + "".join(
                        f"  {w.slug}: {w.contacts:,} contacts, {w.accounts:,} accounts, "
                        f"{w.opportunities:,} opportunities, {w.activities:,} activities, "
                        f"{w.quotes:,} quotes\n"
                        for w in (big, small)
                    )
                    + f"  migrations checked in {migrated:.1f} s",
                    flush=True,
                )
                cases = cases_of(big, client, deep=True)
                cases += sales_cases(runner, big)
                cases += cases_of(small, client, deep=False)
                cases += sales_cases(runner, small)
                time_cases(runner, client, raw, cases, args)
                unit = None
                if args.count and runner.run(StatementCount.has_pg_stat_statements(owner_url)):
                    counter = StatementCount(owner_url, None)
                    count_statements(runner, counter, client, cases, args.count)
                    unit = counter.unit
                http_floor = Stats.of(
                    time_api(client, Case(big, "", _fixed("/healthz"), lambda _i: []), args.n, 5)[0]
                )
                neighbour = noisy_neighbour(args, client, base, big, small, owner_url)
            if args.count and unit is None:
                port = _free_port()
                env = server_environment(app_url, port)
                with (
                    served(counting_command(port), env, port) as base,
                    httpx.Client(base_url=base, timeout=60) as client,
                ):
                    counter = StatementCount(owner_url, client)
                    count_statements(runner, counter, client, cases, args.count)
                    unit = counter.unit
        finally:
            runner.run(raw.close())
    print(
        f"  HTTP round trip alone (GET /healthz, no database): p50 {http_floor.p50:.2f} ms, "
        f"p95 {http_floor.p95:.2f} ms"
    )
    passed = report(cases, unit)
    print(neighbour)
    verdict = "PASS" if passed else "FAIL"
    print(
        f"{verdict}: every case p95 <= {TARGET_P95_MS:.0f} ms and API p50 <= "
        f"{TARGET_RATIO:.0f}x the same SQL through asyncpg"
        + ("" if passed else " (see the cases marked FAIL)")
    )
    return passed


def noisy_neighbour(
    args: argparse.Namespace,
    client: httpx.Client,
    base: str,
    big: Workspace,
    small: Workspace,
    owner_url: str,
) -> str:
    """The small tenant's first page alone, then while another process
    searches the big tenant without pause: one line to print."""
    case = Case(small, "contacts, first page", _fixed("/api/v1/contacts"), lambda _i: [])
    alone = Stats.of(time_api(client, case, args.n, args.warmup)[0])
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    results = context.Queue()
    queries = rare_queries(owner_url, big)
    process = context.Process(
        target=hammer,
        args=(base, big.token, queries, args.hammer_concurrency, ready, stop, results),
    )
    process.start()
    try:
        ready.wait(timeout=120)  # the other process is up and its searches answer
        time.sleep(2)
        loaded = Stats.of(time_api(client, case, args.n, args.warmup)[0])
    finally:
        stop.set()
    latencies, seconds, problem, failed = results.get(timeout=60)
    process.join(timeout=30)
    if problem or not latencies:
        return f"Noisy neighbour: the searching process failed: {problem or 'no request'}"
    other = Stats.of(latencies)
    return (
        f"Noisy neighbour: {small.slug} GET /api/v1/contacts p95 {alone.p95:.2f} ms alone, "
        f"{loaded.p95:.2f} ms while another process searches {big.slug} for rare names "
        f"({args.hammer_concurrency} at a time, {len(latencies) / seconds:.0f} requests/s, "
        f"their p50 {other.p50:.1f} ms p95 {other.p95:.1f} ms, {failed} not 200): "
        f"{loaded.p95 / alone.p95:.1f}x "
        f"(p50 {alone.p50:.2f} -> {loaded.p50:.2f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--n", type=int, default=200, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--big", default=BIG_SLUG, help="the big tenant's slug")
    parser.add_argument("--small", default=SMALL_SLUG, help="the small tenant's slug")
    parser.add_argument("--password", default=PASSWORD, help="of both admins")
    parser.add_argument(
        "--count", type=int, default=20, help="requests per case to count statements (0: skip)"
    )
    parser.add_argument(
        "--hammer-concurrency", type=int, default=4, help="rare searches at once on the big tenant"
    )
    parser.add_argument("--counting-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.counting_server:
        counting_server(args.counting_server)
        return 0
    if args.n < 2 or args.warmup < 0 or args.count < 0 or args.hammer_concurrency < 1:
        parser.error("--n must be at least 2; --warmup, --count >= 0; --hammer-concurrency >= 1")
    admin_url = os.environ.get("COMPTOIR_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        passed = run(args, admin_url)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL is not usable at {admin_url}: {error}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
