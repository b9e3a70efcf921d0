"""Invoices and credit notes: their lines, VAT, totals, finalisation and numbers.

An invoice is written final: it gets the next number of the one global
sequence in the transaction that creates it (``take_numbers`` locks the
sequence's row, so concurrent finalisations queue there; a rollback gives the
numbers back, so there is never a gap), its issue time is read after the lock
(numbers follow time), and nothing changes its lines or totals afterwards:
corrections are credit notes. Amounts on a credit note are positive; its kind
says they are owed back."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date
from piccolo.columns import JSON

from comptoir.billing.invoices.tables import Invoice, InvoiceLine, InvoiceSequence
from comptoir.billing.money import LineAmounts, Totals, cents, line_amounts, totals
from comptoir.billing.periods import Period
from comptoir.billing.plans.catalog import PLAN_LABELS, PriceList, price_list
from comptoir.billing.settings import get_billing_settings
from comptoir.billing.subscriptions.service import EU_COUNTRIES, locked_subscription, utcnow
from comptoir.billing.subscriptions.tables import SeatChange, Subscription
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import control_scope, tenant_scope
from comptoir.platform.errors import Conflict, NotFound, ValidationFailed
from comptoir.platform.ids import new_id, parse_id

SEQUENCE = "invoices"
STANDARD = "standard"
REVERSE_CHARGE = "reverse_charge"
ZERO = Decimal("0.00")


# ---- VAT ------------------------------------------------------------------------------


def vat_mode_for(country: str, vat_number: str, seller_country: str = "FR") -> str:
    """Reverse charge ("Autoliquidation", CGI art. 283-2) for a business in
    another EU country with a valid VAT number; French VAT otherwise."""
    from stdnum.eu import vat

    country = (country or "").upper()
    if country == seller_country.upper() or country not in EU_COUNTRIES or not vat_number:
        return STANDARD
    return REVERSE_CHARGE if vat.is_valid(vat_number) else STANDARD


def vat_rate_for(mode: str) -> Decimal:
    return ZERO if mode == REVERSE_CHARGE else Decimal(get_billing_settings().vat_rate)


def buyer_of(subscription: Subscription) -> dict[str, str]:
    return {
        "name": str(subscription.billing_name),
        "address": str(subscription.billing_address),
        "postal_code": str(subscription.billing_postal_code),
        "city": str(subscription.billing_city),
        "country": str(subscription.billing_country),
        "vat_number": str(subscription.vat_number),
        "email": str(subscription.billing_email),
    }


def seller() -> dict[str, str]:
    return get_billing_settings().provider.as_dict()


# ---- lines ----------------------------------------------------------------------------


def month_name(period: Period) -> str:
    return format_date(period.first_day, "MMMM y", locale="fr")


def seat_word(count: int | Decimal) -> str:
    return "utilisateur" if count == 1 else "utilisateurs"


@dataclass(frozen=True)
class DraftLine:
    kind: str  # subscription, proration, upgrade, credit
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    plan: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    days: int = 0
    days_in_period: int = 0

    @property
    def amounts(self) -> LineAmounts:
        return line_amounts(
            self.quantity,
            self.unit_price,
            self.vat_rate,
            days=self.days,
            days_in_period=self.days_in_period,
        )


def subscription_line(
    plan: str, seats: int, price: Decimal, period: Period, vat_rate: Decimal, *, start: dt.date
) -> DraftLine:
    """The period invoiced in advance; from ``start`` when the service starts
    within it (a trial ending mid-month), prorated to the day."""
    prorated = start > period.first_day
    days = period.days_from(start) if prorated else 0
    if prorated:
        span = f"du {format_date(start, 'd MMMM y', locale='fr')} au " + format_date(
            period.last_day, "d MMMM y", locale="fr"
        )
        text = f"Abonnement {PLAN_LABELS[plan]} — {seats} {seat_word(seats)} — {span}"
        text += f" ({days}/{period.days} jours)"
    else:
        text = f"Abonnement {PLAN_LABELS[plan]} — {seats} {seat_word(seats)} — {month_name(period)}"
    return DraftLine(
        kind="subscription",
        description=text,
        plan=plan,
        period_start=start if prorated else period.first_day,
        period_end=period.last_day,
        quantity=Decimal(seats),
        unit_price=price,
        days=days,
        days_in_period=period.days if prorated else 0,
        vat_rate=vat_rate,
    )


def proration_line(change: dict[str, Any], price: Decimal, vat_rate: Decimal) -> DraftLine:
    """Seats added during a period already invoiced, from their day to its end."""
    period = Period.parse(str(change["period"]))
    at = change["at"]
    start = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).date()
    added = int(change["seats_after"]) - int(change["seats_before"])
    days = period.days_from(start)
    plan = str(change["plan"])
    text = (
        f"{added} {seat_word(added)} ajouté{'s' if added > 1 else ''} — Abonnement "
        f"{PLAN_LABELS.get(plan, plan)} — du {format_date(start, 'd MMMM y', locale='fr')} au "
        f"{format_date(period.last_day, 'd MMMM y', locale='fr')} ({days}/{period.days} jours)"
    )
    return DraftLine(
        kind="proration",
        description=text,
        plan=plan,
        period_start=start,
        period_end=period.last_day,
        quantity=Decimal(added),
        unit_price=price,
        days=days,
        days_in_period=period.days,
        vat_rate=vat_rate,
    )


@dataclass
class DraftInvoice:
    """An invoice about to be written final."""

    tenant_id: uuid.UUID
    subscription_id: uuid.UUID | None
    period: str
    purpose: str
    idempotency_key: str
    plan: str
    vat_mode: str
    buyer: dict[str, str]
    payment_terms: str
    lines: list[DraftLine]
    kind: str = "invoice"
    credited_invoice_id: uuid.UUID | None = None
    reason: str = ""
    id: uuid.UUID = field(default_factory=new_id)

    @property
    def amounts(self) -> Totals:
        return totals(line.amounts for line in self.lines)


def number_text(kind: str, sequence_number: int) -> str:
    """The printed number: one sequence for invoices and credit notes, the
    prefix saying which (FA: facture, AV: avoir)."""
    return f"{'AV' if kind == 'credit_note' else 'FA'}{sequence_number:08d}"


# ---- numbering and finalisation -------------------------------------------------------


async def take_numbers(count: int) -> int:
    """Reserve ``count`` consecutive numbers of the global sequence, in the
    caller's transaction; the first of them. The UPDATE locks the sequence's
    row until the transaction ends: finalisations queue here one after the
    other, and a rollback gives the numbers back."""
    await InvoiceSequence.raw(
        "INSERT INTO billing_invoice_sequences (id, name, last_number, updated_at) "
        "VALUES ({}, {}, 0, {}) ON CONFLICT (name) DO NOTHING",
        new_id(),
        SEQUENCE,
        utcnow(),
    )
    rows = await InvoiceSequence.raw(
        "UPDATE billing_invoice_sequences SET last_number = last_number + {} "
        "WHERE name = {} RETURNING last_number",
        count,
        SEQUENCE,
    )
    return int(rows[0]["last_number"]) - count + 1


def _due_date(issue_date: dt.date, payment_terms: str, kind: str) -> dt.date | None:
    if kind == "credit_note":
        return None
    if payment_terms == "card":
        return issue_date
    return issue_date + dt.timedelta(days=get_billing_settings().payment_terms_days)


async def finalise(drafts: Sequence[DraftInvoice]) -> list[Invoice]:
    """Write ``drafts`` final, numbered in order, in the caller's transaction
    (bulk: one sequence update, one insert of invoices, one of lines)."""
    if not drafts:
        return []
    first = await take_numbers(len(drafts))
    # Read after the lock: a later number never carries an earlier time.
    issued_at = utcnow()
    issue_date = issued_at.astimezone(dt.UTC).date()
    seller_identity = seller()
    invoices: list[Invoice] = []
    lines: list[InvoiceLine] = []
    for offset, draft in enumerate(drafts):
        amounts = draft.amounts
        sequence_number = first + offset
        number = number_text(draft.kind, sequence_number)
        invoices.append(
            Invoice(
                id=draft.id,
                for_tenant_id=draft.tenant_id,
                subscription_id=draft.subscription_id,
                kind=draft.kind,
                sequence_number=sequence_number,
                number=number,
                status="open",
                period=draft.period,
                purpose=draft.purpose,
                idempotency_key=draft.idempotency_key,
                issued_at=issued_at,
                issue_date=issue_date,
                due_date=_due_date(issue_date, draft.payment_terms, draft.kind),
                currency="EUR",
                total_net=amounts.net,
                total_vat=amounts.vat,
                total_gross=amounts.gross,
                credited_gross=ZERO,
                vat_mode=draft.vat_mode,
                seller=seller_identity,
                buyer=draft.buyer,
                plan=draft.plan,
                credited_invoice_id=draft.credited_invoice_id,
                reason=draft.reason,
                payment_terms=draft.payment_terms,
                payment_reference=number,
                attempt_count=0,
                created_at=issued_at,
                updated_at=issued_at,
            )
        )
        for position, line in enumerate(draft.lines):
            line_totals = line.amounts
            lines.append(
                InvoiceLine(
                    for_tenant_id=draft.tenant_id,
                    invoice_id=draft.id,
                    position=position,
                    kind=line.kind,
                    description=line.description,
                    plan=line.plan,
                    period_start=line.period_start,
                    period_end=line.period_end,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    days=line.days,
                    days_in_period=line.days_in_period,
                    vat_rate=line.vat_rate,
                    total_net=line_totals.net,
                    total_vat=line_totals.vat,
                    total_gross=line_totals.gross,
                )
            )
    await _insert_rows(Invoice, invoices)
    await _insert_rows(InvoiceLine, lines)
    await _queue_collections(
        [i.id for i in invoices if i.kind == "invoice" and Decimal(i.total_gross) > 0]
    )
    return invoices


async def _queue_collections(invoice_ids: list[uuid.UUID]) -> None:
    if not invoice_ids:
        return
    batch = collection_hook("queue_collections")
    if batch is not None:
        outcome = batch(invoice_ids)
        if inspect.isawaitable(outcome):
            await outcome
        return
    hook = collection_hook()
    if hook is None:
        return
    for invoice_id in invoice_ids:
        outcome = hook(invoice_id)
        if inspect.isawaitable(outcome):
            await outcome


async def _insert_rows(table: type[Invoice] | type[InvoiceLine], rows: Sequence[Any]) -> None:
    """Insert many rows in the current transaction: with COPY on PostgreSQL
    (building Piccolo's multi-row INSERT costs about a millisecond a row,
    which a billing run of 10,000 invoices cannot afford), Piccolo elsewhere."""
    if not rows:
        return
    engine = get_engine()
    transaction = engine.current_transaction.get() if is_postgres(engine) else None
    if transaction is None:
        await table.insert(*rows)
        return
    columns = table._meta.columns
    names = [column._meta.db_column_name for column in columns]
    json_columns = {c._meta.db_column_name for c in columns if isinstance(c, JSON)}
    records = [
        tuple(
            json.dumps(value) if name in json_columns and not isinstance(value, str) else value
            for name, value in (
                (name, getattr(row, column._meta.name))
                for name, column in zip(names, columns, strict=True)
            )
        )
        for row in rows
    ]
    await transaction.connection.copy_records_to_table(
        table._meta.tablename, records=records, columns=names
    )


def collection_hook(name: str = "queue_collection") -> Callable[..., Any] | None:
    """``comptoir.billing.payments.collect.queue_collection`` when the payments
    side provides it: called in the finalising transaction with the invoice's
    id, it queues the collection (a job), never calls a gateway itself.
    Without it an invoice stays open until it is marked paid.

    ``queue_collections`` (a list of ids), when provided, is called once per
    batch instead: a billing run of 10,000 invoices spends three quarters of
    its time in one look-up per invoice otherwise."""
    module_name = "comptoir.billing.payments.collect"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise
    hook = getattr(module, name, None)
    return hook if callable(hook) else None


async def existing_invoice(purpose: str, key: str) -> Invoice | None:
    return (
        await Invoice.objects()
        .where((Invoice.purpose == purpose) & (Invoice.idempotency_key == key))
        .first()
    )


async def issue(draft: DraftInvoice) -> Invoice:
    """Write one draft final, once: a second call with the same purpose and
    key answers the invoice the first made. Joins the caller's transaction."""
    async with control_scope():
        found = await existing_invoice(draft.purpose, draft.idempotency_key)
        if found is not None:
            return found
        return (await finalise([draft]))[0]


