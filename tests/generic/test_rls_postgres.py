"""Row-level security, seen from the application's own database role.

With data in two tenants, a connection as the non-owner application role (the
one the app runs as) sets tenant B for a transaction and must not see, change,
delete or create any row of tenant A in any table that has a ``tenant_id``.
With no tenant set it sees nothing at all. A bug in the access path of the code
would still leak nothing: these checks bypass it and speak SQL directly."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
import pytest

from comptoir.platform.auth.service import open_session
from comptoir.platform.auth.tables import User
from comptoir.platform.db.engine import build_engine
from comptoir.platform.db.migrate import POLICY, app_role_name, apply_row_level_security
from comptoir.platform.db.registry import tenant_tables
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.ids import new_id
from tests.support.fixtures import Workspace

if TYPE_CHECKING:
    from tests.support.databases import TestDatabase

SET_TENANT = "SELECT set_config('app.tenant_id', $1, true)"
# Only the PostgreSQL database of the shared ``db`` fixture (its SQLite side has
# nothing to show here); without PostgreSQL the tests skip, or fail with CI=true.
pytestmark = pytest.mark.parametrize("db", ["postgres"], indirect=True)


def _require_postgres(db: TestDatabase) -> None:
    if db.name != "postgres":
        pytest.skip("row-level security exists on PostgreSQL only")


async def app_connection(db: TestDatabase) -> asyncpg.Connection:
    """A connection as the application role, exactly as the app's engine connects."""
    config: dict[str, Any] = dict(db.engine.config)  # type: ignore[attr-defined]
    return await asyncpg.connect(**config)


@pytest.fixture
async def app_db(db: TestDatabase) -> AsyncIterator[asyncpg.Connection]:
    _require_postgres(db)
    connection = await app_connection(db)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def owner_db(db: TestDatabase) -> AsyncIterator[asyncpg.Connection]:
    _require_postgres(db)
    assert db.owner_url
    connection = await asyncpg.connect(db.owner_url)
    try:
        yield connection
    finally:
        await connection.close()


async def tables_with_tenant_id(connection: asyncpg.Connection) -> set[str]:
    rows = await connection.fetch(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
    )
    return {row["table_name"] for row in rows}


def registry_tenant_tables() -> set[str]:
    return {table._meta.tablename for table in tenant_tables()}


async def test_app_role_has_no_privilege_that_skips_rls(
    db: TestDatabase, app_db: asyncpg.Connection
) -> None:
    role = await app_db.fetchrow(
        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    assert role is not None
    assert role["rolname"] == app_role_name()
    assert role["rolsuper"] is False
    assert role["rolbypassrls"] is False
    owned = await app_db.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relowner = "
        "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
    )
    assert owned == [], f"the application role owns {[r['relname'] for r in owned]}"
    # The owner is someone else: it is the one that bypasses RLS, and the app is not it.
    owner = await app_db.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'contacts'")
    assert owner != app_role_name()


async def test_every_tenant_table_has_its_policy(
    db: TestDatabase, app_db: asyncpg.Connection
) -> None:
    found = await tables_with_tenant_id(app_db)
    assert found == registry_tenant_tables(), (
        "tables with a tenant_id column and the registry's tenant tables differ: "
        f"{sorted(found ^ registry_tenant_tables())}"
    )
    rows = await app_db.fetch(
        "SELECT c.relname, c.relrowsecurity, p.polname, p.polcmd::text AS polcmd, "
        "pg_get_expr(p.polqual, p.polrelid) AS qual, "
        "pg_get_expr(p.polwithcheck, p.polrelid) AS checked "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_policy p ON p.polrelid = c.oid "
        "WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])",
        sorted(found),
    )
    by_table = {row["relname"]: row for row in rows}
    assert set(by_table) == found
    for table, row in by_table.items():
        assert row["relrowsecurity"], f"{table} does not have row-level security enabled"
        assert row["polname"] == POLICY, f"{table} has no {POLICY} policy"
        assert row["polcmd"] == "*", f"{table}'s policy does not cover every command"
        for expression in (row["qual"], row["checked"]):
            assert expression and "app.tenant_id" in expression and "tenant_id" in expression


