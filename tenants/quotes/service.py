"""Quotes: named actions over the shared record rules, their lines and
amounts, and their life: a draft is edited freely; sending it gives it its
number (gapless, per workspace and year) and mails its PDF; a sent quote is
never edited again, only accepted, rejected, left to expire or duplicated
into a new draft to revise it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.db.search import normalise
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Conflict, ValidationFailed
from comptoir.platform.ids import new_id
from comptoir.platform.records import RecordKind, create_record, delete_record, update_record
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.company.service import profile_in
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities.tables import Opportunity
from comptoir.tenants.quotes.schemas import QuoteHeader, QuoteLineIn, QuoteSummaryOut
from comptoir.tenants.quotes.tables import Quote, QuoteLine, QuoteSequence
from comptoir.tenants.quotes.totals import (
    HUNDRED,
    VAT_RATES,
    QuoteAmounts,
    line_amounts,
    quote_amounts,
    rate_text,
)

DEFAULT_TZ = "Europe/Paris"
MAX_QUANTITY = Decimal("1000000000")
MAX_PRICE = Decimal("1000000000000")
ALLOWED_RATES = frozenset(Decimal(rate) for rate in VAT_RATES)
EDITABLE = "draft"
# The audit action of each status a quote moves to.
STATUS_ACTIONS = {
    "sent": "quote.send",
    "accepted": "quote.accept",
    "rejected": "quote.reject",
    "expired": "quote.expire",
}
LINKS: dict[str, tuple[type[Any], str]] = {
    "account_id": (Account, "must be an account of this workspace"),
    "contact_id": (Contact, "must be a contact of this workspace"),
    "opportunity_id": (Opportunity, "must be an opportunity of this workspace"),
}


async def _check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    """The linked records exist in this workspace (whoever owns them)."""
    errors: dict[str, str] = {}
    if "title" in values and not str(values.get("title") or "").strip():
        errors["title"] = "a quote needs a title"
    everyone = scope.unrestricted()
    for name, (table, message) in LINKS.items():
        if values.get(name) is not None and await everyone.find(table, values[name]) is None:
            errors[name] = message
    return errors


QUOTES = RecordKind(
    name="quote",
    plural="quotes",
    table=Quote,
    fields=QuoteHeader,
    searched=("number", "title"),
    check=_check,
    label_fields=("number", "title"),
)

QUOTE_LIST = ListSpec(
    table=Quote,
    columns=[*QuoteSummaryOut.__struct_fields__],
    sorts={"created_at": ("id",), "updated_at": ("updated_at",)},
    filters={
        "status": "status",
        "account_id": "account_id",
        "contact_id": "contact_id",
        "opportunity_id": "opportunity_id",
        "owner_id": "owner_id",
    },
    search_function="quotes_search_ids",
    search_page_function="quotes_search_page",
)


@dataclass(frozen=True)
class QuoteView:
    """A quote with its lines and amounts, as the API and the pages show it."""

    quote: Quote
    lines: list[QuoteLine]
    amounts: QuoteAmounts


# --- Lines -------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def check_lines(lines: Sequence[QuoteLineIn]) -> dict[str, str]:
    """{"lines[i].field": message} for each line's problem, all at once."""
    errors: dict[str, str] = {}
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if not line.description.strip():
            errors[f"{where}.description"] = "a line needs a description"
        quantity = _decimal(line.quantity)
        if quantity is None or not Decimal("0") < quantity <= MAX_QUANTITY:
            errors[f"{where}.quantity"] = "must be more than 0"
        elif quantity != quantity.quantize(Decimal("0.001")):
            errors[f"{where}.quantity"] = "may have at most 3 decimals"
        price = _decimal(line.unit_price)
        if price is None or not Decimal("0") <= price < MAX_PRICE:
            errors[f"{where}.unit_price"] = "must be 0 or more"
        elif price != price.quantize(Decimal("0.01")):
            errors[f"{where}.unit_price"] = "may have at most 2 decimals (cents)"
        discount = _decimal(line.discount_percent)
        if discount is None or not Decimal("0") <= discount <= HUNDRED:
            errors[f"{where}.discount_percent"] = "must be from 0 to 100"
        elif discount != discount.quantize(Decimal("0.01")):
            errors[f"{where}.discount_percent"] = "may have at most 2 decimals"
        if _decimal(line.vat_rate) not in ALLOWED_RATES:
            errors[f"{where}.vat_rate"] = "must be one of 20, 10, 5.5 and 2.1"
    return errors


