"""Outbound e-mail: queued in the transaction with its job, delivered over SMTP
by a worker, retried."""

from __future__ import annotations

import asyncio
import importlib
import re
import socket

import pytest

from comptoir.platform.auth.credentials import new_secret
from comptoir.platform.db.engine import get_engine
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.job_queue import get_job
from comptoir.platform.jobs.tables import Job
from comptoir.platform.outbox import service
from comptoir.platform.outbox.redaction import redact
from comptoir.platform.outbox.service import SmtpMailer, queue_email
from comptoir.platform.outbox.tables import OutboxMessage
from comptoir.platform.settings import reset_settings
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


# ---- secrets in what the outbox keeps ------------------------------------------------

LINK_WITH_TOKEN = re.compile(r"https://testserver\.local/w/[\w-]+/[\w/-]*?/([A-Za-z0-9_-]{30,})")


def test_links_with_a_token_are_cut_before_it() -> None:
    token = new_secret()
    text = (
        f"Choose a password: https://comptoir.example/w/acme/invitations/{token}.\n"
        f'<a href="https://comptoir.example/w/acme/password/reset/{token}">here</a>\n'
        f"Or (https://comptoir.example/confirm?token={token}) and "
        "https://comptoir.example/w/boulangerie-du-marche-2024/contacts/"
        "01936f3e-5c1a-7d2b-9a4e-3f2d1c0b9a87 stays."
    )
    redacted = redact(text)
    assert token not in redacted
    assert "https://comptoir.example/w/acme/invitations/[redacted]." in redacted
    assert 'href="https://comptoir.example/w/acme/password/reset/[redacted]"' in redacted
    assert "(https://comptoir.example/confirm?[redacted])" in redacted
    assert "/w/boulangerie-du-marche-2024/contacts/01936f3e-5c1a-7d2b-9a4e-3f2d1c0b9a87" in redacted
    assert redact("No link here.") == "No link here."


async def _invite(client, workspace, email: str) -> OutboxMessage:
    response = await client.post(
        "/api/v1/users", headers=workspace.headers, json={"email": email, "role": "end_user"}
    )
    assert response.status_code == 201, response.text
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        message = (
            await scope.objects(OutboxMessage).where(OutboxMessage.to_address == email).first()
        )
    assert message is not None
    return message


async def test_a_sent_message_keeps_no_live_link(client, workspace, mailbox: Mailbox) -> None:
    queued = await _invite(client, workspace, "julie@alpha.fr")
    found = LINK_WITH_TOKEN.search(queued.body_text)
    assert found, queued.body_text  # the link is in the message until it is sent
    token = found.group(1)
    assert token in queued.body_html

    assert await deliver_mail() == 1
    [delivered] = mailbox.to("julie@alpha.fr")
    assert token in Mailbox.text_of(delivered)  # the recipient gets the working link

    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        kept = await scope.get(OutboxMessage, queued.id)
    assert kept.status == "sent"
    assert token not in kept.body_text and token not in kept.body_html
    assert "/invitations/[redacted]" in kept.body_text


async def test_a_held_message_keeps_its_link(
    client, workspace, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMTP_URL")
    reset_settings()
    try:
        held = await _invite(client, workspace, "demo@alpha.fr")
    finally:
        monkeypatch.undo()
        reset_settings()
    assert held.status == "held"
    assert LINK_WITH_TOKEN.search(held.body_text)  # kept: the console shows it cut


async def test_the_migration_cuts_links_in_mail_sent_before(
    client, workspace, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    migration = importlib.import_module(
        "comptoir.platform.piccolo_migrations.platform_2026_11_30t16_30_00_000000"
    )
    monkeypatch.setattr(migration, "engine_finder", get_engine)
    token = new_secret()
    link = f"https://testserver.local/w/alpha/invitations/{token}"
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        # As the outbox kept them before: sent, with the live link; one held.
        sent = await scope.insert(
            OutboxMessage(
                to_address="avant@exemple.fr",
                subject="Invitation",
                body_text=f"Venez : {link}",
                body_html=f'<a href="{link}">Venez</a>',
                status="sent",
            )
        )
        held = await scope.insert(
            OutboxMessage(to_address="demo@exemple.fr", subject="x", body_text=link, status="held")
        )
        await migration.scrub_sent_email()
        await migration.scrub_sent_email()  # a second run changes nothing
        sent = await scope.get(OutboxMessage, sent.id)
        held = await scope.get(OutboxMessage, held.id)
    assert token not in sent.body_text and token not in sent.body_html
    assert "/invitations/[redacted]" in sent.body_text
    assert held.body_text == link