# ---------------------------------------------------------------------------
# Data in two tenants


async def _populate(client: httpx.AsyncClient, ws: Workspace) -> None:
    """Records of every kind the API makes, plus a browser session."""
    h = ws.headers
    for body in ({"last_name": "Martin", "email": f"martin@{ws.slug}.fr"}, {"last_name": "Roux"}):
        assert (await client.post("/api/v1/contacts", headers=h, json=body)).status_code == 201
    user = {"email": f"julie@{ws.slug}-equipe.fr", "role": "key_user"}
    assert (await client.post("/api/v1/users", headers=h, json=user)).status_code == 201
    invitation = {"email": f"paul@{ws.slug}-equipe.fr"}
    assert (await client.post("/api/v1/invitations", headers=h, json=invitation)).status_code == 201
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        admin = await scope.get(User, ws.admin_user_id)
    await open_session(tenant, admin, ip_address="198.51.100.9", user_agent="Firefox")


def _synthetic_value(column: asyncpg.Record) -> Any:
    kind = column["data_type"]
    if kind == "uuid":
        return new_id()
    if kind in ("character varying", "text", "character"):
        size = column["character_maximum_length"] or 32
        return uuid.uuid4().hex[: min(size, 32)]
    if kind in ("integer", "bigint", "smallint"):
        return 0
    if kind in ("numeric", "real", "double precision"):
        return decimal.Decimal(0) if kind == "numeric" else 0.0
    if kind == "boolean":
        return False
    if kind.startswith("timestamp"):
        return dt.datetime.now(dt.UTC)
    if kind == "date":
        return dt.date.today()
    if kind in ("json", "jsonb"):
        return "{}"
    raise AssertionError(f"no synthetic value for a {kind} column ({column['column_name']})")


async def _synthesize_row(owner: asyncpg.Connection, table: str, tenant_id: str) -> None:
    """A row for a tenant table the API gave no data (made as the owner)."""
    columns = await owner.fetch(
        "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 AND is_nullable = 'NO' "
        "AND column_default IS NULL",
        table,
    )
    values: dict[str, Any] = {c["column_name"]: _synthetic_value(c) for c in columns}
    values["id"] = new_id()
    values["tenant_id"] = uuid.UUID(tenant_id)
    names = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    await owner.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})", *values.values()
    )


@pytest.fixture
async def two_tenants(
    client: httpx.AsyncClient,
    workspace: Workspace,
    other_workspace: Workspace,
    owner_db: asyncpg.Connection,
) -> tuple[Workspace, Workspace]:
    """A and B, each with at least one row in every tenant table."""
    for ws in (workspace, other_workspace):
        await _populate(client, ws)
        for table in sorted(registry_tenant_tables()):
            has_row = await owner_db.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM {table} WHERE tenant_id = $1)",
                uuid.UUID(ws.tenant_id),
            )
            if not has_row:
                await _synthesize_row(owner_db, table, ws.tenant_id)
    return workspace, other_workspace


async def _ids(connection: asyncpg.Connection, table: str, tenant_id: str) -> set[uuid.UUID]:
    rows = await connection.fetch(
        f"SELECT id FROM {table} WHERE tenant_id = $1", uuid.UUID(tenant_id)
    )
    return {row["id"] for row in rows}


