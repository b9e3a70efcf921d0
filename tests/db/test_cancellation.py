"""A request cancelled mid-query never hands its connection, with a reply still
pending on it, to the next request.

The pool is cut down to ONE connection so that whatever the cancelled request
left behind is certainly what the next request gets. Tenant A's slow read is
cancelled while PostgreSQL is running it; tenant B's next queries on the same
pool must then return exactly B's rows (none of A's, no "another operation is
in progress"), on a fresh backend: the cancelled one was terminated."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from piccolo.engine.base import Engine

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.db.engine import (
    SafePostgresTransaction,
    build_engine,
    close_pool,
    get_engine,
    set_engine,
    start_pool,
)
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.features import requires
from comptoir.platform.web.problems import EXCEPTION_HANDLERS
from comptoir.tenants.access.callers import provide_api_caller
from tests.support.fixtures import Workspace

if TYPE_CHECKING:
    from tests.support.databases import TestDatabase

# A's contacts, returned only after a pause: RLS limits it to the scope's tenant.
SLOW_READ = (
    "WITH pause AS MATERIALIZED (SELECT pg_sleep($1)) "
    "SELECT c.id, c.last_name FROM contacts c, pause ORDER BY c.id"
)
READ = "SELECT id, last_name FROM contacts ORDER BY id"
# Lets the server notice a vanished client during a sleep (PostgreSQL 14+), so
# a terminated backend ends at once instead of when its sleep is over.
CHECK_CLIENT = "SET LOCAL client_connection_check_interval = '50ms'"
ATTEMPTS = range(3)
# Only the PostgreSQL database of the shared ``db`` fixture (its SQLite side has
# nothing to show here); without PostgreSQL the tests skip, or fail with CI=true.
pytestmark = pytest.mark.parametrize("db", ["postgres"], indirect=True)


def _connection() -> Any:
    """The connection of the transaction the current tenant scope holds."""
    transaction = get_engine().current_transaction.get()
    assert transaction is not None, "not inside a tenant scope"
    return transaction.connection


@pytest.fixture
async def admin(db: TestDatabase) -> AsyncIterator[asyncpg.Connection]:
    if db.name != "postgres":
        pytest.skip("connection pooling and cancellation are tested on PostgreSQL")
    assert db.admin_url
    connection = await asyncpg.connect(db.admin_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def one_connection_pool(
    db: TestDatabase, admin: asyncpg.Connection
) -> AsyncIterator[Engine[Any]]:
    """The application role's engine with a pool of exactly one connection."""
    config = db.engine.config  # type: ignore[attr-defined]
    url = f"postgresql://{config['user']}@{config['host']}:{config['port']}/{config['database']}"
    engine = build_engine(url)
    await start_pool(engine, max_size=1)
    set_engine(engine)
    try:
        yield engine
    finally:
        set_engine(db.engine)
        try:
            async with asyncio.timeout(10):
                await close_pool(engine)
        except TimeoutError:
            # A connection that was never given back makes a graceful close wait
            # forever: end it, and say so.
            engine.pool.terminate()  # type: ignore[attr-defined]
            pytest.fail("a connection of the pool was never given back")


