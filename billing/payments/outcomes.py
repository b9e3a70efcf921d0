"""What a payment's outcome does to the ledger: an invoice paid, a subscription
back in good standing (and its workspace reactivated), or dunning entered.

Collection (the card job), the Stripe webhooks and the console (a transfer
marked received) all come here, inside one tenant transaction each: the
attempt, the invoice, the subscription, its transition, the audit row and the
e-mail commit together. Every change is conditional on the state it leaves,
so a duplicate or late outcome changes nothing: an invoice never goes back
from paid, an attempt is settled once."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import structlog

from comptoir.billing.dunning import emails
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.payments.tables import PaymentAttempt
from comptoir.billing.subscriptions.service import (
    find_subscription,
    locked_subscription,
    record_transition,
)
from comptoir.billing.subscriptions.tables import Subscription
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.directory.service import tenant_by_id

log = structlog.get_logger(__name__)

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
# Subscription states a failed payment moves to past_due (a trial's first
# invoice included); suspended and canceled stay as they are.
IN_GOOD_STANDING = ("active", "trialing")
IN_ARREARS = ("past_due", "suspended")
SYSTEM = Actor.system("billing")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def amount_due(invoice: Invoice) -> Decimal:
    """What is left to pay on an invoice: its total less the credit notes issued against it."""
    return max(Decimal(invoice.total_gross) - Decimal(invoice.credited_gross or 0), Decimal("0"))


async def subscription_of(tenant_id: uuid.UUID) -> Subscription | None:
    return await find_subscription(tenant_id)


async def move_subscription(
    tenant_id: uuid.UUID,
    to_status: str,
    *,
    only_from: tuple[str, ...],
    cause: str,
    detail: str = "",
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> Subscription | None:
    """Move the tenant's subscription to ``to_status`` if it is in one of
    ``only_from`` (read under a row lock), through the ledger's transition
    (recorded with its cause, the directory following). None if it was not.
    Call it inside the tenant's transaction."""
    subscription = await find_subscription(tenant_id)
    if subscription is None or subscription.status not in only_from:
        return None
    subscription = await locked_subscription(tenant_id)
    if subscription.status not in only_from or subscription.status == to_status:
        return None
    await record_transition(
        subscription, to_status=to_status, cause=cause, actor=actor, detail=detail, now=now
    )
    return subscription


async def outstanding_invoices(tenant_id: uuid.UUID, *, today: dt.date) -> list[Invoice]:
    """Open invoices that keep a subscription in arrears: a card payment
    failed on them, or their transfer is past due."""
    rows = await Invoice.objects().where(
        (Invoice.for_tenant_id == tenant_id)
        & (Invoice.kind == "invoice")
        & (Invoice.status == "open")
    )
    return [
        row
        for row in rows
        if amount_due(row) > 0
        and (row.attempt_count > 0 or (row.due_date is not None and row.due_date < today))
    ]


