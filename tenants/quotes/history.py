"""What quotes add to other records' pages: the "Quotes" box of a contact, an
account or an opportunity, and their history (quote sent, accepted, rejected);
and the periodic job that lets sent quotes expire."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog

from comptoir.platform import i18n
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.features import TimelineEntry
from comptoir.platform.i18n import gettext as _
from comptoir.platform.jobs.kinds import JobContext, JobKind
from comptoir.tenants.quotes.pdf import Formats
from comptoir.tenants.quotes.service import expire_quotes, tenant_today
from comptoir.tenants.quotes.tables import Quote

log = structlog.get_logger(__name__)
PANEL_SIZE = 10
SUBJECT_COLUMNS: dict[str, Any] = {
    "contact": Quote.contact_id,
    "account": Quote.account_id,
    "opportunity": Quote.opportunity_id,
}
LIVE_STATUSES = ("trial", "active")
TENANT_BATCH = 500


@dataclass(frozen=True)
class QuoteRow:
    id: uuid.UUID
    number: str
    title: str
    status: str
    total_net: Decimal
    total_gross: Decimal

    @property
    def total_label(self) -> str:
        """Its net total in the reader's language (1 234,50 €)."""
        return Formats(i18n.current_locale.get()).money(self.total_net)


async def quotes_of(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID, *, limit: int = PANEL_SIZE
) -> list[QuoteRow]:
    """The newest quotes linked to a record, ``limit`` at most."""
    column = SUBJECT_COLUMNS.get(subject)
    if column is None:
        return []
    async with tenant_scope(tenant_id) as scope:
        rows = await (
            scope.select(
                Quote,
                Quote.id,
                Quote.number,
                Quote.title,
                Quote.status,
                Quote.total_net,
                Quote.total_gross,
            )
            .where(column == subject_id)
            .order_by(Quote.id, ascending=False)
            .limit(limit)
        )
    return [QuoteRow(**row) for row in rows]


async def quote_panel(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID
) -> Sequence[QuoteRow]:
    return await quotes_of(tenant_id, subject, subject_id)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def quote_history(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID, limit: int
) -> Sequence[TimelineEntry]:
    """A record's history from its quotes: each sending, acceptance and
    rejection, newest first, ``limit`` at most."""
    column = SUBJECT_COLUMNS.get(subject)
    if column is None or limit <= 0:
        return []
    async with tenant_scope(tenant_id) as scope:
        quotes = await (
            scope.objects(Quote)
            .where(column == subject_id)
            .where(Quote.sent_at.is_not_null())
            .order_by(Quote.sent_at, ascending=False)
            .limit(limit)
        )
    entries: list[TimelineEntry] = []
    for quote in quotes:
        link = f"/quotes/{quote.id}"
        entries.append(
            TimelineEntry(
                at=_aware(quote.sent_at),
                kind="quote",
                title=_("Quote %(number)s sent") % {"number": quote.number},
                body=quote.title,
                actor_id=quote.owner_id,
                link=link,
            )
        )
        if quote.decided_at is not None and quote.status in ("accepted", "rejected"):
            title = (
                _("Quote %(number)s accepted")
                if quote.status == "accepted"
                else _("Quote %(number)s rejected")
            )
            entries.append(
                TimelineEntry(
                    at=_aware(quote.decided_at),
                    kind="quote",
                    title=title % {"number": quote.number},
                    body=quote.title,
                    link=link,
                )
            )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]


async def expire_everywhere(*, now: dt.datetime | None = None) -> int:
    """Every live workspace's sent quotes past their validity become expired
    (the day is the workspace's own); a workspace that fails does not stop the
    others, the job fails afterwards to be run again."""
    expired = 0
    failed = 0
    after: uuid.UUID | None = None
    while True:
        query = (
            Tenant.select(Tenant.id)
            .where(Tenant.status.is_in(list(LIVE_STATUSES)))
            .order_by(Tenant.id)
            .limit(TENANT_BATCH)
        )
        if after is not None:
            query = query.where(Tenant.id > after)
        tenants = await query
        for tenant in tenants:
            try:
                today = await tenant_today(tenant["id"], now)
                expired += await expire_quotes(tenant["id"], today)
            except Exception:
                log.exception("quotes.expiry_failed", tenant_id=str(tenant["id"]))
                failed += 1
        if len(tenants) < TENANT_BATCH:
            break
        after = tenants[-1]["id"]
    if failed:
        raise RuntimeError(f"quote expiry failed in {failed} workspace(s)")
    return expired


async def expiry_job(context: JobContext) -> None:
    await expire_everywhere()


QUOTE_EXPIRY = JobKind(
    name="quotes.expire",
    handler=expiry_job,
    periodic="5 * * * *",
    max_attempts=3,
    timeout=600.0,
    description="Sent quotes past their validity date become expired.",
)