# ---- upgrades ------------------------------------------------------------------------


async def invoice_upgrade(
    subscription: Subscription,
    from_plan: str,
    to_plan: str,
    *,
    key: str,
    now: dt.datetime,
) -> uuid.UUID | None:
    """The price difference for the rest of a period already invoiced, at the
    seats paid for, prorated to the day (the upgrade's day included). None when
    the current period has not been invoiced yet (its invoice will bill the
    new plan) or nothing is left of it."""
    period = Period.of(now)
    if subscription.billed_through != str(period):
        return None
    prices = await price_list(period)
    difference = prices[to_plan] - prices[from_plan]
    days = period.days_from(now)
    seats = int(subscription.seats_billed)
    if difference <= 0 or days == 0 or seats == 0:
        return None
    mode = vat_mode_for(str(subscription.billing_country), str(subscription.vat_number))
    start = now.astimezone(dt.UTC).date()
    line = DraftLine(
        kind="upgrade",
        description=(
            f"Passage de {PLAN_LABELS[from_plan]} à {PLAN_LABELS[to_plan]} — {seats} "
            f"{seat_word(seats)} — du {format_date(start, 'd MMMM y', locale='fr')} au "
            f"{format_date(period.last_day, 'd MMMM y', locale='fr')} ({days}/{period.days} jours)"
        ),
        plan=to_plan,
        period_start=start,
        period_end=period.last_day,
        quantity=Decimal(seats),
        unit_price=difference,
        days=days,
        days_in_period=period.days,
        vat_rate=vat_rate_for(mode),
    )
    invoice = await issue(
        DraftInvoice(
            tenant_id=subscription.for_tenant_id,
            subscription_id=subscription.id,
            period=str(period),
            purpose="upgrade",
            idempotency_key=key,
            plan=to_plan,
            vat_mode=mode,
            buyer=buyer_of(subscription),
            payment_terms=str(subscription.payment_terms),
            lines=[line],
        )
    )
    return invoice.id


