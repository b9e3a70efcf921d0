"""A generator looks for what nobody listed: schemathesis reads /schema/openapi.json
from a served app and fuzzes every operation (then chains them, statefully) with a
signed-up workspace's bearer token, for about a minute on each engine. Not one
request may end in a server error, by the answers or by the server's own log."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.databases import ADMIN_URL, _with_database
from tests.support.fixtures import STRONG_PASSWORD

if TYPE_CHECKING:  # imported by name, pytest would try to collect it as a test class
    from tests.support.databases import TestDatabase

BIN = Path(sys.executable).parent
MAX_SECONDS = 55
# Revoking one's own token would leave the rest of the run at 401 (a real
# answer, but nothing left to fuzz).
EXCLUDED_OPERATIONS = ["ApiV1TokensTokenIdRevokeToken"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(db: TestDatabase) -> str:
    if db.name == "postgres":
        from comptoir.platform.db.migrate import app_role_name

        assert db.database
        return _with_database(ADMIN_URL, db.database, user=app_role_name())
    return os.environ["DATABASE_URL"]


@pytest.fixture
def served(db: TestDatabase, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``comptoir serve`` on a free port, on the test database of this engine."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(db),
        "COMPTOIR_BASE_URL": base_url,
    }
    env.pop("COMPTOIR_DEMO", None)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "comptoir"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            yield base_url, log
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


async def _signed_up_token(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        signup = await http.post(
            "/api/v1/signup",
            json={
                "company_name": "Fuzz & Fils",
                "slug": "fuzz-et-fils",
                "admin_email": "admin@fuzz-et-fils.fr",
                "admin_password": STRONG_PASSWORD,
                "plan": "entreprise",
            },
        )
    assert signup.status_code == 201, signup.text
    return str(signup.json()["api_token"])


async def _schemathesis(base_url: str, token: str, *options: str, seconds: int) -> str:
    """Run schemathesis against the served app; its report, after checking it passed."""
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base_url}/schema/openapi.json",
        "--max-time",
        str(seconds),
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "20",
        "--no-color",
        *options,
    ]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=seconds + 120)
    report = output.decode(errors="replace")
    assert process.returncode == 0, report[-6000:]
    assert "generated" in report, report[-3000:]
    return report


def _server_errors(log: Path) -> list[str]:
    errors = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and (
            entry.get("status", 0) >= 500 or entry.get("event") == "request.failed"
        ):
            errors.append(line[:500])
    return errors


async def test_schemathesis_finds_no_server_error(served: tuple[str, Path]) -> None:
    base_url, log = served
    token = await _signed_up_token(base_url)
    await _schemathesis(
        base_url,
        token,
        "--checks",
        "not_a_server_error",
        "--phases",
        "fuzzing,stateful",
        *(arg for op in EXCLUDED_OPERATIONS for arg in ("--exclude-operation-id", op)),
        seconds=MAX_SECONDS,
    )
    errors = _server_errors(log)
    assert not errors, "\n".join(errors[:20])


async def test_people_schemas_are_as_strict_as_the_service(served: tuple[str, Path]) -> None:
    """Every body the OpenAPI document allows for adding a user or inviting one is
    accepted (201, or 409 for an address already there): the schema says what the
    validation behind it checks."""
    base_url, log = served
    token = await _signed_up_token(base_url)
    await _schemathesis(
        base_url,
        token,
        "--checks",
        "positive_data_acceptance,not_a_server_error",
        "--mode",
        "positive",
        "--phases",
        "fuzzing",
        "--include-operation-id",
        "ApiV1UsersCreateUser",
        "--include-operation-id",
        "ApiV1InvitationsCreateInvitation",
        seconds=20,
    )
    assert not _server_errors(log)
