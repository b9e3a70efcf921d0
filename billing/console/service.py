"""What staff see of billing and do to it in the console: the figures (MRR,
ARR, subscriptions by status, churn, failed payments), one tenant's billing
history, and three actions (a transfer marked received, a trial extended, a
credit note), each written to the staff audit log.

Reads here cross every tenant (the ledger is the control plane's); writes go
through the owning services (``outcomes``, the ledger's subscriptions and
invoices)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from piccolo.query.functions.aggregate import Count

from comptoir.billing.invoices.service import issue_credit_note
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.payments.outcomes import amount_due, mark_invoice_paid, restore_standing
from comptoir.billing.payments.tables import PaymentAttempt, WebhookEvent
from comptoir.billing.periods import current_period
from comptoir.billing.plans.catalog import price_list
from comptoir.billing.subscriptions.service import extend_trial as ledger_extend_trial
from comptoir.billing.subscriptions.service import find_subscription
from comptoir.billing.subscriptions.tables import Subscription, SubscriptionTransition
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import StaffUser
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Conflict, NotFound, ValidationFailed
from comptoir.platform.ids import parse_id

STATUSES = ("trialing", "active", "past_due", "suspended", "canceled")
# Subscriptions billed every month: what MRR counts.
BILLED = ("active", "past_due")
CHURN_WINDOW = dt.timedelta(days=30)
LIST_LIMIT = 50
HISTORY_LIMIT = 100
MAX_TRIAL_EXTENSION_DAYS = 90
MIN_REASON_LENGTH = 3


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# ---- the figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedPayment:
    attempt: PaymentAttempt
    tenant_name: str
    tenant_id: uuid.UUID
    invoice_number: str
    invoice_status: str  # what became of the invoice since: open, paid, void


@dataclass(frozen=True)
class AwaitedTransfer:
    invoice: Invoice
    tenant_name: str
    amount_due: Decimal
    overdue: bool


@dataclass(frozen=True)
class BillingOverview:
    mrr: Decimal
    arr: Decimal
    counts: dict[str, int]
    billed_seats: int
    churn_rate: float | None  # None without subscriptions billed 30 days ago
    churned: int
    active_at_start: int
    failed_payments: list[FailedPayment] = field(default_factory=list)
    awaited_transfers: list[AwaitedTransfer] = field(default_factory=list)
    prices: dict[str, Decimal] = field(default_factory=dict)
    # Stripe events parked until their record exists (their job retries them).
    parked_events: int = 0


async def _names(tenant_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not tenant_ids:
        return {}
    rows = await Tenant.select(Tenant.id, Tenant.company_name).where(
        Tenant.id.is_in(list(tenant_ids))
    )
    return {row["id"]: str(row["company_name"]) for row in rows}


async def _churn(now: dt.datetime) -> tuple[int, int]:
    """(subscriptions canceled in the last 30 days that were billed at the
    window's start, subscriptions billed at the window's start), from the
    recorded transitions: a subscription's status at a moment is the one its
    last transition before that moment left."""
    start = now - CHURN_WINDOW
    rows = await (
        SubscriptionTransition.select(
            SubscriptionTransition.subscription_id,
            SubscriptionTransition.to_status,
            SubscriptionTransition.at,
        )
        .where(SubscriptionTransition.at <= now)
        .order_by(SubscriptionTransition.at)
    )
    at_start: dict[uuid.UUID, str] = {}
    canceled_in_window: set[uuid.UUID] = set()
    for row in rows:
        moment = _aware(row["at"])
        if moment <= start:
            at_start[row["subscription_id"]] = str(row["to_status"])
        elif row["to_status"] == "canceled":
            canceled_in_window.add(row["subscription_id"])
    billed_at_start = {sid for sid, status in at_start.items() if status in BILLED}
    return len(canceled_in_window & billed_at_start), len(billed_at_start)


async def billing_overview(now: dt.datetime | None = None) -> BillingOverview:
    now = now or utcnow()
    counts: Counter[str] = Counter()
    for row in await Subscription.select(Subscription.status, Count(alias="n")).group_by(
        Subscription.status
    ):
        counts[str(row["status"])] = int(row["n"])
    prices = (await price_list(current_period(now))).prices
    mrr = Decimal("0")
    seats = 0
    for row in await Subscription.select(Subscription.plan, Subscription.seats_billed).where(
        Subscription.status.is_in(list(BILLED))
    ):
        plan_seats = max(int(row["seats_billed"] or 0), 0)
        seats += plan_seats
        mrr += prices.get(str(row["plan"]), Decimal("0")) * plan_seats
    churned, active_at_start = await _churn(now)
    failed = await (
        PaymentAttempt.objects()
        .where(PaymentAttempt.status == "failed")
        .order_by(PaymentAttempt.at, ascending=False)
        .limit(LIST_LIMIT)
    )
    awaited = await (
        Invoice.objects()
        .where(
            (Invoice.status == "open")
            & (Invoice.kind == "invoice")
            & (Invoice.payment_terms != "card")
        )
        .order_by(Invoice.due_date)
        .limit(LIST_LIMIT)
    )
    invoice_ids = {attempt.invoice_id for attempt in failed}
    found = (
        await Invoice.select(Invoice.id, Invoice.number, Invoice.status).where(
            Invoice.id.is_in(list(invoice_ids))
        )
        if invoice_ids
        else []
    )
    numbers = {row["id"]: str(row["number"] or "") for row in found}
    statuses = {row["id"]: str(row["status"]) for row in found}
    names = await _names(
        {a.for_tenant_id for a in failed} | {invoice.for_tenant_id for invoice in awaited}
    )
    return BillingOverview(
        mrr=mrr.quantize(Decimal("0.01")),
        arr=(mrr * 12).quantize(Decimal("0.01")),
        counts={status: counts.get(status, 0) for status in STATUSES},
        billed_seats=seats,
        churn_rate=(churned / active_at_start) if active_at_start else None,
        churned=churned,
        active_at_start=active_at_start,
        failed_payments=[
            FailedPayment(
                attempt=attempt,
                tenant_name=names.get(attempt.for_tenant_id, "—"),
                tenant_id=attempt.for_tenant_id,
                invoice_number=numbers.get(attempt.invoice_id, ""),
                invoice_status=statuses.get(attempt.invoice_id, ""),
            )
            for attempt in failed
        ],
        awaited_transfers=[
            AwaitedTransfer(
                invoice=invoice,
                tenant_name=names.get(invoice.for_tenant_id, "—"),
                amount_due=amount_due(invoice),
                overdue=invoice.due_date is not None and invoice.due_date < now.date(),
            )
            for invoice in awaited
        ],
        prices=dict(prices),
        parked_events=await WebhookEvent.count().where(WebhookEvent.status == "retry"),
    )


# ---- one tenant ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantBilling:
    tenant: Tenant
    subscription: Subscription | None
    transitions: list[SubscriptionTransition]
    invoices: list[Invoice]
    attempts: list[PaymentAttempt]
    events: list[WebhookEvent]
    numbers: dict[uuid.UUID, str]

    def due(self, invoice: Invoice) -> Decimal:
        return amount_due(invoice)

    @property
    def open_invoices(self) -> list[Invoice]:
        return [i for i in self.invoices if i.kind == "invoice" and i.status == "open"]

    @property
    def creditable_invoices(self) -> list[Invoice]:
        return [
            i
            for i in self.invoices
            if i.kind == "invoice"
            and i.status in ("open", "paid")
            and Decimal(i.credited_gross) < Decimal(i.total_gross)
        ]


async def get_tenant(tenant_id: str) -> Tenant:
    parsed = parse_id(tenant_id)
    tenant = await Tenant.objects().where(Tenant.id == parsed).first() if parsed else None
    if tenant is None:
        raise NotFound("No such tenant.")
    return tenant


async def tenant_billing(tenant: Tenant) -> TenantBilling:
    transitions = await (
        SubscriptionTransition.objects()
        .where(SubscriptionTransition.for_tenant_id == tenant.id)
        .order_by(SubscriptionTransition.at, ascending=False)
        .limit(HISTORY_LIMIT)
    )
    invoices = await (
        Invoice.objects()
        .where(Invoice.for_tenant_id == tenant.id)
        .order_by(Invoice.created_at, ascending=False)
        .order_by(Invoice.id, ascending=False)
        .limit(HISTORY_LIMIT)
    )
    attempts = await (
        PaymentAttempt.objects()
        .where(PaymentAttempt.for_tenant_id == tenant.id)
        .order_by(PaymentAttempt.at, ascending=False)
        .limit(HISTORY_LIMIT)
    )
    events = await (
        WebhookEvent.objects()
        .where(WebhookEvent.for_tenant_id == tenant.id)
        .order_by(WebhookEvent.received_at, ascending=False)
        .limit(20)
    )
    numbers = {invoice.id: str(invoice.number or "") for invoice in invoices}
    missing = {a.invoice_id for a in attempts} - set(numbers)
    if missing:
        for row in await Invoice.select(Invoice.id, Invoice.number).where(
            Invoice.id.is_in(list(missing))
        ):
            numbers[row["id"]] = str(row["number"] or "")
    return TenantBilling(
        tenant=tenant,
        subscription=await find_subscription(tenant.id),
        transitions=transitions,
        invoices=invoices,
        attempts=attempts,
        events=events,
        numbers=numbers,
    )


# ---- staff actions ---------------------------------------------------------------------------


def staff_actor(staff: StaffUser, tenant_id: uuid.UUID, ip_address: str) -> Actor:
    return Actor(
        kind="staff",
        id=staff.id,
        label=f"{staff.email} (Comptoir staff)",
        tenant_id=tenant_id,
        ip_address=ip_address,
    )


def _reason(reason: str, name: str = "reason") -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH or "\x00" in reason:
        raise ValidationFailed({name: f"give a reason of at least {MIN_REASON_LENGTH} characters"})
    if len(reason) > 500:
        raise ValidationFailed({name: "must be at most 500 characters"})
    return reason


async def _tenant_invoice(tenant: Tenant, invoice_id: str) -> Invoice:
    parsed = parse_id(invoice_id)
    found = (
        await Invoice.objects()
        .where((Invoice.id == parsed) & (Invoice.for_tenant_id == tenant.id))
        .first()
        if parsed
        else None
    )
    if found is None:
        raise NotFound("No such invoice for this tenant.")
    return found


async def mark_transfer_paid(
    tenant: Tenant, invoice_id: str, *, staff: StaffUser, note: str, ip_address: str = ""
) -> Invoice:
    """Staff saw the transfer arrive: the invoice is paid (and the
    subscription back in good standing, the workspace reactivated)."""
    invoice = await _tenant_invoice(tenant, invoice_id)
    note = note.strip()[:500]
    if "\x00" in note:
        raise ValidationFailed({"note": "must be text"})
    if invoice.kind != "invoice" or invoice.status != "open":
        raise Conflict("Only an open invoice can be marked paid.")
    actor = staff_actor(staff, tenant.id, ip_address)
    async with tenant_scope(tenant.id) as scope:
        if not await mark_invoice_paid(
            scope, invoice, gateway="bank_transfer", actor=actor, note=note or "transfer received"
        ):
            raise Conflict("This invoice was paid meanwhile.")
        await audit.record_staff(
            staff.id,
            staff.email,
            "billing.mark_paid",
            target_tenant=tenant.id,
            detail={"invoice": invoice.number, "amount": str(amount_due(invoice)), "note": note},
            ip_address=ip_address,
        )
    return invoice


async def extend_trial(
    tenant: Tenant, days: str, *, staff: StaffUser, reason: str, ip_address: str = ""
) -> Subscription:
    """Give the tenant ``days`` more days of trial, from the later of now and
    the trial's current end."""
    errors: dict[str, str] = {}
    try:
        count = int(days.strip())
        if not 1 <= count <= MAX_TRIAL_EXTENSION_DAYS:
            raise ValueError
    except ValueError:
        errors["days"] = f"must be a whole number of days from 1 to {MAX_TRIAL_EXTENSION_DAYS}"
        count = 0
    try:
        reason = _reason(reason)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    subscription = await find_subscription(tenant.id)
    if subscription is None:
        raise NotFound("This workspace has no subscription.")
    now = utcnow()
    current_end = _aware(subscription.trial_ends_at) if subscription.trial_ends_at else now
    until = max(current_end, now) + dt.timedelta(days=count)
    actor = staff_actor(staff, tenant.id, ip_address)
    extended = await ledger_extend_trial(tenant.id, until, actor=actor, now=now)
    await audit.record_staff(
        staff.id,
        staff.email,
        "billing.trial_extend",
        target_tenant=tenant.id,
        detail={"days": count, "until": until.isoformat(), "reason": reason},
        ip_address=ip_address,
    )
    return extended


async def apply_credit_note(
    tenant: Tenant,
    invoice_id: str,
    amount: str,
    *,
    staff: StaffUser,
    reason: str,
    ip_address: str = "",
) -> Invoice:
    """A credit note of ``amount`` (euros excluding VAT) against one of the
    tenant's invoices, by the ledger's credit note service; an invoice
    credited in full no longer keeps the subscription in arrears."""
    invoice = await _tenant_invoice(tenant, invoice_id)
    reason = _reason(reason)
    cleaned = amount.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not cleaned:
        raise ValidationFailed({"amount": "is required"})
    actor = staff_actor(staff, tenant.id, ip_address)
    note = await issue_credit_note(invoice.id, reason=reason, actor=actor, amount=cleaned)
    await audit.record_staff(
        staff.id,
        staff.email,
        "billing.credit_note",
        target_tenant=tenant.id,
        detail={
            "invoice": invoice.number,
            "credit_note": note.number,
            "gross": str(note.total_gross),
            "reason": reason,
        },
        ip_address=ip_address,
    )
    async with tenant_scope(tenant.id) as scope:
        await restore_standing(scope, tenant.id, cause="credited", actor=actor)
    return note
