"""Outbound e-mail: queued in the transaction with its job, delivered over SMTP
by a worker, retried."""

from __future__ import annotations

import asyncio
import socket

import pytest

from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.job_queue import get_job
from comptoir.platform.jobs.tables import Job
from comptoir.platform.outbox import service
from comptoir.platform.outbox.service import SmtpMailer, queue_email
from comptoir.platform.outbox.tables import OutboxMessage
from tests.support.jobs import deliver_mail
from tests.support.smtp import Mailbox


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_failed_delivery_is_recorded_then_retried(
    client, workspace, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        queued = await queue_email(
            scope,
            to="client@exemple.fr",
            subject="Devis n°12",
            body_text="Bonjour, voici votre devis.",
            kind="test",
        )
    assert queued.status == "pending"
    [job] = await Job.objects().where(Job.kind == "email.send")
    assert job.for_tenant_id == tenant_id and job.state == "available"

    with monkeypatch.context() as patched:
        dead = SmtpMailer(f"smtp://127.0.0.1:{_closed_port()}")
        patched.setattr(service, "configured_mailer", lambda: dead)
        assert await deliver_mail() == 1
    async with tenant_scope(tenant_id) as scope:
        row = await scope.get(OutboxMessage, queued.id)
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    job = await get_job(job.id)
    assert job.state == "retryable" and job.last_error

    assert await deliver_mail() == 0  # its retry is not due yet
    assert await deliver_mail(now=job.run_at) == 1
    async with tenant_scope(tenant_id) as scope:
        row = await scope.get(OutboxMessage, queued.id)
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 2
    assert (await get_job(job.id)).state == "succeeded"
    [message] = mailbox.to("client@exemple.fr")
    assert message["Subject"] == "Devis n°12"
    assert "voici votre devis" in Mailbox.text_of(message)


async def test_mail_queued_in_a_failed_transaction_is_never_sent(
    client, workspace, mailbox: Mailbox
) -> None:
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    jobs_before = await Job.count()
    try:
        async with tenant_scope(tenant_id) as scope:
            await queue_email(scope, to="jamais@exemple.fr", subject="x", body_text="x")
            raise RuntimeError("the business write failed")
    except RuntimeError:
        pass
    assert await Job.count() == jobs_before
    await deliver_mail()
    assert mailbox.to("jamais@exemple.fr") == []


async def test_three_workers_at_once_send_each_message_once(
    client, workspace, mailbox: Mailbox
) -> None:
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        for i in range(6):
            await queue_email(scope, to=f"lot{i}@exemple.fr", subject=f"Lot {i}", body_text="x")
    counts = await asyncio.gather(deliver_mail(), deliver_mail(), deliver_mail())
    assert sum(counts) == 6
    assert sorted(m["To"] for m in mailbox.messages if m["To"].startswith("lot")) == [
        f"lot{i}@exemple.fr" for i in range(6)
    ]