async def restore_standing(
    scope: TenantScope,
    tenant_id: uuid.UUID,
    *,
    cause: str,
    detail: str = "",
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> bool:
    """A subscription in arrears with nothing left overdue becomes active
    again, and a workspace suspended for non-payment is reactivated (the
    directory follows the subscription) with an e-mail saying so. True when
    the subscription moved."""
    now = now or utcnow()
    subscription = await subscription_of(tenant_id)
    if subscription is None or subscription.status not in IN_ARREARS:
        return False
    if await outstanding_invoices(tenant_id, today=now.date()):
        return False
    was_suspended = subscription.status == "suspended"
    moved = await move_subscription(
        tenant_id,
        "active",
        only_from=IN_ARREARS,
        cause=cause,
        detail=detail,
        actor=actor,
        now=now,
    )
    if moved is not None and was_suspended:
        tenant = await tenant_by_id(tenant_id)
        if tenant is not None:
            await emails.queue_dunning_email(
                scope, emails.PAYMENT_RECEIVED, tenant=tenant, subscription=moved
            )
    if moved is not None:
        await audit.record(
            scope,
            actor,
            "billing.reactivated",
            object_type="subscription",
            object_id=moved.id,
            changes={"status": ["suspended" if was_suspended else "past_due", "active"]},
        )
    return moved is not None


async def mark_invoice_paid(
    scope: TenantScope,
    invoice: Invoice,
    *,
    gateway: str,
    payment_id: str | None = None,
    attempt: PaymentAttempt | None = None,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
    note: str = "",
) -> bool:
    """Record that ``invoice`` is paid (once: False if it was not open any
    more), settle the attempt that paid it (or record one: a transfer marked
    received), and restore the subscription's standing."""
    now = now or utcnow()
    paid = await (
        Invoice.update(
            {
                Invoice.status: "paid",
                Invoice.paid_at: now,
                Invoice.next_attempt_at: None,
                Invoice.updated_at: now,
            }
        )
        .where((Invoice.id == invoice.id) & (Invoice.status == "open"))
        .returning(Invoice.id)
    )
    if attempt is not None:
        # Money taken is recorded even if the invoice was settled otherwise
        # meanwhile (a transfer marked received): staff then see a refund is due.
        await PaymentAttempt.update(
            {
                PaymentAttempt.status: SUCCEEDED,
                PaymentAttempt.gateway_payment_id: payment_id or attempt.gateway_payment_id,
                PaymentAttempt.error_code: "" if paid else "already_paid",
                PaymentAttempt.error_message: "" if paid else "The invoice was already paid.",
                PaymentAttempt.updated_at: now,
            }
        ).where((PaymentAttempt.id == attempt.id) & (PaymentAttempt.status != SUCCEEDED))
        if not paid:
            log.warning("billing.paid_twice", invoice=str(invoice.id), payment=payment_id)
    if not paid:
        return False
    invoice.status, invoice.paid_at = "paid", now
    if attempt is None:
        await PaymentAttempt(
            for_tenant_id=invoice.for_tenant_id,
            invoice_id=invoice.id,
            gateway=gateway,
            status=SUCCEEDED,
            amount=amount_due(invoice),
            currency=invoice.currency,
            attempt_number=invoice.attempt_count + 1,
            gateway_payment_id=payment_id,
            error_message=note[:2000],
            actor_id=actor.id if actor.kind == "staff" else None,
            at=now,
            updated_at=now,
        ).save()
    await audit.record(
        scope,
        actor,
        "billing.invoice_paid",
        object_type="invoice",
        object_id=invoice.id,
        changes={"number": invoice.number, "gateway": gateway, "note": note},
    )
    log.info("billing.invoice_paid", invoice=str(invoice.id), gateway=gateway)
    await restore_standing(
        scope,
        invoice.for_tenant_id,
        cause="payment_succeeded",
        detail=f"{invoice.number or invoice.id} paid ({gateway})",
        actor=actor,
        now=now,
    )
    return True


async def settle_attempt_failed(
    attempt: PaymentAttempt,
    *,
    error_code: str,
    error_message: str,
    payment_id: str | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Mark a pending attempt failed (once). False if it was already settled."""
    now = now or utcnow()
    changed = await (
        PaymentAttempt.update(
            {
                PaymentAttempt.status: FAILED,
                PaymentAttempt.error_code: error_code[:100],
                PaymentAttempt.error_message: error_message[:2000],
                PaymentAttempt.gateway_payment_id: payment_id or attempt.gateway_payment_id,
                PaymentAttempt.updated_at: now,
            }
        )
        .where((PaymentAttempt.id == attempt.id) & (PaymentAttempt.status == PENDING))
        .returning(PaymentAttempt.id)
    )
    if changed:
        attempt.status = FAILED
        attempt.error_code, attempt.error_message = error_code, error_message
    return bool(changed)