# ---- credit notes --------------------------------------------------------------------


@dataclass(frozen=True)
class CreditLine:
    description: str
    quantity: Decimal
    unit_price: Decimal  # excluding VAT


def _decimal(value: Any, field_name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationFailed({field_name: "must be a decimal number"}) from error
    if not number.is_finite():
        raise ValidationFailed({field_name: "must be a decimal number"})
    return number


async def issue_credit_note(
    invoice_id: uuid.UUID | str,
    *,
    reason: str,
    actor: Actor,
    lines: Sequence[CreditLine] | None = None,
    amount: Decimal | str | None = None,
    now: dt.datetime | None = None,
) -> Invoice:
    """Credit (part of) a final invoice: ``lines``, or one line of ``amount``
    excluding VAT, at the invoice's VAT. The credit note gets the next number
    of the sequence; the invoice is never edited (only its credited sum grows,
    and an unpaid invoice credited in full is void)."""
    parsed = invoice_id if isinstance(invoice_id, uuid.UUID) else parse_id(invoice_id)
    if parsed is None:
        raise NotFound("No such invoice.")
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "is required"
    elif len(reason) > 500 or "\x00" in reason:
        errors["reason"] = "must be at most 500 characters of text"
    if (lines is None) == (amount is None):
        errors["amount"] = "give either an amount or lines"
    if errors:
        raise ValidationFailed(errors)
    invoice = await Invoice.objects().where(Invoice.id == parsed).first()
    if invoice is None:
        raise NotFound("No such invoice.")
    now = now or utcnow()
    mode = str(invoice.vat_mode)
    rate = vat_rate_for(mode) if mode == REVERSE_CHARGE else _invoice_rate(invoice)
    if amount is not None:
        value = _decimal(amount, "amount")
        if value <= 0 or value != cents(value):
            raise ValidationFailed({"amount": "must be a positive amount in euros and cents"})
        draft_lines = [
            DraftLine(
                kind="credit",
                description=f"Avoir sur la facture {invoice.number} — {reason}",
                quantity=Decimal(1),
                unit_price=value,
                vat_rate=rate,
            )
        ]
    else:
        assert lines is not None
        if not lines:
            raise ValidationFailed({"lines": "give at least one line"})
        draft_lines = []
        for index, line in enumerate(lines):
            quantity = _decimal(line.quantity, f"lines[{index}].quantity")
            price = _decimal(line.unit_price, f"lines[{index}].unit_price")
            if quantity <= 0 or price <= 0:
                raise ValidationFailed({f"lines[{index}]": "quantity and price must be positive"})
            description = line.description.strip() or f"Avoir sur la facture {invoice.number}"
            draft_lines.append(
                DraftLine(
                    kind="credit",
                    description=description[:500],
                    quantity=quantity,
                    unit_price=cents(price),
                    vat_rate=rate,
                )
            )
    async with tenant_scope(invoice.for_tenant_id) as scope:
        # The number sequence first (the billing run's order), which also
        # queues two credit notes on one invoice: the second sees what the
        # first credited.
        await take_numbers(0)
        if invoice.subscription_id is not None:
            await locked_subscription(invoice.for_tenant_id)
        invoice = await Invoice.objects().where(Invoice.id == parsed).first()
        assert invoice is not None
        if invoice.kind != "invoice" or invoice.status == "draft" or invoice.number is None:
            raise Conflict("Only a final invoice can be credited.")
        draft = DraftInvoice(
            tenant_id=invoice.for_tenant_id,
            subscription_id=invoice.subscription_id,
            period=str(invoice.period),
            purpose="credit_note",
            idempotency_key=str(new_id()),
            plan=str(invoice.plan),
            vat_mode=mode,
            buyer=dict(_json(invoice.buyer)),
            payment_terms=str(invoice.payment_terms),
            lines=draft_lines,
            kind="credit_note",
            credited_invoice_id=invoice.id,
            reason=reason,
        )
        credited = Decimal(invoice.credited_gross) + draft.amounts.gross
        if credited > Decimal(invoice.total_gross):
            left = Decimal(invoice.total_gross) - Decimal(invoice.credited_gross)
            raise ValidationFailed(
                {"amount": f"exceeds what is left to credit on this invoice ({left} € incl. VAT)"}
            )
        note = (await finalise([draft]))[0]
        values: dict[Any, Any] = {Invoice.credited_gross: credited, Invoice.updated_at: now}
        if credited == Decimal(invoice.total_gross) and invoice.status == "open":
            values[Invoice.status] = "void"
            values[Invoice.voided_at] = now
            values[Invoice.next_attempt_at] = None
        await Invoice.update(values).where(Invoice.id == invoice.id)
        await audit.record(
            scope,
            actor,
            "billing.credit_note",
            object_type="invoice",
            object_id=invoice.id,
            changes={
                "credit_note": note.number,
                "gross": str(draft.amounts.gross),
                "reason": reason,
            },
        )
    return note


def _invoice_rate(invoice: Invoice) -> Decimal:
    net = Decimal(invoice.total_net)
    if net == 0:
        return vat_rate_for(STANDARD)
    return vat_rate_for(STANDARD) if Decimal(invoice.total_vat) else ZERO


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    loaded = json.loads(value or "{}")
    return loaded if isinstance(loaded, dict) else {}


# ---- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    lines: list[InvoiceLine]

    @property
    def seller(self) -> dict[str, Any]:
        return _json(self.invoice.seller)

    @property
    def buyer(self) -> dict[str, Any]:
        return _json(self.invoice.buyer)

    @property
    def amount_due(self) -> Decimal:
        if self.invoice.kind != "invoice" or self.invoice.status in ("paid", "void"):
            return ZERO
        return Decimal(self.invoice.total_gross) - Decimal(self.invoice.credited_gross)


async def invoice_of_tenant(tenant_id: uuid.UUID, invoice_id: str | uuid.UUID) -> InvoiceView:
    """One of this tenant's invoices; another tenant's id is not found."""
    parsed = invoice_id if isinstance(invoice_id, uuid.UUID) else parse_id(invoice_id)
    if parsed is None:
        raise NotFound("No such invoice.")
    invoice = (
        await Invoice.objects()
        .where((Invoice.id == parsed) & (Invoice.for_tenant_id == tenant_id))
        .first()
    )
    if invoice is None or invoice.status == "draft":
        raise NotFound("No such invoice.")
    grouped = await lines_by_invoice([invoice.id])
    return InvoiceView(invoice=invoice, lines=grouped.get(invoice.id, []))


async def lines_by_invoice(invoice_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[InvoiceLine]]:
    grouped: dict[uuid.UUID, list[InvoiceLine]] = {i: [] for i in invoice_ids}
    if not invoice_ids:
        return grouped
    rows = (
        await InvoiceLine.objects()
        .where(InvoiceLine.invoice_id.is_in(list(invoice_ids)))
        .order_by(InvoiceLine.position)
    )
    for row in rows:
        grouped.setdefault(row.invoice_id, []).append(row)
    return grouped


async def invoice_by_id(invoice_id: uuid.UUID | str) -> InvoiceView:
    """Any tenant's invoice (console)."""
    parsed = invoice_id if isinstance(invoice_id, uuid.UUID) else parse_id(invoice_id)
    invoice = (
        None if parsed is None else await Invoice.objects().where(Invoice.id == parsed).first()
    )
    if invoice is None:
        raise NotFound("No such invoice.")
    grouped = await lines_by_invoice([invoice.id])
    return InvoiceView(invoice=invoice, lines=grouped.get(invoice.id, []))


# ---- estimate ------------------------------------------------------------------------


async def unbilled_seat_changes(
    subscription_ids: Sequence[uuid.UUID], before: Period
) -> list[dict[str, Any]]:
    if not subscription_ids:
        return []
    return list(
        await SeatChange.select()
        .where(
            SeatChange.subscription_id.is_in(list(subscription_ids))
            & SeatChange.invoice_id.is_null()
            & (SeatChange.period < str(before))
        )
        .order_by(SeatChange.at)
    )


async def estimate_lines(
    subscription: Subscription, period: Period, plan: str, seats: int, prices: PriceList
) -> tuple[list[DraftLine], Totals]:
    """The lines the invoice of ``period`` would have if it were made now."""
    mode = vat_mode_for(str(subscription.billing_country), str(subscription.vat_number))
    rate = vat_rate_for(mode)
    lines: list[DraftLine] = []
    price_cache: dict[str, PriceList] = {str(period): prices}
    for change in await unbilled_seat_changes([subscription.id], period):
        change_period = str(change["period"])
        if change_period not in price_cache:
            price_cache[change_period] = await price_list(Period.parse(change_period))
        change_prices = price_cache[change_period]
        lines.append(proration_line(change, change_prices[str(change["plan"])], rate))
    trial_end = subscription.trial_ends_at
    start = period.first_day
    if trial_end is not None:
        trial_day = (
            (trial_end if trial_end.tzinfo else trial_end.replace(tzinfo=dt.UTC))
            .astimezone(dt.UTC)
            .date()
        )
        start = max(start, trial_day)
    lines.append(subscription_line(plan, seats, prices[plan], period, rate, start=start))
    return lines, totals(line.amounts for line in lines)


async def invoices_page(
    tenant_id: uuid.UUID, *, cursor: str | None, limit: int | None
) -> tuple[list[InvoiceView], str | None]:
    """A tenant's invoices and credit notes, newest first, with their lines."""
    from comptoir.platform.db.pagination import keyset_page

    query = Invoice.objects().where(
        (Invoice.for_tenant_id == tenant_id) & (Invoice.status != "draft")
    )
    page = await keyset_page(query, Invoice, cursor=cursor, limit=limit)
    grouped = await lines_by_invoice([invoice.id for invoice in page.items])
    views = [InvoiceView(invoice=i, lines=grouped.get(i.id, [])) for i in page.items]
    return views, page.next_cursor