def _affected(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def test_tenant_b_cannot_touch_tenant_a_in_any_table(
    two_tenants: tuple[Workspace, Workspace],
    app_db: asyncpg.Connection,
    owner_db: asyncpg.Connection,
) -> None:
    a, b = two_tenants
    a_tenant = uuid.UUID(a.tenant_id)
    tables = sorted(await tables_with_tenant_id(app_db))
    assert tables == sorted(registry_tenant_tables())
    before = {table: await _ids(owner_db, table, a.tenant_id) for table in tables}

    for table in tables:
        a_ids = sorted(before[table])
        b_ids = await _ids(owner_db, table, b.tenant_id)
        assert a_ids and b_ids, f"{table} needs rows in both tenants for this test"
        found = await owner_db.fetchrow(f"SELECT * FROM {table} WHERE id = $1", a_ids[0])
        assert found is not None
        a_row = dict(found)
        transaction = app_db.transaction()
        await transaction.start()
        try:
            await app_db.execute(SET_TENANT, b.tenant_id)

            visible = {r["id"] for r in await app_db.fetch(f"SELECT id FROM {table}")}
            assert visible == b_ids, f"{table}: B sees {len(visible)} rows, B has {len(b_ids)}"
            assert not visible & set(a_ids), f"{table}: B sees rows of A"
            assert (
                await app_db.fetchval(
                    f"SELECT count(*) FROM {table} WHERE tenant_id = $1", a_tenant
                )
                == 0
            )

            updated = await app_db.execute(
                f"UPDATE {table} SET tenant_id = tenant_id WHERE id = ANY($1::uuid[])", a_ids
            )
            assert _affected(updated) == 0, f"{table}: B updated A's rows ({updated})"
            deleted = await app_db.execute(f"DELETE FROM {table} WHERE id = ANY($1::uuid[])", a_ids)
            assert _affected(deleted) == 0, f"{table}: B deleted A's rows ({deleted})"

            # Writing a row into A is refused by the policy's WITH CHECK...
            copy = {**a_row, "id": new_id(), "tenant_id": a_tenant}
            names = list(copy)
            placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
                async with app_db.transaction():
                    await app_db.execute(
                        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})",
                        *copy.values(),
                    )
            # ...and so is moving one of B's own rows over to A.
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
                async with app_db.transaction():
                    await app_db.execute(
                        f"UPDATE {table} SET tenant_id = $1 WHERE id = $2",
                        a_tenant,
                        next(iter(b_ids)),
                    )
        finally:
            await transaction.rollback()

    after = {table: await _ids(owner_db, table, a.tenant_id) for table in tables}
    assert after == before


async def test_without_a_tenant_nothing_is_visible(
    two_tenants: tuple[Workspace, Workspace], app_db: asyncpg.Connection
) -> None:
    a, b = two_tenants
    tables = sorted(registry_tenant_tables())
    # A transaction that set B, then committed: the setting ends with it and
    # does not stay on the (pooled) connection.
    async with app_db.transaction():
        await app_db.execute(SET_TENANT, b.tenant_id)
        assert await app_db.fetchval("SELECT count(*) FROM contacts") > 0
    assert await app_db.fetchval("SELECT current_setting('app.tenant_id', true)") in (None, "")

    for setting in (None, ""):
        async with app_db.transaction():
            if setting is not None:
                await app_db.execute(SET_TENANT, setting)
            for table in tables:
                count = await app_db.fetchval(f"SELECT count(*) FROM {table}")
                assert count == 0, f"{table}: {count} rows visible with no tenant set"
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
                async with app_db.transaction():
                    await app_db.execute(
                        "INSERT INTO contacts (id, tenant_id, last_name) VALUES ($1, $2, 'X')",
                        new_id(),
                        uuid.UUID(a.tenant_id),
                    )


async def test_app_role_cannot_switch_rls_off(db: TestDatabase, app_db: asyncpg.Connection) -> None:
    """The usual ways around a policy are closed to the application role."""
    for statement in (
        "ALTER TABLE contacts DISABLE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON contacts",
        "SET row_security = off; SELECT count(*) FROM contacts",
        "TRUNCATE contacts",  # TRUNCATE ignores policies: the role must not have it
    ):
        with pytest.raises(asyncpg.PostgresError):
            async with app_db.transaction():
                await app_db.execute(statement)


