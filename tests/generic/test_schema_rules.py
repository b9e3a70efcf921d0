"""Rules of the schema, read from each engine's catalog after the real migrations.

- No uniqueness is global on a tenant table except its primary key: every
  unique index or constraint includes ``tenant_id``. PostgreSQL checks
  uniqueness without row-level security, so a global one would tell tenant B
  that tenant A already has some value.
- ``tenant_id`` is NOT NULL and leads an index on every tenant table.
- Every id the application writes, and every id the API shows, is a UUIDv7."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
from litestar import Litestar
from piccolo.columns import UUID

from comptoir.platform.db.engine import sqlite_path
from comptoir.platform.db.registry import all_tables, tenant_tables
from tests.support.api_resources import RESOURCES, list_routes
from tests.support.fixtures import Workspace

if TYPE_CHECKING:
    from tests.support.databases import TestDatabase


@dataclass(frozen=True)
class Index:
    table: str
    name: str
    columns: tuple[str, ...]
    unique: bool
    primary: bool


async def postgres_indexes(db: TestDatabase) -> list[Index]:
    connection = await asyncpg.connect(**db.engine.config)  # type: ignore[attr-defined]
    try:
        rows = await connection.fetch(
            """
            SELECT t.relname AS table_name, i.relname AS index_name,
                   ix.indisunique, ix.indisprimary,
                   ARRAY(
                       SELECT coalesce(a.attname, '<expression>')
                       FROM unnest(ix.indkey[0:ix.indnkeyatts - 1]) WITH ORDINALITY AS k(n, o)
                       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n
                       ORDER BY k.o
                   ) AS columns
            FROM pg_index ix
            JOIN pg_class i ON i.oid = ix.indexrelid
            JOIN pg_class t ON t.oid = ix.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public'
            """
        )
        constraints = await connection.fetch(
            """
            SELECT t.relname AS table_name, c.conname, c.contype::text AS contype,
                   ARRAY(SELECT a.attname FROM pg_attribute a
                         WHERE a.attrelid = t.oid AND a.attnum = ANY(c.conkey)) AS columns
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public' AND c.contype IN ('u', 'x', 'p')
            """
        )
    finally:
        await connection.close()
    indexes = [
        Index(
            r["table_name"],
            r["index_name"],
            tuple(r["columns"]),
            r["indisunique"],
            r["indisprimary"],
        )
        for r in rows
    ]
    # Constraints are backed by indexes; list them too so that a unique or
    # exclusion constraint is checked by name whatever its index looks like.
    indexes += [
        Index(r["table_name"], r["conname"], tuple(r["columns"]), True, r["contype"] == "p")
        for r in constraints
    ]
    return indexes


def sqlite_indexes(db: TestDatabase) -> list[Index]:
    path = db.engine.path  # type: ignore[attr-defined]
    connection = sqlite3.connect(path)
    try:
        indexes = []
        tables = [t._meta.tablename for t in all_tables()]
        for table in tables:
            for _, name, unique, origin, _partial in connection.execute(
                f"PRAGMA index_list({table})"
            ):
                columns = tuple(
                    column or "<expression>"
                    for _, _, column in connection.execute(f"PRAGMA index_info('{name}')")
                )
                indexes.append(Index(table, name, columns, bool(unique), origin == "pk"))
        return indexes
    finally:
        connection.close()


async def catalog_indexes(db: TestDatabase) -> list[Index]:
    return await postgres_indexes(db) if db.name == "postgres" else sqlite_indexes(db)


def tenant_table_names() -> set[str]:
    return {t._meta.tablename for t in tenant_tables()}


async def test_no_global_uniqueness_on_tenant_tables(db: TestDatabase) -> None:
    indexes = await catalog_indexes(db)
    assert any(i.table == "users" and i.unique for i in indexes), "catalog read found nothing"
    global_ones = [
        f"{i.table}.{i.name} on ({', '.join(i.columns)})"
        for i in indexes
        if i.table in tenant_table_names()
        and i.unique
        and not i.primary
        and "tenant_id" not in i.columns
    ]
    assert not global_ones, (
        "unique indexes or constraints on tenant tables must include tenant_id "
        f"(use tenant_unique_index): {global_ones}"
    )
    primaries = {i.table: i.columns for i in indexes if i.primary}
    for table in tenant_table_names():
        assert primaries.get(table) == ("id",), f"{table}'s primary key is {primaries.get(table)}"


async def test_tenant_id_is_required_and_indexed(db: TestDatabase) -> None:
    indexes = await catalog_indexes(db)
    for table in sorted(tenant_table_names()):
        assert any(i.table == table and i.columns[:1] == ("tenant_id",) for i in indexes), (
            f"no index of {table} starts with tenant_id"
        )
    if db.name == "postgres":
        connection = await asyncpg.connect(**db.engine.config)  # type: ignore[attr-defined]
        try:
            rows = await connection.fetch(
                "SELECT table_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
            )
        finally:
            await connection.close()
        nullable = {r["table_name"]: r["is_nullable"] == "YES" for r in rows}
    else:
        connection_ = sqlite3.connect(db.engine.path)  # type: ignore[attr-defined]
        try:
            nullable = {}
            for table in tenant_table_names():
                for _, name, _, notnull, _, _ in connection_.execute(f"PRAGMA table_info({table})"):
                    if name == "tenant_id":
                        nullable[table] = not notnull
        finally:
            connection_.close()
    assert set(nullable) == tenant_table_names()
    assert not [t for t, n in nullable.items() if n], f"tenant_id may be NULL in {nullable}"


# ---------------------------------------------------------------------------
# Ids


def _id_columns(table: Any) -> list[str]:
    """The id and every UUID column that refers to one of our records."""
    return [
        c._meta.db_column_name
        for c in table._meta.columns
        if isinstance(c, UUID) and (c._meta.name == "id" or c._meta.name.endswith("_id"))
    ]


async def stored_ids(db: TestDatabase) -> dict[str, list[Any]]:
    """Every stored id, read around the application (as the owner on PostgreSQL)."""
    found: dict[str, list[Any]] = {}
    if db.name == "postgres":
        assert db.owner_url
        connection = await asyncpg.connect(db.owner_url)
        try:
            for table in all_tables():
                for column in _id_columns(table):
                    name = f"{table._meta.tablename}.{column}"
                    rows = await connection.fetch(
                        f"SELECT {column} FROM {table._meta.tablename} WHERE {column} IS NOT NULL"
                    )
                    found[name] = [r[0] for r in rows]
        finally:
            await connection.close()
    else:
        lite = sqlite3.connect(sqlite_path(f"sqlite:///{db.engine.path}"))  # type: ignore[attr-defined]
        try:
            for table in all_tables():
                for column in _id_columns(table):
                    name = f"{table._meta.tablename}.{column}"
                    rows = lite.execute(
                        f"SELECT {column} FROM {table._meta.tablename} WHERE {column} IS NOT NULL"
                    ).fetchall()
                    found[name] = [r[0] for r in rows]
        finally:
            lite.close()
    return found


def _version(value: Any) -> int | None:
    if isinstance(value, uuid.UUID):
        return value.version
    if isinstance(value, bytes) and len(value) == 16:
        return uuid.UUID(bytes=value).version
    try:
        return uuid.UUID(str(value)).version
    except ValueError:
        return None


def _json_ids(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (path, value) in a JSON document whose key is id or ends in _id."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if (key == "id" or key.endswith("_id")) and isinstance(item, str):
                found.append((f"{path}.{key}", item))
            else:
                found += _json_ids(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _json_ids(item, f"{path}[{index}]")
    return found


async def test_every_id_is_a_uuidv7(
    db: TestDatabase,
    app: Litestar,
    client: httpx.AsyncClient,
    workspace: Workspace,
    other_workspace: Workspace,
) -> None:
    for ws in (workspace, other_workspace):
        for resource in RESOURCES.values():
            await resource.create(client, ws, 0)
    ids = await stored_ids(db)
    assert ids["tenants.id"] and ids["contacts.id"] and ids["contacts.tenant_id"]
    wrong = {
        name: [str(v) for v in values if _version(v) != 7]
        for name, values in ids.items()
        if any(_version(v) != 7 for v in values)
    }
    assert not wrong, f"ids that are not UUIDv7: {wrong}"

    shown = 0
    for path in list_routes(app):
        response = await client.get(path, headers=workspace.headers)
        if response.status_code != 200:
            continue
        for where, value in _json_ids(response.json()):
            shown += 1
            assert _version(value) == 7, f"GET {path} {where} = {value!r} is not a UUIDv7"
    assert shown > 0