def _line_rows(lines: Sequence[QuoteLineIn], quote_id: uuid.UUID) -> list[QuoteLine]:
    rows = []
    for position, line in enumerate(lines):
        rate = Decimal(line.vat_rate)
        amounts = line_amounts(line.quantity, line.unit_price, line.discount_percent, rate)
        rows.append(
            QuoteLine(
                quote_id=quote_id,
                position=position,
                description=line.description.strip(),
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                vat_rate=rate,
                total_net=amounts.net,
                total_vat=amounts.vat,
            )
        )
    return rows


def amounts_of(lines: Sequence[QuoteLine]) -> QuoteAmounts:
    """The quote's amounts from its stored (already rounded) line amounts."""
    from comptoir.tenants.quotes.totals import LineAmounts

    return quote_amounts(
        (
            Decimal(str(line.vat_rate)),
            LineAmounts(Decimal(str(line.total_net)), Decimal(str(line.total_vat))),
        )
        for line in lines
    )


def preview_amounts(lines: Sequence[QuoteLineIn]) -> QuoteAmounts:
    """The amounts of lines not saved yet (the editor's live totals)."""
    return amounts_of(_line_rows(lines, uuid.UUID(int=0)))


def _totals(amounts: QuoteAmounts) -> dict[str, Decimal]:
    return {"total_net": amounts.net, "total_vat": amounts.vat, "total_gross": amounts.gross}


async def lines_of(scope: TenantScope, quote_id: uuid.UUID) -> list[QuoteLine]:
    return list(
        await scope.objects(QuoteLine)
        .where(QuoteLine.quote_id == quote_id)
        .order_by(QuoteLine.position)
    )


async def _replace_lines(scope: TenantScope, quote_id: uuid.UUID, rows: list[QuoteLine]) -> None:
    await scope.delete(QuoteLine).where(QuoteLine.quote_id == quote_id)
    await scope.insert_many(rows)


# --- Dates and search --------------------------------------------------------


