"""E-mail: queued in the tenant's outbox inside the business transaction, with
an ``email.send`` job that a worker runs after commit to deliver it over SMTP.
Without ``SMTP_URL`` (the demo) messages are held in the outbox. Staff may
read a message in the console (each reading is audited), with every link that
carries a token cut; once a message is sent, the outbox keeps only that cut
copy."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
import structlog

from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.job_queue import enqueue
from comptoir.platform.jobs.kinds import JobContext
from comptoir.platform.outbox.redaction import redact
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


SEND_EMAIL = "email.send"


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail (a quote's PDF).

    Attachments travel in the ``email.send`` job's arguments, base64-encoded,
    rather than in the outbox table: the table keeps its shape (no migration
    of every workspace's outbox for a few kinds of mail), the bytes are kept
    only as long as the job (pruned with finished jobs), and what is mailed is
    exactly what was rendered at the moment of the business write (a quote's
    PDF as it was sent, whatever changes later). A held message (no
    ``SMTP_URL``) queues no job, so it keeps no attachment."""

    filename: str
    content_type: str
    content: bytes

    def as_arg(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_arg(cls, arg: Mapping[str, Any]) -> Attachment:
        try:
            content = base64.b64decode(str(arg["content"]), validate=True)
        except (KeyError, binascii.Error) as error:
            raise ValueError("an attachment of email.send is not readable") from error
        return cls(
            filename=str(arg.get("filename") or "attachment"),
            content_type=str(arg.get("content_type") or "application/octet-stream"),
            content=content,
        )


def attachments_of(args: Mapping[str, Any]) -> list[Attachment]:
    """The attachments an ``email.send`` job carries (none for most mail)."""
    return [Attachment.from_arg(arg) for arg in args.get("attachments") or ()]


async def queue_email(
    scope: TenantScope,
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = "",
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage:
    """Put an e-mail in the tenant's outbox with the ``email.send`` job that
    will deliver it, both in the caller's transaction: they commit with the
    business write, or neither exists. Nothing is sent during the request.

    Without ``SMTP_URL`` (the demo) the message is held and no job is queued:
    staff read it in the console. ``attachments`` go with the job (see
    ``Attachment``)."""
    deliver = bool(get_settings().smtp_url)
    message = OutboxMessage(
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        status="pending" if deliver else "held",
    )
    await scope.insert(message)
    if deliver:
        args: dict[str, Any] = {"message_id": str(message.id)}
        if attachments:
            args["attachments"] = [attachment.as_arg() for attachment in attachments]
        await enqueue(
            SEND_EMAIL,
            args,
            tenant_id=scope.tenant_id,
            max_attempts=MAX_ATTEMPTS,
        )
    return message


def _to_email(row: OutboxMessage, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = get_settings().mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = f"<{row.id}@comptoir>"
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


class StillSending(RuntimeError):
    """Another sender holds the message: try again later."""


async def _claim(tenant_id: uuid.UUID, message_id: uuid.UUID) -> OutboxMessage | None:
    """Take the message for sending: one waiting to be sent, failed before
    (staff retried its job), or claimed by a sender that died before
    recording the outcome (it may be sent twice then; it is never lost).
    Only one sender wins the conditional update. None when there is nothing
    to send (already sent, held, or gone); StillSending when a live sender
    has it."""
    now = dt.datetime.now(dt.UTC)
    claimable = OutboxMessage.status.is_in(["pending", "failed"]) | (
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - STALE_CLAIM)
    )
    async with tenant_scope(tenant_id) as scope:
        claimed = await (
            scope.update(
                OutboxMessage, {OutboxMessage.status: "sending", OutboxMessage.claimed_at: now}
            )
            .where(OutboxMessage.id == message_id)
            .where(claimable)
            .returning(OutboxMessage.id)
        )
        row = await scope.find(OutboxMessage, message_id)
    if claimed:
        return row
    if row is not None and row.status == "sending":
        raise StillSending(f"message {message_id} is being sent by another worker")
    return None


async def send_email(context: JobContext) -> None:
    """The ``email.send`` job: deliver one message of a tenant's outbox.

    A failed delivery is recorded on the message and raised, so that the job
    is retried with backoff; the message is marked failed after the job's
    last attempt (staff may retry the job from the console)."""
    message_id = parse_id(str(context.args.get("message_id", "")))
    if context.tenant_id is None or message_id is None:
        raise ValueError("email.send needs a tenant and a message_id")
    mailer = configured_mailer()
    if mailer is None:
        raise RuntimeError("SMTP_URL is not set: the message cannot be sent")
    attachments = attachments_of(context.args)
    row = await _claim(context.tenant_id, message_id)
    if row is None:
        return
    await deliver(
        context.tenant_id,
        row,
        mailer,
        last_attempt=context.last_attempt,
        attachments=attachments,
    )


async def deliver(
    tenant_id: uuid.UUID,
    row: OutboxMessage,
    mailer: Mailer,
    *,
    last_attempt: bool = False,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Send a claimed message and record the outcome on it; a failure is
    raised after it is recorded."""
    row.attempts += 1
    failure: BaseException | None = None
    try:
        await mailer.send(_to_email(row, attachments))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        failure = error
        row.last_error = str(error)[:1000] or type(error).__name__
        row.status = "failed" if last_attempt else "pending"
        log.warning("email.failed", message_id=str(row.id), error=row.last_error)
    else:
        row.status = "sent"
        row.sent_at = dt.datetime.now(dt.UTC)
        # Sent: the links it carried are the recipient's alone now. The copy
        # the outbox keeps has them cut, so no one reading it can use them.
        row.body_text = redact(row.body_text)
        row.body_html = redact(row.body_html)
        log.info("email.sent", message_id=str(row.id), kind=row.kind)
    async with tenant_scope(tenant_id) as scope:
        await scope.save(
            row,
            columns=[
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.last_error,
                OutboxMessage.sent_at,
                OutboxMessage.body_text,
                OutboxMessage.body_html,
            ],
        )
    if failure is not None:
        raise failure
