"""Database engines for both back ends, with transactions that never return a
connection to the pool while a reply may still be pending on it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from comptoir.platform.settings import get_settings


def _interrupted(exception: BaseException | None) -> bool:
    """Whether a transaction ended while a query may still be in flight: it was
    cancelled (client gone, task cancelled), timed out, or its connection broke.
    An ordinary error (a constraint, a NotFound) left the protocol idle."""
    if exception is None:
        return False
    if not isinstance(exception, Exception):  # CancelledError, KeyboardInterrupt
        return True
    return isinstance(exception, TimeoutError | asyncpg.InterfaceError | OSError)


class SafePostgresTransaction(PostgresTransaction):
    """A transaction that discards its connection when it ends abnormally.

    A request cancelled mid-query (client gone, timeout) leaves the server's
    reply unread on the connection. Such a connection is terminated instead of
    going back to the pool, so the next request can never read someone else's
    rows. The same applies when BEGIN, rollback or commit itself fails or is
    cancelled."""

    async def __aenter__(self) -> SafePostgresTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            # Cancelled or failed between taking the connection and starting
            # the transaction: __aexit__ will not run, so give it back here.
            await self._give_back(discard=True)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return exception is None
        discard = _interrupted(exception)
        try:
            if not discard:
                if exception is not None:
                    if not self._rolled_back:
                        await self.rollback()
                elif not self._committed and not self._rolled_back:
                    await self.commit()
        except BaseException:
            discard = True
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back(discard)
        return exception is None

    async def _give_back(self, discard: bool) -> None:
        connection = self.connection
        if discard:
            connection.terminate()
        if self.engine.pool:
            # asyncpg replaces a terminated connection with a fresh one.
            await asyncio.shield(self.engine.pool.release(connection))
        elif not discard:
            await connection.close()


class ComptoirPostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> SafePostgresTransaction:
        return SafePostgresTransaction(engine=self, allow_nested=allow_nested)

    async def _run_in_pool(self, query: str, args: Sequence[Any] | None = None) -> Any:
        """A query outside any transaction (the control plane): the same rule
        as transactions, an interrupted connection is terminated, not reused."""
        if not self.pool:
            raise ValueError("A pool isn't currently running.")
        connection = await self.pool.acquire()
        try:
            return await connection.fetch(query, *(args or []))
        except BaseException as error:
            if _interrupted(error):
                connection.terminate()
            raise
        finally:
            await asyncio.shield(self.pool.release(connection))


class ComptoirSQLiteEngine(SQLiteEngine):
    """SQLite with a busy timeout and IMMEDIATE transactions, so concurrent
    writers wait for the lock instead of failing on an upgrade."""

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return SQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


def _postgres_config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    config: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": (parts.path or "/postgres").lstrip("/") or "postgres",
        "user": unquote(parts.username) if parts.username else "postgres",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def sqlite_path(url: str) -> str:
    if not url.startswith("sqlite:///"):
        raise ValueError(f"Unsupported DATABASE_URL: {url!r}")
    return url.removeprefix("sqlite:///") or "comptoir.sqlite3"


def build_engine(url: str) -> Engine[Any]:
    if url.startswith(("postgres://", "postgresql://")):
        return ComptoirPostgresEngine(config=_postgres_config(url))
    path = sqlite_path(url)
    _prepare_sqlite_file(path)
    return ComptoirSQLiteEngine(path=path, timeout=30)


def _prepare_sqlite_file(path: str) -> None:
    """WAL lets readers work while one writer commits; it is stored in the file."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def is_postgres(engine: Engine[Any]) -> bool:
    return isinstance(engine, PostgresEngine)


_engine: Engine[Any] | None = None


def get_engine() -> Engine[Any]:
    """The application engine (the non-owner role on PostgreSQL)."""
    global _engine
    if _engine is None:
        _engine = build_engine(get_settings().database_url)
    return _engine


def set_engine(engine: Engine[Any]) -> None:
    """Point every table at ``engine`` (tests and the CLI switch engines this way)."""
    global _engine
    _engine = engine
    from comptoir.platform.db.registry import all_tables

    for table in all_tables():
        table._meta._db = engine


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The pool's reset when a connection comes back: nothing to send.

    asyncpg's default reset costs a round trip per release (RESET ALL, CLOSE
    ALL, UNLISTEN *, advisory unlocks). Comptoir sets no session state: the
    tenant and statement timeouts are transaction-local (``set_config(...,
    true)``, ``SET LOCAL``), it never listens, holds advisory locks or keeps
    cursors; and asyncpg still rolls back a transaction left open."""


# Every query leads with ``tenant_id = $1``, and tenants differ in size by six
# orders of magnitude: a generic plan (which PostgreSQL may switch a prepared
# statement to after five runs) is costed for the average tenant and can read
# a big tenant's million rows where its custom plan reads ten (``id IN (…)``:
# 5 s instead of 2 ms). Every statement is planned with its own values.
SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


async def start_pool(engine: Engine[Any], max_size: int = 10) -> bool:
    """Start the PostgreSQL pool; False when there is nothing to start."""
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(
            min_size=1, max_size=max_size, reset=_keep_session, server_settings=SERVER_SETTINGS
        )
        return True
    return False


async def close_pool(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