async def tenant_today(tenant_id: uuid.UUID, now: dt.datetime | None = None) -> dt.date:
    """Today in the workspace's time zone."""
    row = await Tenant.select(Tenant.timezone).where(Tenant.id == tenant_id).first()
    try:
        zone = ZoneInfo((row or {}).get("timezone") or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TZ)
    return (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()


async def _reindex(scope: TenantScope, quote: Quote) -> None:
    """Number, title and the account's name, as ``q`` finds them."""
    name = ""
    if quote.account_id is not None:
        account = await scope.unrestricted().find(Account, quote.account_id)
        name = account.name if account is not None else ""
    text = normalise(" ".join(part for part in (quote.number, quote.title, name) if part))
    if text != quote.search_text:
        quote.search_text = text
        await (
            scope.unrestricted()
            .update(Quote, {Quote.search_text: text})
            .where(Quote.id == quote.id)
        )


# --- Named actions -----------------------------------------------------------


def _editable(quote: Quote) -> None:
    if quote.status != EDITABLE:
        raise Conflict(
            "Only a draft quote can be changed or deleted; duplicate this one to revise it."
        )


async def _defaults(scope: TenantScope, values: dict[str, Any]) -> None:
    """A new quote's validity and payment terms, from the company profile."""
    if values.get("valid_until") is None or values.get("payment_terms") is None:
        profile = await profile_in(scope)
        if values.get("valid_until") is None:
            today = await tenant_today(scope.tenant_id)
            values["valid_until"] = today + dt.timedelta(days=profile.quote_validity_days)
        if values.get("payment_terms") is None:
            values["payment_terms"] = profile.payment_terms


def _split(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[QuoteLineIn] | None]:
    header = dict(values)
    lines = header.pop("lines", None)
    if lines is not None:
        lines = [
            line if isinstance(line, QuoteLineIn) else msgspec.convert(line, QuoteLineIn)
            for line in lines
        ]
    if isinstance(header.get("title"), str):
        header["title"] = header["title"].strip()
    return header, lines


async def _refuse(scope: TenantScope, header: dict[str, Any], lines: Sequence[QuoteLineIn]) -> None:
    """Every problem of the header and of the lines at once, before any write."""
    errors = await _check(scope, header) if header else {}
    errors.update(check_lines(lines))
    if errors:
        raise ValidationFailed(errors)


async def create_quote(
    tenant_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    revision_of: uuid.UUID | None = None,
) -> QuoteView:
    header, lines = _split(values)
    lines = lines or []
    async with tenant_scope(tenant_id) as scope:
        await _refuse(scope, {"title": header.get("title", ""), **header}, lines)
        await _defaults(scope, header)
        amounts = preview_amounts(lines)
        quote = await create_record(scope, QUOTES, {**header, **_totals(amounts)}, actor=actor)
        rows = _line_rows(lines, quote.id)
        if revision_of is not None:
            quote.revision_of = revision_of
            await scope.save(quote, columns=[Quote.revision_of])
        await scope.insert_many(rows)
        await _reindex(scope, quote)
        return QuoteView(quote, rows, amounts)


async def update_quote(
    tenant_id: uuid.UUID, quote_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> QuoteView:
    header, lines = _split(values)
    async with tenant_scope(tenant_id) as scope:
        quote = await scope.get(Quote, quote_id)
        _editable(quote)
        await _refuse(scope, header, lines or [])
        if "valid_until" in header and header["valid_until"] is None:
            header.pop("valid_until")
        if "payment_terms" in header and header["payment_terms"] is None:
            header["payment_terms"] = ""
        rows = _line_rows(lines, quote.id) if lines is not None else []
        if lines is not None:
            header.update(_totals(amounts_of(rows)))
        # The record's own checks (its owner) come first: nothing is written
        # when they fail, whether or not the caller catches the error.
        quote = await update_record(scope, QUOTES, quote.id, header, actor=actor)
        if lines is not None:
            await _replace_lines(scope, quote.id, rows)
            await audit.record(
                scope,
                actor,
                "quote.lines",
                object_type="quote",
                object_id=quote.id,
                changes={"lines": len(rows)},
            )
        await _reindex(scope, quote)
        return await _view(scope, quote)


async def delete_quote(tenant_id: uuid.UUID, quote_id: uuid.UUID | str, *, actor: Actor) -> None:
    async with tenant_scope(tenant_id) as scope:
        _editable(await scope.get(Quote, quote_id))
        quote = await delete_record(scope, QUOTES, quote_id, actor=actor)
        await scope.delete(QuoteLine).where(QuoteLine.quote_id == quote.id)


async def _view(scope: TenantScope, quote: Quote) -> QuoteView:
    lines = await lines_of(scope, quote.id)
    return QuoteView(quote, lines, amounts_of(lines))


async def get_quote(tenant_id: uuid.UUID, quote_id: uuid.UUID | str) -> QuoteView:
    async with tenant_scope(tenant_id) as scope:
        return await _view(scope, await scope.get(Quote, quote_id))


async def list_quotes(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, QUOTE_LIST, query, limit=limit)


async def duplicate_quote(
    tenant_id: uuid.UUID, quote_id: uuid.UUID | str, *, actor: Actor
) -> QuoteView:
    """A new draft with the same links, terms and lines, to revise a quote;
    its validity starts again from today."""
    async with tenant_scope(tenant_id) as scope:
        original = await _view(scope, await scope.get(Quote, quote_id))
        source = original.quote
        values = {
            "title": source.title,
            "account_id": source.account_id,
            "contact_id": source.contact_id,
            "opportunity_id": source.opportunity_id,
            "payment_terms": source.payment_terms,
            "notes": source.notes,
            "owner_id": source.owner_id if scope.may_own(source.owner_id) else None,
            "lines": [line_in(line) for line in original.lines],
        }
        return await create_quote(tenant_id, values, actor=actor, revision_of=source.id)


def line_in(line: QuoteLine) -> QuoteLineIn:
    return QuoteLineIn(
        description=line.description,
        quantity=Decimal(str(line.quantity)),
        unit_price=Decimal(str(line.unit_price)),
        discount_percent=Decimal(str(line.discount_percent)),
        vat_rate=rate_text(line.vat_rate),
    )


# --- Status changes ----------------------------------------------------------


def _emit(quote: Quote, verb: str, actor: Actor, **data: Any) -> None:
    events.emit(
        events.DomainEvent(
            name=f"quote.{verb}",
            tenant_id=quote.tenant_id,
            actor_id=actor.id,
            actor_role=actor.role,
            object_type="quote",
            object_id=str(quote.id),
            module="sales",
            data={"number": quote.number, "total_net": str(quote.total_net), **data},
        )
    )


async def _status_change(
    scope: TenantScope, quote: Quote, status: str, actor: Actor, columns: list[Any]
) -> None:
    before = quote.status
    quote.status = status
    quote.updated_at = dt.datetime.now(dt.UTC)
    await scope.save(quote, columns=[Quote.status, Quote.updated_at, *columns])
    await audit.record(
        scope,
        actor,
        STATUS_ACTIONS[status],
        object_type="quote",
        object_id=quote.id,
        changes={"status": [before, status], "number": quote.number},
    )


async def next_number(scope: TenantScope, year: int) -> int:
    """The next number of ``year`` in this workspace, taken in the caller's
    transaction: a rollback gives it back, so numbers have no gaps. The
    year's row is made if missing (two first takers meet on the unique
    index, the second one does nothing); the increment locks the row on
    PostgreSQL, so concurrent senders take turns and never share a number."""
    await scope.raw(
        QuoteSequence,
        "INSERT INTO quote_sequences (id, tenant_id, created_at, year, last_number) "
        "VALUES ({}, {}, CURRENT_TIMESTAMP, {}, 0) ON CONFLICT DO NOTHING",
        new_id(),
        scope.tenant_id,
        year,
    )
    rows = await scope.raw(
        QuoteSequence,
        "UPDATE quote_sequences SET last_number = last_number + 1 "
        "WHERE tenant_id = {} AND year = {} RETURNING last_number",
        scope.tenant_id,
        year,
    )
    return int(rows[0]["last_number"])


def quote_number(year: int, number: int) -> str:
    return f"D-{year}-{number:05d}"


async def send_quote(tenant_id: uuid.UUID, quote_id: uuid.UUID | str, *, actor: Actor) -> QuoteView:
    """Draft → sent: its number, its issue date, and its PDF e-mailed to its
    contact through the outbox, all in one transaction (a send that fails
    takes no number)."""
    from comptoir.tenants.quotes.mailing import queue_quote_email

    async with tenant_scope(tenant_id) as scope:
        quote = await scope.get(Quote, quote_id)
        _editable(quote)
        lines = await lines_of(scope, quote.id)
        contact = (
            await scope.unrestricted().find(Contact, quote.contact_id)
            if quote.contact_id is not None
            else None
        )
        errors: dict[str, str] = {}
        if contact is None or not contact.email:
            errors["contact_id"] = "the quote needs a contact with an e-mail address to be sent"
        if not lines:
            errors["lines"] = "a quote needs at least one line to be sent"
        if errors:
            raise ValidationFailed(errors)
        assert contact is not None
        today = await tenant_today(tenant_id)
        number = await next_number(scope, today.year)
        quote.number = quote_number(today.year, number)
        quote.issued_on = today
        quote.sent_at = dt.datetime.now(dt.UTC)
        if quote.valid_until is None or quote.valid_until < today:
            profile = await profile_in(scope)
            quote.valid_until = today + dt.timedelta(days=profile.quote_validity_days)
        await _status_change(
            scope,
            quote,
            "sent",
            actor,
            [Quote.number, Quote.issued_on, Quote.sent_at, Quote.valid_until],
        )
        view = QuoteView(quote, lines, amounts_of(lines))
        await queue_quote_email(scope, view, contact)
        await _reindex(scope, quote)
        _emit(quote, "sent", actor, contact_id=str(contact.id))
        return view


async def accept_quote(
    tenant_id: uuid.UUID,
    quote_id: uuid.UUID | str,
    *,
    actor: Actor,
    win_opportunity: bool = False,
) -> QuoteView:
    """Sent → accepted; with ``win_opportunity``, its opportunity is won too."""
    async with tenant_scope(tenant_id) as scope:
        quote = await scope.get(Quote, quote_id)
        if quote.status != "sent":
            raise Conflict("Only a sent quote can be accepted.")
        if win_opportunity and quote.opportunity_id is None:
            raise ValidationFailed({"win_opportunity": "the quote has no opportunity"})
        quote.decided_at = dt.datetime.now(dt.UTC)
        await _status_change(scope, quote, "accepted", actor, [Quote.decided_at])
        if win_opportunity and quote.opportunity_id is not None:
            from comptoir.tenants.opportunities.service import win_opportunity as win

            await win(tenant_id, quote.opportunity_id, actor=actor)
        _emit(quote, "accepted", actor)
        return await _view(scope, quote)


async def reject_quote(
    tenant_id: uuid.UUID, quote_id: uuid.UUID | str, *, actor: Actor
) -> QuoteView:
    async with tenant_scope(tenant_id) as scope:
        quote = await scope.get(Quote, quote_id)
        if quote.status != "sent":
            raise Conflict("Only a sent quote can be rejected.")
        quote.decided_at = dt.datetime.now(dt.UTC)
        await _status_change(scope, quote, "rejected", actor, [Quote.decided_at])
        _emit(quote, "rejected", actor)
        return await _view(scope, quote)


EXPIRY_BATCH = 500


async def expire_quotes(tenant_id: uuid.UUID, today: dt.date) -> int:
    """Sent quotes whose validity ended before ``today`` become expired; how many."""
    actor = Actor.system("quote expiry")
    expired = 0
    async with tenant_scope(tenant_id) as scope:
        due = await (
            scope.objects(Quote)
            .where(Quote.status == "sent")
            .where(Quote.valid_until < today)
            .order_by(Quote.id)
            .limit(EXPIRY_BATCH)
        )
        for quote in due:
            await _status_change(scope, quote, "expired", actor, [])
            _emit(quote, "expired", actor)
            expired += 1
    return expired
