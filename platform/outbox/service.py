"""E-mail: queued in the tenant's outbox inside the business transaction, then
delivered over SMTP after commit. Without ``SMTP_URL`` (the demo) messages are
held in the outbox, where staff can read them in the console."""

from __future__ import annotations

import datetime as dt
import uuid
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
import structlog

from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.outbox.tables import OutboxMessage
from comptoir.platform.settings import get_settings

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 5
STALE_CLAIM = dt.timedelta(minutes=10)


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Delivers through an SMTP server named by a URL:
    ``smtp://host:port``, ``smtp+starttls://user:pass@host:587`` or ``smtps://...``."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "127.0.0.1"
        self.use_tls = parts.scheme == "smtps"
        self.start_tls = parts.scheme == "smtp+starttls"
        self.port = parts.port or (465 if self.use_tls else 587 if self.start_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=15,
        )


def configured_mailer() -> Mailer | None:
    url = get_settings().smtp_url
    return SmtpMailer(url) if url else None


async def queue_email(
    scope: TenantScope,
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = "",
) -> OutboxMessage:
    message = OutboxMessage(
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        status="pending" if get_settings().smtp_url else "held",
    )
    return await scope.insert(message)


def _to_email(row: OutboxMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = get_settings().mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = f"<{row.id}@comptoir>"
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


async def _claim(tenant_id: uuid.UUID, message_id: uuid.UUID) -> OutboxMessage | None:
    """Take one pending message for sending. Only one sender wins the
    conditional update, so a web process and a worker never send it twice."""
    now = dt.datetime.now(dt.UTC)
    async with tenant_scope(tenant_id) as scope:
        claimed = await (
            scope.update(
                OutboxMessage, {OutboxMessage.status: "sending", OutboxMessage.claimed_at: now}
            )
            .where(OutboxMessage.id == message_id)
            .where(OutboxMessage.status == "pending")
            .returning(OutboxMessage.id)
        )
        if not claimed:
            return None
        return await scope.get(OutboxMessage, message_id)


async def _release_stale_claims(scope: TenantScope) -> None:
    """Messages claimed by a sender that died before recording the outcome go
    back to pending (they may be sent twice; they are never lost)."""
    stale = dt.datetime.now(dt.UTC) - STALE_CLAIM
    await (
        scope.update(OutboxMessage, {OutboxMessage.status: "pending"})
        .where(OutboxMessage.status == "sending")
        .where(OutboxMessage.claimed_at < stale)
    )


async def deliver_pending(tenant_id: uuid.UUID, mailer: Mailer | None = None) -> int:
    """Send this tenant's pending messages; returns how many were sent.
    Failures are recorded on the message and retried later by the worker."""
    mailer = mailer or configured_mailer()
    if mailer is None:
        return 0
    async with tenant_scope(tenant_id) as scope:
        await _release_stale_claims(scope)
        candidates = await (
            scope.select(OutboxMessage, OutboxMessage.id)
            .where(OutboxMessage.status == "pending")
            .where(OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id)
            .limit(100)
        )
    sent = 0
    for candidate in candidates:
        row = await _claim(tenant_id, candidate["id"])
        if row is None:
            continue  # another sender took it
        row.attempts += 1
        try:
            await mailer.send(_to_email(row))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            row.last_error = str(error)[:1000]
            row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
            log.warning("email.failed", message_id=str(row.id), error=row.last_error)
        else:
            row.status = "sent"
            row.sent_at = dt.datetime.now(dt.UTC)
            sent += 1
        async with tenant_scope(tenant_id) as scope:
            await scope.save(
                row,
                columns=[
                    OutboxMessage.status,
                    OutboxMessage.attempts,
                    OutboxMessage.last_error,
                    OutboxMessage.sent_at,
                ],
            )
    return sent
