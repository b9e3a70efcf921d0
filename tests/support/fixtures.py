"""Shared fixtures: databases per engine, the app, an SMTP server, tenants."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from litestar import Litestar

from comptoir.platform.db.engine import set_engine
from comptoir.platform.logs import request_logging_middleware
from comptoir.platform.settings import reset_settings
from tests.support.databases import (
    TestDatabase,
    drop_postgres_database,
    postgres_available,
    postgres_database,
    sqlite_database,
)
from tests.support.smtp import Mailbox, running_smtp_server

ENGINES = ["sqlite", "postgres"]
_databases: dict[str, TestDatabase] = {}


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; SMTP_URL points at it for the whole run."""
    with running_smtp_server() as box:
        os.environ["SMTP_URL"] = f"smtp://127.0.0.1:{box.port}"
        reset_settings()
        yield box


async def _database(name: str) -> TestDatabase:
    if name not in _databases:
        if name == "postgres":
            missing = await postgres_available()
            if missing:
                if os.environ.get("CI") == "true":
                    pytest.fail(f"{missing}; the PostgreSQL suite is mandatory with CI=true.")
                pytest.skip(f"{missing}; PostgreSQL tests skipped.")
            _databases[name] = await postgres_database()
        else:
            _databases[name] = await sqlite_database()
    return _databases[name]


@pytest.fixture(scope="session", autouse=True)
async def _drop_databases() -> AsyncIterator[None]:
    yield
    if "postgres" in _databases:
        await drop_postgres_database(_databases["postgres"])


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest, mailbox: Mailbox) -> AsyncIterator[TestDatabase]:
    """The database of one engine, emptied, with every table pointed at it."""
    database = await _database(request.param)
    set_engine(database.engine)
    await database.truncate()
    mailbox.clear()
    yield database


@pytest.fixture
def app(db: TestDatabase) -> Litestar:
    from comptoir.platform.app import create_app

    return create_app()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in this event loop (Litestar's own test
    client runs the app on another loop, which a shared asyncpg pool forbids).
    HTTPS, so that Secure cookies come back as from a browser."""
    transport = httpx.ASGITransport(
        app=request_logging_middleware(app),  # type: ignore[arg-type]
        client=("203.0.113.7", 51000),
    )
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as http:
        yield http


STRONG_PASSWORD = "Tr0p-de-caf3-ce-matin"


@dataclass
class Workspace:
    """A tenant made through the real signup endpoint, with its admin's token."""

    slug: str
    tenant_id: str
    admin_email: str
    admin_user_id: str
    token: str
    password: str = STRONG_PASSWORD
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


_counter = {"n": 0}


async def make_workspace(
    client: httpx.AsyncClient, slug: str | None = None, plan: str = "pro"
) -> Workspace:
    _counter["n"] += 1
    slug = slug or f"societe-{_counter['n']}"
    email = f"admin@{slug}.fr"
    response = await client.post(
        "/api/v1/signup",
        json={
            "company_name": f"Société {slug}",
            "slug": slug,
            "admin_email": email,
            "admin_password": STRONG_PASSWORD,
            "plan": plan,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Workspace(
        slug=slug,
        tenant_id=body["tenant"]["id"],
        admin_email=email,
        admin_user_id=body["admin_user_id"],
        token=body["api_token"],
    )


@pytest.fixture
async def workspace(client: httpx.AsyncClient) -> Workspace:
    return await make_workspace(client, "alpha")


@pytest.fixture
async def other_workspace(client: httpx.AsyncClient) -> Workspace:
    return await make_workspace(client, "beta")