@pytest.fixture
async def contacts(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> dict[str, list[str]]:
    """Three contacts in A and two in B, made through the API (before the pool shrinks)."""
    made: dict[str, list[str]] = {workspace.tenant_id: [], other_workspace.tenant_id: []}
    for ws, names in (
        (workspace, ["Arnaud", "Aubert", "Avril"]),
        (other_workspace, ["Bayle", "Blanc"]),
    ):
        for name in names:
            response = await client.post(
                "/api/v1/contacts", headers=ws.headers, json={"last_name": name}
            )
            assert response.status_code == 201, response.text
            made[ws.tenant_id].append(response.json()["id"])
    return made


async def _wait_until_running(admin: asyncpg.Connection, pid: int) -> None:
    """Until PostgreSQL is executing the slow read on backend ``pid``."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        state = await admin.fetchrow(
            "SELECT state, query FROM pg_stat_activity WHERE pid = $1", pid
        )
        if state and state["state"] == "active" and "pg_sleep" in state["query"]:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"backend {pid} never started the slow query")


async def _wait_until_gone(admin: asyncpg.Connection, pid: int) -> None:
    """The terminated backend ends (at the latest when its sleep is over and it
    finds its client gone)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not await admin.fetchval("SELECT 1 FROM pg_stat_activity WHERE pid = $1", pid):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the cancelled connection's backend {pid} is still there")


async def _read_as(tenant_id: str) -> tuple[int, list[str]]:
    """The backend pid and the contact ids a tenant scope sees. Fails, rather
    than hangs, if the pool's only connection was never given back."""
    try:
        async with asyncio.timeout(10):
            async with tenant_scope(uuid.UUID(tenant_id)):
                connection = _connection()
                pid = await connection.fetchval("SELECT pg_backend_pid()")
                rows = await connection.fetch(READ)
    except TimeoutError:
        pytest.fail("the pool's only connection was not given back after the cancellation")
    except asyncpg.InterfaceError as error:
        pytest.fail(f"the next request got a connection still busy: {error}")
    return pid, [str(r["id"]) for r in rows]


async def _slow_read_of(tenant_id: str, seconds: float, pids: list[int]) -> list[str]:
    async with tenant_scope(uuid.UUID(tenant_id)):
        connection = _connection()
        pids.append(await connection.fetchval("SELECT pg_backend_pid()"))
        await connection.execute(CHECK_CLIENT)
        rows = await connection.fetch(SLOW_READ, seconds)
    return [str(r["id"]) for r in rows]


async def _pid_of_first_query(pids: list[int]) -> int:
    deadline = time.monotonic() + 10
    while not pids:
        assert time.monotonic() < deadline, "the slow request never reached the database"
        await asyncio.sleep(0.005)
    return pids[0]


async def _check_b_reads_cleanly(
    admin: asyncpg.Connection, contacts: dict[str, list[str]], b: Workspace, cancelled_pid: int
) -> None:
    pid, seen = await _read_as(b.tenant_id)
    assert seen == sorted(contacts[b.tenant_id]), "B did not get exactly B's contacts"
    assert pid != cancelled_pid, "the cancelled connection went back into the pool"
    # And again: the fresh connection is itself reusable.
    again_pid, again = await _read_as(b.tenant_id)
    assert again == seen and again_pid == pid
    await _wait_until_gone(admin, cancelled_pid)


@pytest.mark.parametrize("attempt", ATTEMPTS)
async def test_cancelled_query_does_not_leak_into_the_next_request(
    attempt: int,
    one_connection_pool: Engine[Any],
    admin: asyncpg.Connection,
    contacts: dict[str, list[str]],
    workspace: Workspace,
    other_workspace: Workspace,
) -> None:
    pids: list[int] = []
    task = asyncio.create_task(_slow_read_of(workspace.tenant_id, 1.5, pids))
    pid = await _pid_of_first_query(pids)
    await _wait_until_running(admin, pid)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _check_b_reads_cleanly(admin, contacts, other_workspace, pid)


@pytest.mark.parametrize("attempt", ATTEMPTS)
async def test_timeout_inside_the_scope_discards_the_connection(
    attempt: int,
    one_connection_pool: Engine[Any],
    admin: asyncpg.Connection,
    contacts: dict[str, list[str]],
    workspace: Workspace,
    other_workspace: Workspace,
) -> None:
    """A timeout caught as an ordinary error inside the transaction (TimeoutError
    is an Exception) cancelled a query all the same."""
    pids: list[int] = []
    with pytest.raises(TimeoutError):
        async with tenant_scope(uuid.UUID(workspace.tenant_id)):
            connection = _connection()
            pids.append(await connection.fetchval("SELECT pg_backend_pid()"))
            await connection.execute(CHECK_CLIENT)
            async with asyncio.timeout(0.3):
                await connection.fetch(SLOW_READ, 1.5)
    await _check_b_reads_cleanly(admin, contacts, other_workspace, pids[0])


async def test_cancellation_at_any_moment_leaves_the_pool_usable(
    one_connection_pool: Engine[Any],
    contacts: dict[str, list[str]],
    workspace: Workspace,
    other_workspace: Workspace,
) -> None:
    """Cancel after a sweep of delays: while the connection is being acquired,
    during BEGIN, during set_config, during the read, after it."""
    expected = sorted(contacts[other_workspace.tenant_id])
    for step in range(40):
        pids: list[int] = []
        task = asyncio.create_task(_slow_read_of(workspace.tenant_id, 0.05, pids))
        await asyncio.sleep(step * 0.0025)
        task.cancel()
        try:
            result = await task
        except asyncio.CancelledError:
            pass
        else:
            assert result == sorted(contacts[workspace.tenant_id])
        _, seen = await _read_as(other_workspace.tenant_id)
        assert seen == expected, f"after a cancellation at {step * 2.5} ms"


async def test_cancelled_while_beginning_the_transaction(
    monkeypatch: pytest.MonkeyPatch,
    one_connection_pool: Engine[Any],
    admin: asyncpg.Connection,
    contacts: dict[str, list[str]],
    workspace: Workspace,
    other_workspace: Workspace,
) -> None:
    """The window between taking a connection from the pool and the start of the
    transaction: a cancellation there must give the connection back too. BEGIN
    is preceded by a slow statement here so the window is wide enough to hit."""
    original = SafePostgresTransaction.begin
    pids: list[int] = []

    async def slow_begin(self: SafePostgresTransaction) -> None:
        pids.append(await self.connection.fetchval("SELECT pg_backend_pid()"))
        await self.connection.execute(CHECK_CLIENT.replace("LOCAL ", ""))
        await self.connection.execute("SELECT pg_sleep(1.5)")
        await original(self)

    monkeypatch.setattr(SafePostgresTransaction, "begin", slow_begin)
    task = asyncio.create_task(_slow_read_of(workspace.tenant_id, 0.1, []))
    pid = await _pid_of_first_query(pids)
    await _wait_until_running(admin, pid)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.setattr(SafePostgresTransaction, "begin", original)
    await _check_b_reads_cleanly(admin, contacts, other_workspace, pid)


# ---------------------------------------------------------------------------
# Over HTTP: the client goes away while the handler's query runs


def _slow_api(pids: list[int]) -> Litestar:
    """A test-only API route that reads the caller's contacts slowly, with the
    real bearer authentication and error handlers."""

    @get("/api/v1/slow-contacts", opt=requires("contacts", "view"))
    async def slow_contacts(caller: NamedDependency[ApiCaller]) -> list[str]:
        return await _slow_read_of(str(caller.tenant.id), 2.0, pids)

    return Litestar(
        route_handlers=[slow_contacts],
        dependencies={"caller": Provide(provide_api_caller)},
        exception_handlers=EXCEPTION_HANDLERS,
    )


async def _request_with_timeout(http: httpx.AsyncClient, ws: Workspace) -> None:
    await asyncio.wait_for(http.get("/api/v1/slow-contacts", headers=ws.headers), timeout=0.6)


async def _request_cancelled_when_running(
    http: httpx.AsyncClient, ws: Workspace, admin: asyncpg.Connection, pids: list[int]
) -> None:
    task = asyncio.create_task(http.get("/api/v1/slow-contacts", headers=ws.headers))
    await _wait_until_running(admin, await _pid_of_first_query(pids))
    task.cancel()
    await task


Abandon = Callable[[httpx.AsyncClient, Workspace, asyncpg.Connection, list[int]], Awaitable[None]]


@pytest.mark.parametrize("attempt", ATTEMPTS)
@pytest.mark.parametrize("how", ["timeout", "disconnect"])
async def test_abandoned_http_request_leaves_the_pool_healthy(
    attempt: int,
    how: str,
    one_connection_pool: Engine[Any],
    admin: asyncpg.Connection,
    contacts: dict[str, list[str]],
    client: httpx.AsyncClient,
    workspace: Workspace,
    other_workspace: Workspace,
) -> None:
    pids: list[int] = []
    transport = httpx.ASGITransport(app=_slow_api(pids))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as http:
        if how == "timeout":
            with pytest.raises(TimeoutError):
                await _request_with_timeout(http, workspace)
        else:
            with pytest.raises(asyncio.CancelledError):
                await _request_cancelled_when_running(http, workspace, admin, pids)
    assert pids, "the slow handler never ran its query"

    # The real API, on the same one-connection pool, answers B with B's contacts.
    for _ in range(2):
        response = await asyncio.wait_for(
            client.get("/api/v1/contacts", headers=other_workspace.headers), timeout=10
        )
        assert response.status_code == 200, response.text
        assert sorted(c["id"] for c in response.json()["items"]) == sorted(
            contacts[other_workspace.tenant_id]
        )
    pid, _ = await _read_as(other_workspace.tenant_id)
    assert pid != pids[0], "the abandoned request's connection went back into the pool"
    await _wait_until_gone(admin, pids[0])


async def test_cancelled_control_plane_query_discards_its_connection(
    one_connection_pool: Engine[Any], admin: asyncpg.Connection
) -> None:
    """Queries outside a tenant scope (the tenant directory, throttling) follow
    the same rule: cancelled mid-query, their connection is terminated."""
    from comptoir.platform.directory.tables import Tenant

    slow = asyncio.create_task(Tenant.raw("SELECT pg_sleep(5)").run())
    deadline = time.monotonic() + 10
    cancelled_pid = None
    while cancelled_pid is None:
        assert time.monotonic() < deadline, "the slow query never reached the database"
        cancelled_pid = await admin.fetchval(
            "SELECT pid FROM pg_stat_activity"
            " WHERE query = 'SELECT pg_sleep(5)' AND state = 'active'"
        )
        await asyncio.sleep(0.01)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    async with asyncio.timeout(10):
        [row] = await Tenant.raw("SELECT pg_backend_pid() AS pid").run()
    assert row["pid"] != cancelled_pid, "the cancelled connection went back into the pool"
    await _wait_until_gone(admin, cancelled_pid)
