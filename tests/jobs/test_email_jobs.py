"""E-mail goes through the job queue: a request only queues it, a worker sends
it, retries it, and gives up on it visibly."""

from __future__ import annotations

import importlib
import json
import socket
from collections.abc import Iterator
from typing import Any

import aiosmtplib
import httpx
import pytest

from comptoir.platform.db.engine import get_engine
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.job_queue import enqueue, get_job, retry
from comptoir.platform.jobs.tables import Job
from comptoir.platform.outbox import service
from comptoir.platform.outbox.service import SmtpMailer, queue_email
from comptoir.platform.outbox.tables import OutboxMessage
from comptoir.platform.settings import reset_settings
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail, write_mail
from tests.support.pages import post_form
from tests.support.smtp import Mailbox


async def forgot_password(client: httpx.AsyncClient, ws: Workspace) -> httpx.Response:
    url = f"/w/{ws.slug}/password/forgot"
    return await post_form(client, url, url, {"email": ws.admin_email})


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def no_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo's setting: no SMTP_URL."""
    monkeypatch.delenv("SMTP_URL")
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


async def email_jobs() -> list[Job]:
    return list(await Job.objects().where(Job.kind == "email.send"))


async def test_a_request_queues_mail_and_returns_before_any_smtp_connection(
    client: httpx.AsyncClient,
    workspace: Workspace,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connections: list[Any] = []

    async def no_connection(self: aiosmtplib.SMTP, *args: Any, **kwargs: Any) -> None:
        connections.append(self.hostname)
        raise AssertionError("SMTP reached during a request")

    with monkeypatch.context() as patched:
        patched.setattr(aiosmtplib.SMTP, "connect", no_connection)
        response = await forgot_password(client, workspace)
    assert response.status_code == 200 and "Check your inbox" in response.text
    assert connections == [] and mailbox.to(workspace.admin_email) == []
    assert await email_jobs() == []  # the link is written by a job after the request
    assert await write_mail() == 1
    [job] = await email_jobs()
    assert job.state == "available" and str(job.for_tenant_id) == workspace.tenant_id

    assert await deliver_mail() == 1
    [message] = mailbox.to(workspace.admin_email)
    assert "/password/reset/" in Mailbox.text_of(message)
    assert (await get_job(job.id)).state == "succeeded"


async def test_without_smtp_mail_is_held_and_no_job_is_queued(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox, no_smtp: None
) -> None:
    assert (await forgot_password(client, workspace)).status_code == 200
    assert await write_mail() == 1
    assert await email_jobs() == []
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        [held] = await scope.objects(OutboxMessage).where(OutboxMessage.kind == "password_reset")
    assert held.status == "held"
    assert await deliver_mail() == 0 and mailbox.messages == []


async def test_mail_failing_on_every_attempt_ends_failed_and_staff_may_retry_it(
    client: httpx.AsyncClient,
    workspace: Workspace,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        queued = await queue_email(scope, to="ines@exemple.fr", subject="Relance", body_text="x")
    [job] = await email_jobs()
    assert job.max_attempts == service.MAX_ATTEMPTS

    with monkeypatch.context() as patched:
        unreachable = SmtpMailer(f"smtp://127.0.0.1:{_closed_port()}")
        patched.setattr(service, "configured_mailer", lambda: unreachable)
        for _ in range(service.MAX_ATTEMPTS):
            job = await get_job(job.id)
            assert await deliver_mail(now=job.run_at) == 1
    job = await get_job(job.id)
    assert job.state == "dead" and job.attempts == service.MAX_ATTEMPTS
    async with tenant_scope(tenant_id) as scope:
        message = await scope.get(OutboxMessage, queued.id)
    assert message.status == "failed" and message.last_error
    assert mailbox.to("ines@exemple.fr") == []

    await retry(job.id)
    assert await deliver_mail() == 1
    async with tenant_scope(tenant_id) as scope:
        message = await scope.get(OutboxMessage, queued.id)
    assert message.status == "sent"
    assert len(mailbox.to("ines@exemple.fr")) == 1
    # Should its job run again (a worker died before recording success),
    # the message is not sent twice.
    await enqueue("email.send", {"message_id": str(queued.id)}, tenant_id=tenant_id, max_attempts=1)
    assert await deliver_mail() == 1
    assert len(mailbox.to("ines@exemple.fr")) == 1


async def test_the_migration_gives_mail_queued_before_the_queue_its_job(
    workspace: Workspace, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    migration = importlib.import_module(
        "comptoir.platform.piccolo_migrations.platform_2026_11_30t15_00_01_000000"
    )
    monkeypatch.setattr(migration, "engine_finder", get_engine)
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        # As the outbox held them before jobs existed: a message waiting, one held.
        waiting = await scope.insert(
            OutboxMessage(to_address="avant@exemple.fr", subject="Avant", body_text="x")
        )
        await scope.insert(
            OutboxMessage(to_address="retenu@exemple.fr", subject="x", body_text="x", status="held")
        )
        # On PostgreSQL the policy lets this transaction see its tenant's rows
        # only; the migration itself runs as the owner and sees them all.
        await migration.enqueue_pending_email()
    [job] = await email_jobs()
    assert json.loads(job.args) == {"message_id": str(waiting.id)}
    assert job.for_tenant_id == tenant_id and job.max_attempts == service.MAX_ATTEMPTS
    assert await deliver_mail() == 1
    assert [m["Subject"] for m in mailbox.to("avant@exemple.fr")] == ["Avant"]
    assert mailbox.to("retenu@exemple.fr") == []
