"""The two test databases: a SQLite file, and a fresh PostgreSQL database
used through the non-owner application role."""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from piccolo.engine.base import Engine

from comptoir.platform.db.engine import build_engine, get_engine, set_engine, start_pool
from comptoir.platform.db.migrate import app_role_name, migrate
from comptoir.platform.db.registry import all_tables

ADMIN_URL = os.environ.get(
    "COMPTOIR_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _with_database(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


@dataclass
class TestDatabase:
    name: str  # "sqlite" or "postgres"
    engine: Engine[Any]
    owner_url: str | None = None
    admin_url: str | None = None
    database: str | None = None

    async def truncate(self) -> None:
        """Empty every table between tests (as the owner on PostgreSQL, where
        the application role may neither truncate nor see across tenants)."""
        tables = [t._meta.tablename for t in all_tables()]
        if self.name == "postgres":
            assert self.owner_url
            connection = await asyncpg.connect(self.owner_url)
            try:
                await connection.execute(f"TRUNCATE {', '.join(tables)}")
            finally:
                await connection.close()
        else:
            for table in tables:
                await self.engine.run_ddl(f"DELETE FROM {table}")


async def sqlite_database() -> TestDatabase:
    engine = build_engine(os.environ["DATABASE_URL"])
    set_engine(engine)
    await migrate(os.environ["DATABASE_URL"])
    return TestDatabase(name="sqlite", engine=engine)


async def postgres_available() -> str | None:
    """None if the PostgreSQL test server answers, else why not."""
    try:
        connection = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        return f"PostgreSQL is not reachable at {ADMIN_URL} ({error})"
    await connection.close()
    return None


async def postgres_database() -> TestDatabase:
    database = f"comptoir_test_{uuid.uuid4().hex[:12]}"
    role = app_role_name()
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        if not exists:
            # Another test process (pytest -n) may make it first.
            with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                await admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    owner_url = _with_database(ADMIN_URL, database)
    app_url = _with_database(ADMIN_URL, database, user=role)
    engine = build_engine(app_url)
    previous = get_engine()
    set_engine(engine)
    try:
        await migrate(owner_url)
    finally:
        set_engine(previous)
    await start_pool(engine, max_size=8)
    return TestDatabase(
        name="postgres", engine=engine, owner_url=owner_url, admin_url=ADMIN_URL, database=database
    )


async def drop_postgres_database(db: TestDatabase) -> None:
    assert db.admin_url and db.database
    from comptoir.platform.db.engine import close_pool

    await close_pool(db.engine)
    admin = await asyncpg.connect(db.admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{db.database}" WITH (FORCE)')
    finally:
        await admin.close()
