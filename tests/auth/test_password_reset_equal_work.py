"""Forgot my password does the same work for every address: the same queries
in the same order, no SMTP connection, the same answer, whether the address
is a user's, a disabled user's or nobody's. Proved on the code path, not by
timing (SMTP_URL points at the test's SMTP server throughout)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiosmtplib
import httpx
import pytest

from comptoir.platform.auth.tables import User
from comptoir.platform.db.engine import get_engine
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.settings import get_settings
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import EN, form_token
from tests.support.smtp import Mailbox

CSRF_VALUE = re.compile(r'value="[^"]{20,}"')
LITERALS = re.compile(r"'[^']*'|\$\d+|\?|\b\d+\b")


@dataclass
class Recorder:
    """The statements sent to the database while ``on``, without their values."""

    on: bool = False
    statements: list[str] = field(default_factory=list)
    smtp: list[str] = field(default_factory=list)


@pytest.fixture
def recorder(db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    seen = Recorder()
    engine_type = type(get_engine())
    original = engine_type.run_querystring
    connect = aiosmtplib.SMTP.connect

    async def recording(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        if seen.on:
            sql, _values = querystring.compile_string(engine_type=self.engine_type)
            seen.statements.append(LITERALS.sub("_", " ".join(sql.split())))
        return await original(self, querystring, in_pool=in_pool)

    async def no_smtp(smtp: aiosmtplib.SMTP, *args: Any, **kwargs: Any) -> Any:
        if seen.on:
            seen.smtp.append(str(smtp.hostname))
            raise AssertionError("SMTP reached during a request")
        return await connect(smtp, *args, **kwargs)

    monkeypatch.setattr(engine_type, "run_querystring", recording)
    monkeypatch.setattr(aiosmtplib.SMTP, "connect", no_smtp)
    yield seen


async def ask(
    client: httpx.AsyncClient, ws: Workspace, email: str, recorder: Recorder
) -> tuple[list[str], httpx.Response]:
    url = f"/w/{ws.slug}/password/forgot"
    token = await form_token(client, url)
    recorder.statements.clear()
    recorder.on = True
    try:
        response = await client.post(url, data={"_csrf_token": token, "email": email}, headers=EN)
    finally:
        recorder.on = False
    return list(recorder.statements), response


async def test_known_and_unknown_addresses_cost_the_same(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox, recorder: Recorder
) -> None:
    assert get_settings().smtp_url  # the test SMTP server is configured
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        await scope.insert(User(email="parti@alpha.fr", role="end_user", status="disabled"))
    # The first request from this address creates its throttle row: the
    # comparison starts after it, so every request below finds the same state.
    await ask(client, workspace, "echauffement@ailleurs.fr", recorder)

    known, known_answer = await ask(client, workspace, workspace.admin_email, recorder)
    unknown, unknown_answer = await ask(client, workspace, "personne@ailleurs.fr", recorder)
    disabled, disabled_answer = await ask(client, workspace, "parti@alpha.fr", recorder)

    assert known, "the statements were recorded"
    assert known == unknown == disabled
    assert not any("users" in s or "password_resets" in s for s in known), known
    assert not any("outbox" in s or "audit_log" in s for s in known), known
    assert recorder.smtp == [] and mailbox.messages == []
    answers = {
        workspace.admin_email: known_answer,
        "personne@ailleurs.fr": unknown_answer,
        "parti@alpha.fr": disabled_answer,
    }
    assert {a.status_code for a in answers.values()} == {200}
    # The same page, but for the address typed, which it repeats.
    pages = {CSRF_VALUE.sub("", a.text).replace(typed, "") for typed, a in answers.items()}
    assert len(pages) == 1

    # After the request, a worker writes the link, and only the user gets it.
    await deliver_mail()
    assert len(mailbox.to(workspace.admin_email)) == 1
    assert mailbox.to("personne@ailleurs.fr") == mailbox.to("parti@alpha.fr") == []