async def test_reapplying_the_policies_never_empties_a_table(
    db: TestDatabase, two_tenants: tuple[Workspace, Workspace], app_db: asyncpg.Connection
) -> None:
    """Every ``comptoir db migrate`` re-creates the policies while the app runs:
    a reader must never catch a table between DROP POLICY and CREATE POLICY
    (which, RLS being on, shows it no rows at all)."""
    assert db.owner_url
    _, b = two_tenants
    expected = await _count_as(app_db, b.tenant_id)
    assert expected > 0
    owner_engine = build_engine(db.owner_url)
    counts: list[int] = []

    async def reapply() -> None:
        for _ in range(3):
            await apply_row_level_security(owner_engine, app_role_name())

    migrating = asyncio.create_task(reapply())
    while not migrating.done():
        counts.append(await _count_as(app_db, b.tenant_id))
    await migrating
    assert len(counts) >= 5, f"only {len(counts)} reads overlapped the migration"
    assert set(counts) == {expected}, f"B's contacts seen during the migration: {set(counts)}"


async def _count_as(connection: asyncpg.Connection, tenant_id: str) -> int:
    async with connection.transaction():
        await connection.execute(SET_TENANT, tenant_id)
        return int(await connection.fetchval("SELECT count(*) FROM contacts"))


async def test_search_functions_see_only_the_transactions_tenant(
    client: httpx.AsyncClient,
    workspace: Workspace,
    other_workspace: Workspace,
    app_db: asyncpg.Connection,
) -> None:
    """The search functions run as the owner (RLS does not apply inside): each
    must return only the ids of the tenant set for the transaction, and
    nothing when none is set. Every list that declares one is checked."""
    from comptoir.tenants.accounts.service import ACCOUNT_LIST
    from comptoir.tenants.contacts.service import CONTACT_LIST

    made: dict[str, dict[str, str]] = {}
    for ws in (workspace, other_workspace):
        contact = await client.post(
            "/api/v1/contacts", headers=ws.headers, json={"last_name": "Quérel-Zabłocki"}
        )
        account = await client.post(
            "/api/v1/accounts", headers=ws.headers, json={"name": "Zabłocki Frères"}
        )
        made[ws.tenant_id] = {"contacts": contact.json()["id"], "accounts": account.json()["id"]}
    for spec in (CONTACT_LIST, ACCOUNT_LIST):
        function = spec.search_function
        assert function, f"{spec.table._meta.tablename} has no search function"
        table = spec.table._meta.tablename
        for ws in (workspace, other_workspace):
            async with app_db.transaction():
                await app_db.execute("SELECT set_config('app.tenant_id', $1, true)", ws.tenant_id)
                rows = await app_db.fetch(f"SELECT {function}($1) AS id", "%zablocki%")
            assert [str(r["id"]) for r in rows] == [made[ws.tenant_id][table]], (table, ws.slug)
        async with app_db.transaction():
            rows = await app_db.fetch(f"SELECT {function}($1) AS id", "%zablocki%")
        assert rows == [], f"{function} answers without a tenant"
        paged = spec.search_page_function
        assert paged, f"{table} has no paged search function"
        for ws in (workspace, other_workspace):
            async with app_db.transaction():
                await app_db.execute("SELECT set_config('app.tenant_id', $1, true)", ws.tenant_id)
                rows = await app_db.fetch(f"SELECT {paged}($1, NULL, true, 10) AS id", "%zablocki%")
            assert [str(r["id"]) for r in rows] == [made[ws.tenant_id][table]], (paged, ws.slug)
        async with app_db.transaction():
            rows = await app_db.fetch(f"SELECT {paged}($1, NULL, true, 10) AS id", "%zablocki%")
        assert rows == [], f"{paged} answers without a tenant"
