"""``comptoir db migrate``: run every app's migrations as the owner, then make
sure each tenant table has its row-level security policy (PostgreSQL)."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine

from comptoir.platform.db.engine import (
    build_engine,
    close_pool,
    get_engine,
    is_postgres,
    set_engine,
)
from comptoir.platform.db.registry import tenant_tables
from comptoir.platform.settings import get_settings

APP_ROLE_ENV = "COMPTOIR_APP_ROLE"
DEFAULT_APP_ROLE = "comptoir_app"
POLICY = "tenant_isolation"


class MigrationFailed(RuntimeError):
    pass


def app_role_name() -> str:
    return os.environ.get(APP_ROLE_ENV, DEFAULT_APP_ROLE)


def _use_engine(engine: Engine[Any]) -> None:
    conf = importlib.import_module(os.environ["PICCOLO_CONF"])
    conf.DB = engine  # type: ignore[attr-defined]
    set_engine(engine)
    Migration._meta._db = engine


async def migrate(owner_url: str | None = None, quiet: bool = True) -> None:
    """Bring the schema up to date. Runs as the owner role, then points the
    tables back at the application engine."""
    settings = get_settings()
    owner_engine = build_engine(owner_url or settings.owner_database_url)
    app_engine = get_engine()
    _use_engine(owner_engine)
    try:
        output = io.StringIO()
        with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
            result = await run_forwards(app_name="all")
        if not result.success:
            raise MigrationFailed(result.message or output.getvalue())
        if is_postgres(owner_engine):
            await apply_row_level_security(owner_engine, app_role_name())
    finally:
        await close_pool(owner_engine)
        _use_engine(app_engine)


def rls_statements(table: str, role: str) -> list[str]:
    """The policy of one tenant table: rows are visible and writable only when
    their tenant_id is the one set for the transaction."""
    tenant = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"CREATE POLICY {POLICY} ON {table} USING (tenant_id = {tenant}) "
        f"WITH CHECK (tenant_id = {tenant})",
    ]


async def apply_row_level_security(engine: Any, role: str) -> None:
    """Enable RLS and (re)create the policy of every tenant table, then grant the
    application role its privileges.

    Each table's statements run in one transaction: with RLS on and no policy a
    table shows no rows at all, so a live application must never see it between
    DROP POLICY and CREATE POLICY. One table at a time, so that the migration
    holds one table's lock at once and cannot deadlock with running requests."""
    connection = await engine.get_new_connection()
    try:
        for table in tenant_tables():
            async with connection.transaction():
                for statement in rls_statements(table._meta.tablename, role):
                    await connection.execute(statement)
        if await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            async with connection.transaction():
                for statement in (
                    f'GRANT USAGE ON SCHEMA public TO "{role}"',
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                    f'TO "{role}"',
                    f'REVOKE ALL ON TABLE {Migration._meta.tablename} FROM "{role}"',
                    f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
                    f'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "{role}"',
                ):
                    await connection.execute(statement)
    finally:
        await connection.close()
