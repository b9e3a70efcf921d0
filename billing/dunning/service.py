"""Dunning: what happens when an invoice is not paid.

- A card payment that fails puts the subscription past_due (a transition
  with its cause) and is retried on the days after the first failure that the
  settings give (3, 5 and 7 by default); each failure e-mails the billing
  contact with the amount, the invoice number, the next retry and a link to
  update the card.
- A bank-transfer invoice past its due date puts the subscription past_due
  too, with a reminder the day after the due date and on the same days after it.
- A subscription past_due for longer than the grace period (a setting) is
  suspended, and so is its workspace (the platform's suspension: users see the
  suspended page, every record is kept).
- A payment puts it back (``outcomes.restore_standing``).

``sweep`` runs every hour as a periodic job; each step is conditional on the
state it changes, so a sweep run twice, or by two workers, does each thing once."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

import structlog

from comptoir.billing.dunning import emails
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.payments.outcomes import (
    IN_GOOD_STANDING,
    SYSTEM,
    amount_due,
    move_subscription,
    outstanding_invoices,
    restore_standing,
    settle_attempt_failed,
    subscription_of,
    utcnow,
)
from comptoir.billing.payments.tables import PaymentAttempt
from comptoir.billing.settings import get_billing_settings
from comptoir.billing.subscriptions.tables import Subscription
from comptoir.platform.audit import service as audit
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory import service as directory
from comptoir.platform.jobs.kinds import JobContext

log = structlog.get_logger(__name__)

CARD = "card"


def retry_at(first_failure: dt.datetime, failures: int) -> dt.datetime | None:
    """When to try a card again after ``failures`` failed attempts, counted
    from the first failure; None once the retries are used up."""
    days = get_billing_settings().dunning_retry_days
    if failures < 1 or failures > len(days):
        return None
    return first_failure + dt.timedelta(days=days[failures - 1])


def suspension_at(subscription: Subscription) -> dt.datetime | None:
    """When a past_due subscription will be suspended if nothing is paid."""
    if subscription.past_due_since is None:
        return None
    return subscription.past_due_since + dt.timedelta(
        days=get_billing_settings().dunning_grace_days
    )


async def _first_failure(invoice_id: uuid.UUID, fallback: dt.datetime) -> dt.datetime:
    first = await (
        PaymentAttempt.select(PaymentAttempt.at)
        .where((PaymentAttempt.invoice_id == invoice_id) & (PaymentAttempt.status == "failed"))
        .order_by(PaymentAttempt.at)
        .first()
    )
    return first["at"] if first and first["at"] is not None else fallback


async def fall_past_due(
    tenant_id: uuid.UUID, *, cause: str, detail: str, now: dt.datetime
) -> Subscription | None:
    """Move a subscription in good standing to past_due, from now."""
    return await move_subscription(
        tenant_id, "past_due", only_from=IN_GOOD_STANDING, cause=cause, detail=detail, now=now
    )


async def record_failed_payment(
    scope: TenantScope,
    invoice: Invoice,
    attempt: PaymentAttempt,
    *,
    error_code: str,
    error_message: str,
    payment_id: str | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """A card payment of ``invoice`` failed: settle the attempt, schedule the
    next retry, put the subscription past_due and tell the customer. Once per
    attempt (False if it was already settled, or the invoice is paid)."""
    now = now or utcnow()
    if not await settle_attempt_failed(
        attempt,
        error_code=error_code,
        error_message=error_message,
        payment_id=payment_id,
        now=now,
    ):
        return False
    current = await Invoice.objects().where(Invoice.id == invoice.id).first()
    if current is None or current.status != "open":
        return False  # paid meanwhile (a late failure never undoes a payment)
    failures = max(current.attempt_count, attempt.attempt_number)
    next_retry = retry_at(await _first_failure(invoice.id, now), failures)
    await Invoice.update(
        {
            Invoice.attempt_count: failures,
            Invoice.next_attempt_at: next_retry,
            Invoice.updated_at: now,
        }
    ).where(Invoice.id == invoice.id)
    current.attempt_count, current.next_attempt_at = failures, next_retry
    await fall_past_due(
        invoice.for_tenant_id,
        cause="payment_failed",
        detail=f"{invoice.number or invoice.id}: {error_message or error_code}",
        now=now,
    )
    subscription = await subscription_of(invoice.for_tenant_id)
    tenant = await directory.tenant_by_id(invoice.for_tenant_id)
    if tenant is not None:
        await emails.queue_dunning_email(
            scope,
            emails.PAYMENT_FAILED,
            tenant=tenant,
            subscription=subscription,
            invoice=current,
            amount=amount_due(current),
            next_retry_at=next_retry,
            suspend_at=suspension_at(subscription) if subscription else None,
            reason=error_message,
        )
    await audit.record(
        scope,
        SYSTEM,
        "billing.payment_failed",
        object_type="invoice",
        object_id=invoice.id,
        changes={
            "number": invoice.number,
            "attempt": attempt.attempt_number,
            "error": error_code,
            "next_retry": next_retry,
        },
    )
    log.info(
        "billing.payment_failed",
        invoice=str(invoice.id),
        attempt=attempt.attempt_number,
        next_retry=str(next_retry),
    )
    return True


# ---- the hourly sweep ----------------------------------------------------------------


@dataclass
class SweepReport:
    retries_queued: int = 0
    reminders_sent: int = 0
    suspended: int = 0
    restored: int = 0


async def queue_due_retries(now: dt.datetime) -> int:
    """Card invoices whose next retry is due get a collection job (one per
    invoice while unfinished: the queue's unique key)."""
    from comptoir.billing.payments.collect import queue_collection

    due = await Invoice.select(Invoice.id, Invoice.for_tenant_id).where(
        (Invoice.status == "open")
        & (Invoice.kind == "invoice")
        & (Invoice.payment_terms == CARD)
        & (Invoice.next_attempt_at.is_not_null())
        & (Invoice.next_attempt_at <= now)
    )
    queued = 0
    for row in due:
        if await queue_collection(row["id"], tenant_id=row["for_tenant_id"]) is not None:
            queued += 1
    return queued


def _reminder_time(due_date: dt.date, offset_days: int) -> dt.datetime:
    day = due_date + dt.timedelta(days=offset_days)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


async def send_transfer_reminders(now: dt.datetime) -> int:
    """Bank-transfer invoices past their due date: the subscription falls
    past_due, and the customer is reminded the day after the due date, then
    on each dunning day after it (``attempt_count`` counts the reminders)."""
    rows = await Invoice.objects().where(
        (Invoice.status == "open")
        & (Invoice.kind == "invoice")
        & (Invoice.payment_terms != CARD)
        & (Invoice.due_date.is_not_null())
        & (Invoice.due_date < now.date())
    )
    days = get_billing_settings().dunning_retry_days
    sent = 0
    for invoice in rows:
        if amount_due(invoice) <= 0:
            continue
        if invoice.next_attempt_at is not None and invoice.next_attempt_at > now:
            continue
        if invoice.attempt_count > len(days):
            continue
        sent += await _remind(invoice, days, now)
    return sent


async def _remind(invoice: Invoice, days: tuple[int, ...], now: dt.datetime) -> int:
    assert invoice.due_date is not None
    reminders = invoice.attempt_count
    # The reminder after this one, or none when this is the last.
    following = _reminder_time(invoice.due_date, days[reminders]) if reminders < len(days) else None
    async with tenant_scope(invoice.for_tenant_id) as scope:
        claimed = await (
            Invoice.update(
                {
                    Invoice.attempt_count: reminders + 1,
                    Invoice.next_attempt_at: following,
                    Invoice.updated_at: now,
                }
            )
            .where(
                (Invoice.id == invoice.id)
                & (Invoice.status == "open")
                & (Invoice.attempt_count == reminders)
            )
            .returning(Invoice.id)
        )
        if not claimed:
            return 0
        await fall_past_due(
            invoice.for_tenant_id,
            cause="invoice_overdue",
            detail=f"{invoice.number or invoice.id} due {invoice.due_date.isoformat()}",
            now=now,
        )
        subscription = await subscription_of(invoice.for_tenant_id)
        tenant = await directory.tenant_by_id(invoice.for_tenant_id)
        if tenant is None:
            return 0
        await emails.queue_dunning_email(
            scope,
            emails.TRANSFER_OVERDUE,
            tenant=tenant,
            subscription=subscription,
            invoice=invoice,
            amount=amount_due(invoice),
            suspend_at=suspension_at(subscription) if subscription else None,
        )
        await audit.record(
            scope,
            SYSTEM,
            "billing.transfer_reminder",
            object_type="invoice",
            object_id=invoice.id,
            changes={"number": invoice.number, "reminder": reminders + 1},
        )
    return 1


async def suspend_after_grace(now: dt.datetime) -> tuple[int, int]:
    """Suspend the subscriptions past_due for longer than the grace period
    (and their workspaces); those with nothing left overdue are restored
    instead. Returns (suspended, restored)."""
    grace = dt.timedelta(days=get_billing_settings().dunning_grace_days)
    rows = await Subscription.objects().where(
        (Subscription.status == "past_due")
        & (Subscription.past_due_since.is_not_null())
        & (Subscription.past_due_since <= now - grace)
    )
    suspended = restored = 0
    for subscription in rows:
        async with tenant_scope(subscription.for_tenant_id) as scope:
            overdue = await outstanding_invoices(subscription.for_tenant_id, today=now.date())
            card_missing = not subscription.payment_method_id and (
                subscription.payment_terms == CARD
                or get_billing_settings().card_required_after_trial
            )
            if not overdue and not card_missing:
                restored += await restore_standing(
                    scope, subscription.for_tenant_id, cause="nothing_overdue", now=now
                )
                continue
            if await suspend_for_non_payment(scope, subscription, overdue=overdue, now=now):
                suspended += 1
    return suspended, restored


async def suspend_for_non_payment(
    scope: TenantScope,
    subscription: Subscription,
    *,
    overdue: list[Invoice],
    now: dt.datetime,
) -> bool:
    numbers = ", ".join(str(invoice.number or invoice.id) for invoice in overdue)
    # The workspace follows the subscription: suspended, data kept.
    if (
        await move_subscription(
            subscription.for_tenant_id,
            "suspended",
            only_from=("past_due",),
            cause="grace_expired",
            detail=f"Unpaid: {numbers}" if numbers else "No payment method after the trial",
            now=now,
        )
        is None
    ):
        return False
    tenant = await directory.tenant_by_id(subscription.for_tenant_id)
    if tenant is None:
        return True
    total = sum((amount_due(invoice) for invoice in overdue), start=Decimal("0"))
    await emails.queue_dunning_email(
        scope,
        emails.SUSPENDED,
        tenant=tenant,
        subscription=subscription,
        invoice=overdue[0] if overdue else None,
        amount=total,
    )
    await audit.record(
        scope,
        SYSTEM,
        "billing.suspended",
        object_type="subscription",
        object_id=subscription.id,
        changes={"status": ["past_due", "suspended"], "invoices": numbers},
    )
    log.info("billing.suspended", tenant=str(tenant.id), invoices=numbers)
    return True


async def sweep(now: dt.datetime | None = None) -> SweepReport:
    now = now or utcnow()
    report = SweepReport()
    report.retries_queued = await queue_due_retries(now)
    report.reminders_sent = await send_transfer_reminders(now)
    report.suspended, report.restored = await suspend_after_grace(now)
    log.info("billing.dunning_sweep", **report.__dict__)
    return report


async def run_sweep(context: JobContext) -> None:
    """The ``billing.dunning`` job."""
    await sweep()
