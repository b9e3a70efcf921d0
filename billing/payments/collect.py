"""Collecting an invoice: ``queue_collection`` is called when an invoice is
finalised (and by dunning when a retry is due, or when a new card is saved);
the ``billing.collect`` job then charges card invoices through the gateway.
Bank-transfer invoices simply wait for the transfer (staff mark it received).

The charge happens outside any transaction, between two short ones: the
attempt is recorded (pending) with its idempotency key first, then the
gateway is called, then the outcome is recorded. A worker that dies in between
runs the job again with the same attempt, hence the same key: Stripe replays
its first answer instead of charging twice."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import structlog

from comptoir.billing.dunning.service import CARD, record_failed_payment
from comptoir.billing.gateways.base import ChargeRequest
from comptoir.billing.gateways.config import configured_gateway
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.payments.outcomes import (
    PENDING,
    amount_due,
    mark_invoice_paid,
    subscription_of,
    utcnow,
)
from comptoir.billing.payments.tables import PaymentAttempt
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.job_queue import enqueue
from comptoir.platform.jobs.kinds import JobContext

log = structlog.get_logger(__name__)

COLLECT = "billing.collect"
# Retried with backoff while the gateway cannot be reached (about an hour).
COLLECT_ATTEMPTS = 8
NO_PAYMENT_METHOD = "no_payment_method"


async def queue_collection(
    invoice_id: uuid.UUID | str, *, tenant_id: uuid.UUID | str | None = None
) -> uuid.UUID | None:
    """Queue the collection of an invoice, in the current transaction (it
    commits with the invoice's finalisation, or not at all): a job for a card
    invoice, one unfinished job per invoice. A bank-transfer invoice waits
    for the transfer (dunning reminds the customer once it is overdue): no
    job. Returns the job's id, or None when none was queued."""
    parsed = invoice_id if isinstance(invoice_id, uuid.UUID) else parse_id(str(invoice_id))
    if parsed is None:
        raise ValueError(f"not an invoice id: {invoice_id!r}")
    row = await (
        Invoice.select(Invoice.for_tenant_id, Invoice.payment_terms, Invoice.status)
        .where(Invoice.id == parsed)
        .first()
    )
    if row is None:
        raise ValueError(f"no invoice {parsed}")
    if row["payment_terms"] != CARD or row["status"] != "open":
        return None
    tenant = row["for_tenant_id"] if tenant_id is None else tenant_id
    return await enqueue(
        COLLECT,
        {"invoice_id": str(parsed)},
        tenant_id=tenant if isinstance(tenant, uuid.UUID) else uuid.UUID(str(tenant)),
        unique_key=f"{COLLECT}:{parsed}",
        max_attempts=COLLECT_ATTEMPTS,
    )


async def queue_collections(invoice_ids: Sequence[uuid.UUID]) -> int:
    """``queue_collection`` for a batch of invoices just finalised (a billing
    run): one look-up for all of them, a job for each open card invoice.
    Returns how many jobs were queued."""
    if not invoice_ids:
        return 0
    rows = await Invoice.select(Invoice.id, Invoice.for_tenant_id).where(
        Invoice.id.is_in(list(invoice_ids))
        & (Invoice.payment_terms == CARD)
        & (Invoice.status == "open")
    )
    queued = 0
    for row in rows:
        job = await enqueue(
            COLLECT,
            {"invoice_id": str(row["id"])},
            tenant_id=row["for_tenant_id"],
            unique_key=f"{COLLECT}:{row['id']}",
            max_attempts=COLLECT_ATTEMPTS,
        )
        queued += job is not None
    return queued


def attempt_key(invoice_id: uuid.UUID, attempt_number: int) -> str:
    """The idempotency key of one attempt at an invoice, sent to the gateway."""
    return f"invoice-{invoice_id}-attempt-{attempt_number}"


async def _pending_attempt(
    invoice: Invoice, gateway: str, number: int
) -> tuple[PaymentAttempt, bool]:
    """The attempt ``number`` at ``invoice``, recorded now if it is new;
    whether it is still to be decided."""
    key = attempt_key(invoice.id, number)
    await PaymentAttempt.insert(
        PaymentAttempt(
            for_tenant_id=invoice.for_tenant_id,
            invoice_id=invoice.id,
            gateway=gateway,
            status=PENDING,
            amount=amount_due(invoice),
            currency=invoice.currency,
            attempt_number=number,
            idempotency_key=key,
            at=utcnow(),
            updated_at=utcnow(),
        )
    ).on_conflict(action="DO NOTHING")
    attempt = await PaymentAttempt.objects().where(PaymentAttempt.idempotency_key == key).first()
    assert attempt is not None
    return attempt, attempt.status == PENDING


def is_due(invoice: Invoice, now: dt.datetime | None = None) -> bool:
    """Whether a card invoice may be charged now: never tried yet, or its
    next retry is due (a new card makes it due at once)."""
    if invoice.attempt_count == 0:
        return True
    due = invoice.next_attempt_at
    return due is not None and due <= (now or utcnow())


async def collect_invoice(invoice_id: uuid.UUID) -> str:
    """Try to collect one invoice now; what happened, for the log and tests:
    paid, failed, pending, waiting (bank transfer), not_due (its retry day is
    to come), nothing (not open, or decided meanwhile)."""
    invoice = await Invoice.objects().where(Invoice.id == invoice_id).first()
    if invoice is None or invoice.status != "open" or invoice.kind != "invoice":
        return "nothing"
    due = amount_due(invoice)
    if due <= 0:
        async with tenant_scope(invoice.for_tenant_id) as scope:
            await mark_invoice_paid(scope, invoice, gateway="credit_note", note="fully credited")
        return "paid"
    if invoice.payment_terms != CARD:
        return "waiting"
    if not is_due(invoice):
        # Its last attempt was settled meanwhile (e.g. by the webhook, after
        # this job died mid-charge): the next one waits for its retry day.
        return "not_due"
    gateway = configured_gateway()
    if not gateway.saves_cards:
        log.warning("billing.collect_without_card_gateway", invoice=str(invoice.id))
        return "waiting"
    subscription = await subscription_of(invoice.for_tenant_id)
    number = invoice.attempt_count + 1
    attempt, undecided = await _pending_attempt(invoice, gateway.name, number)
    if not undecided:
        return "nothing"  # decided by an earlier run or a webhook
    if subscription is None or not (
        subscription.payment_method_id and subscription.gateway_customer_id
    ):
        async with tenant_scope(invoice.for_tenant_id) as scope:
            await record_failed_payment(
                scope,
                invoice,
                attempt,
                error_code=NO_PAYMENT_METHOD,
                error_message="No card is saved for this subscription.",
            )
        return "failed"
    outcome = await gateway.charge(
        ChargeRequest(
            customer_id=subscription.gateway_customer_id,
            payment_method_id=subscription.payment_method_id,
            amount=due,
            currency=invoice.currency,
            idempotency_key=attempt.idempotency_key or attempt_key(invoice.id, number),
            description=f"Comptoir {invoice.number or invoice.id}",
            metadata={
                "tenant_id": str(invoice.for_tenant_id),
                "invoice_id": str(invoice.id),
                "invoice_number": invoice.number or "",
                "attempt": str(number),
            },
        )
    )
    async with tenant_scope(invoice.for_tenant_id) as scope:
        if outcome.succeeded:
            await mark_invoice_paid(
                scope, invoice, gateway=gateway.name, payment_id=outcome.payment_id, attempt=attempt
            )
            return "paid"
        if outcome.status == "processing":
            await PaymentAttempt.update(
                {PaymentAttempt.gateway_payment_id: outcome.payment_id}
            ).where(PaymentAttempt.id == attempt.id)
            return "pending"  # the webhook will tell
        await record_failed_payment(
            scope,
            invoice,
            attempt,
            error_code=outcome.error_code or outcome.status,
            error_message=outcome.error_message,
            payment_id=outcome.payment_id,
        )
    return "failed"


async def run_collection(context: JobContext) -> None:
    """The ``billing.collect`` job. A gateway that cannot be reached raises
    (GatewayUnavailable): the job is retried with backoff, with the same attempt."""
    invoice_id = parse_id(str(context.args.get("invoice_id", "")))
    if invoice_id is None:
        raise ValueError("billing.collect needs an invoice_id")
    result = await collect_invoice(invoice_id)
    log.info("billing.collect", invoice=str(invoice_id), result=result)
