"""The tenant scope: the one access path to tenant tables.

Behaviour on both engines (nesting, rollback, lookups across tenants), the
PostgreSQL safety net under it (row-level security catches a query made
outside any scope), and a static check that no code under platform/ or
tenants/ queries a tenant table except through the scope."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from comptoir.platform.auth.tables import User
from comptoir.platform.db.registry import tenant_tables
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import NotFound
from comptoir.platform.ids import new_id
from comptoir.tenants.contacts.tables import Contact
from tests.support.fixtures import Workspace

if TYPE_CHECKING:
    from tests.support.databases import TestDatabase

REPO = Path(__file__).resolve().parents[2]
SCOPE_MODULE = REPO / "platform" / "db" / "scope.py"
QUERY_METHODS = frozenset(
    {"objects", "select", "update", "delete", "count", "exists", "insert", "raw"}
)


async def _contact(client: httpx.AsyncClient, ws: Workspace, last_name: str) -> str:
    response = await client.post(
        "/api/v1/contacts", headers=ws.headers, json={"last_name": last_name}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_nested_scope_of_another_tenant_is_refused(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    a, b = uuid.UUID(workspace.tenant_id), uuid.UUID(other_workspace.tenant_id)
    async with tenant_scope(a) as outer:
        async with tenant_scope(a) as same:
            assert same is outer  # the same tenant joins the open transaction
        with pytest.raises(RuntimeError, match="another tenant"):
            async with tenant_scope(b):
                pytest.fail("a scope of B opened inside A's")
        # A's scope still works after the refusal.
        assert await outer.count(User) == 1


async def test_scope_rolls_back_on_error(workspace: Workspace) -> None:
    tenant = uuid.UUID(workspace.tenant_id)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with tenant_scope(tenant) as scope:
            await scope.insert(Contact(last_name="Fantôme"))
            await scope.insert_many([Contact(last_name="Un"), Contact(last_name="Deux")])
            assert await scope.count(Contact) == 3
            raise Boom()
    async with tenant_scope(tenant) as scope:
        assert await scope.count(Contact) == 0


async def test_scope_finds_nothing_of_another_tenant(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    a_contact = await _contact(client, workspace, "Alpha")
    b = uuid.UUID(other_workspace.tenant_id)
    async with tenant_scope(b) as scope:
        for record_id in (a_contact, uuid.UUID(a_contact), workspace.admin_user_id):
            table = User if record_id == workspace.admin_user_id else Contact
            with pytest.raises(NotFound):
                await scope.get(table, record_id)
            assert await scope.find(table, record_id) is None
        for nonsense in ("not-an-id", "", str(new_id())):
            assert await scope.find(Contact, nonsense) is None
        assert await scope.count(Contact) == 0
        assert await scope.select(Contact) == []
        assert await scope.objects(Contact).where(Contact.id == uuid.UUID(a_contact)) == []
        # Updates and deletes aimed at A's row touch nothing.
        await scope.update(Contact, {Contact.last_name: "Volé"}).where(
            Contact.id == uuid.UUID(a_contact)
        )
        await scope.delete(Contact).where(Contact.id == uuid.UUID(a_contact))
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        record = await scope.get(Contact, a_contact)
        assert record.last_name == "Alpha"
    # Saving A's record from B's scope is refused too.
    async with tenant_scope(b) as scope:
        with pytest.raises(NotFound):
            await scope.save(record)


async def test_insert_stamps_the_scopes_tenant(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    """A row that claims another tenant is written into the scope's own."""
    a, b = uuid.UUID(workspace.tenant_id), uuid.UUID(other_workspace.tenant_id)
    async with tenant_scope(b) as scope:
        contact = await scope.insert(Contact(last_name="Intrus", tenant_id=a))
    assert contact.tenant_id == b
    async with tenant_scope(a) as scope:
        assert await scope.count(Contact) == 0


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
async def test_queries_outside_a_scope_see_nothing_on_postgres(
    db: TestDatabase, client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    """The safety net: code that forgot the scope gets no rows, and code that
    forgot its WHERE tenant_id inside a scope gets only that tenant's rows."""
    if db.name != "postgres":
        pytest.skip("row-level security exists on PostgreSQL only")
    a_contact = await _contact(client, workspace, "Alpha")
    b_contact = await _contact(client, other_workspace, "Beta")
    assert await Contact.select() == []
    assert await Contact.count() == 0
    assert await User.objects() == []
    assert await Contact.exists().where(Contact.id == uuid.UUID(a_contact)) is False
    with pytest.raises(Exception, match="row-level security"):
        await Contact.insert(Contact(last_name="Sans tenant", tenant_id=workspace.tenant_id))
    async with tenant_scope(uuid.UUID(other_workspace.tenant_id)):
        # Deliberately unscoped queries, inside B's transaction.
        rows = await Contact.select(Contact.id)
        assert [str(r["id"]) for r in rows] == [b_contact]
        await Contact.update({Contact.last_name: "Volé"}, force=True)
        await Contact.delete(force=True)
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        assert (await scope.get(Contact, a_contact)).last_name == "Alpha"


# ---------------------------------------------------------------------------
# Static check: tenant tables are queried through the scope only


def tenant_table_names() -> frozenset[str]:
    return frozenset(table.__name__ for table in tenant_tables())


def unscoped_queries(source: str, filename: str, tables: frozenset[str]) -> list[str]:
    """``<TenantTable>.<query method>(`` calls in one module, where the table is
    named directly, through an alias, or as an attribute of a module."""
    tree = ast.parse(source, filename)
    aliases = set(tables)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for name in node.names:
                if name.name in tables and name.asname:
                    aliases.add(name.asname)
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Name)
            and node.value.id in tables
        ):
            aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))

    def names_a_table(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name) and node.id in aliases:
            return node.id
        if isinstance(node, ast.Attribute) and node.attr in tables:
            return node.attr
        return None

    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
        ):
            table = names_a_table(node.func.value)
            if table:
                found.append((node.lineno, f"{filename}:{node.lineno}: {table}.{node.func.attr}("))
    return [text for _, text in sorted(found)]


def test_the_static_check_catches_unscoped_queries() -> None:
    tables = frozenset({"Contact", "User"})
    source = (
        "from x import Contact, User as U\n"
        "from x import tables\n"
        "Alias = Contact\n"
        "async def f(scope):\n"
        "    await Contact.select()\n"
        "    await U.objects().where(U.id == 1)\n"
        "    await tables.Contact.delete(force=True)\n"
        "    await Alias.count()\n"
        "    await Contact.raw('SELECT 1')\n"
        "    await scope.select(Contact)\n"  # allowed: through the scope
        "    await Tenant.select()\n"  # allowed: control table
    )
    found = unscoped_queries(source, "m.py", tables)
    assert [line.split(": ", 1)[1] for line in found] == [
        "Contact.select(",
        "U.objects(",
        "Contact.delete(",
        "Alias.count(",
        "Contact.raw(",
    ]


def test_no_module_queries_a_tenant_table_outside_the_scope() -> None:
    tables = tenant_table_names()
    assert {"Contact", "User", "ApiToken"} <= tables
    modules = sorted((REPO / "platform").rglob("*.py")) + sorted((REPO / "tenants").rglob("*.py"))
    assert len(modules) > 20
    violations = []
    for path in modules:
        if path == SCOPE_MODULE:
            continue
        violations += unscoped_queries(path.read_text(), str(path.relative_to(REPO)), tables)
    assert not violations, (
        "Tenant tables are queried through tenant_scope() only (scope.objects(T), "
        "scope.select(T), ...):\n" + "\n".join(violations)
    )
