"""Applying Stripe's events to the ledger (the ``billing.webhook`` job).

Each handler finds the local record the event is about (or raises
``NotYetKnown``: the job is retried later), calls the gateway if it needs to
(outside any transaction), then applies the effect inside ``applying``, which
marks the event processed in the same transaction: of two runs, one applies it.

Order does not matter: a payment that succeeded is never undone by a failure
reported later; a failure already recorded by the collection job is not
recorded twice; a card setup older than the card in place (or than that
card's removal) does not bring an old card back."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog

from comptoir.billing.gateways.config import configured_gateway
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.payments.collect import attempt_key
from comptoir.billing.payments.methods import forget_card, save_card
from comptoir.billing.payments.outcomes import mark_invoice_paid, utcnow
from comptoir.billing.payments.tables import PaymentAttempt, WebhookEvent
from comptoir.billing.subscriptions.tables import Subscription
from comptoir.billing.webhooks.service import IGNORED, PROCESSED, RECEIVED, RETRY
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.kinds import JobContext

log = structlog.get_logger(__name__)

CARD_EVENTS = ("checkout.session.completed", "setup_intent.succeeded", "payment_method.detached")


class NotYetKnown(RuntimeError):
    """The event is about a record that does not exist here yet: try later."""


@asynccontextmanager
async def applying(event_id: str, tenant_id: uuid.UUID) -> AsyncIterator[TenantScope | None]:
    """The tenant's transaction in which the event takes effect, or None if
    it was processed already (the effect is then skipped)."""
    async with tenant_scope(tenant_id) as scope:
        claimed = await (
            WebhookEvent.update(
                {
                    WebhookEvent.status: PROCESSED,
                    WebhookEvent.processed_at: utcnow(),
                    WebhookEvent.for_tenant_id: tenant_id,
                    WebhookEvent.attempts: WebhookEvent.attempts + 1,
                    WebhookEvent.last_error: "",
                }
            )
            .where(
                (WebhookEvent.event_id == event_id) & WebhookEvent.status.is_in([RECEIVED, RETRY])
            )
            .returning(WebhookEvent.id)
        )
        yield scope if claimed else None


async def _ignore(event_id: str, why: str) -> None:
    await WebhookEvent.update(
        {
            WebhookEvent.status: IGNORED,
            WebhookEvent.processed_at: utcnow(),
            WebhookEvent.last_error: why,
        }
    ).where((WebhookEvent.event_id == event_id) & WebhookEvent.status.is_in([RECEIVED, RETRY]))


# ---- payments --------------------------------------------------------------------------


async def _attempt_for(intent: dict[str, Any]) -> tuple[PaymentAttempt | None, Invoice | None]:
    """The attempt a PaymentIntent was made for (by its id, else by the
    invoice and attempt number in its metadata) and the invoice."""
    metadata = intent.get("metadata") or {}
    attempt = await (
        PaymentAttempt.objects()
        .where(PaymentAttempt.gateway_payment_id == str(intent.get("id")))
        .first()
    )
    invoice_id = attempt.invoice_id if attempt else parse_id(str(metadata.get("invoice_id", "")))
    if attempt is None and invoice_id is not None and str(metadata.get("attempt", "")).isdigit():
        key = attempt_key(invoice_id, int(metadata["attempt"]))
        attempt = (
            await PaymentAttempt.objects().where(PaymentAttempt.idempotency_key == key).first()
        )
    invoice = (
        await Invoice.objects().where(Invoice.id == invoice_id).first() if invoice_id else None
    )
    return attempt, invoice


async def payment_succeeded(event_id: str, intent: dict[str, Any], created: dt.datetime) -> None:
    attempt, invoice = await _attempt_for(intent)
    if invoice is None:
        if not (intent.get("metadata") or {}).get("invoice_id"):
            await _ignore(event_id, "not a payment of a Comptoir invoice")
            return
        raise NotYetKnown(f"no invoice for payment {intent.get('id')} yet")
    async with applying(event_id, invoice.for_tenant_id) as scope:
        if scope is not None:
            await mark_invoice_paid(
                scope, invoice, gateway="stripe", payment_id=str(intent["id"]), attempt=attempt
            )


async def payment_failed(event_id: str, intent: dict[str, Any], created: dt.datetime) -> None:
    from comptoir.billing.dunning.service import record_failed_payment

    attempt, invoice = await _attempt_for(intent)
    if invoice is None:
        if not (intent.get("metadata") or {}).get("invoice_id"):
            await _ignore(event_id, "not a payment of a Comptoir invoice")
            return
        raise NotYetKnown(f"no invoice for payment {intent.get('id')} yet")
    if attempt is None:
        # Not one of our collection attempts: nothing to settle.
        await _ignore(event_id, "no collection attempt for this payment")
        return
    error = intent.get("last_payment_error") or {}
    async with applying(event_id, invoice.for_tenant_id) as scope:
        if scope is not None:
            await record_failed_payment(
                scope,
                invoice,
                attempt,
                error_code=str(error.get("decline_code") or error.get("code") or "declined"),
                error_message=str(error.get("message") or "The card was declined."),
                payment_id=str(intent["id"]),
            )


# ---- cards -----------------------------------------------------------------------------


async def _subscription_for_customer(customer_id: Any) -> Subscription:
    if not customer_id:
        raise NotYetKnown("the event names no customer")
    found = await (
        Subscription.objects().where(Subscription.gateway_customer_id == str(customer_id)).first()
    )
    if found is None:
        raise NotYetKnown(f"no subscription for customer {customer_id} yet")
    return found


async def _superseded(tenant_id: uuid.UUID, payment_method_id: str, created: dt.datetime) -> bool:
    """Whether a newer card event of this tenant was processed already, or
    this card's removal was: an older setup must not bring a card back."""
    rows = await WebhookEvent.select(WebhookEvent.type, WebhookEvent.payload).where(
        (WebhookEvent.for_tenant_id == tenant_id)
        & (WebhookEvent.status == PROCESSED)
        & WebhookEvent.type.is_in(list(CARD_EVENTS))
    )
    for row in rows:
        event = _decoded(row["payload"])
        obj = (event.get("data") or {}).get("object") or {}
        if row["type"] == "payment_method.detached" and obj.get("id") == payment_method_id:
            return True
        if row["type"] != "payment_method.detached" and _created(event) > created:
            return True
    return False


async def _save_setup(
    event_id: str, customer_id: Any, payment_method_id: str | None, created: dt.datetime
) -> None:
    subscription = await _subscription_for_customer(customer_id)
    if not payment_method_id:
        await _ignore(event_id, "the setup saved no payment method")
        return
    if await _superseded(subscription.for_tenant_id, payment_method_id, created):
        async with applying(event_id, subscription.for_tenant_id):
            return  # recorded, without effect
    card = await configured_gateway().card_details(payment_method_id)
    async with applying(event_id, subscription.for_tenant_id) as scope:
        if scope is not None:
            fresh = await Subscription.objects().where(Subscription.id == subscription.id).first()
            if fresh is not None:
                await save_card(scope, fresh, card)


async def checkout_completed(event_id: str, session: dict[str, Any], created: dt.datetime) -> None:
    if session.get("mode") != "setup":
        await _ignore(event_id, "not a card setup")
        return
    await _subscription_for_customer(session.get("customer"))
    setup = await configured_gateway().setup_result(str(session["id"]))
    await _save_setup(event_id, session.get("customer"), setup.payment_method_id, created)


async def setup_succeeded(event_id: str, intent: dict[str, Any], created: dt.datetime) -> None:
    method = intent.get("payment_method")
    method_id = method.get("id") if isinstance(method, dict) else method
    await _save_setup(
        event_id, intent.get("customer"), str(method_id) if method_id else None, created
    )


async def card_detached(event_id: str, method: dict[str, Any], created: dt.datetime) -> None:
    subscription = await (
        Subscription.objects()
        .where(Subscription.payment_method_id == str(method.get("id")))
        .first()
    )
    if subscription is None:
        await _ignore(event_id, "not a saved card")
        return
    async with applying(event_id, subscription.for_tenant_id) as scope:
        if scope is not None:
            await forget_card(scope, subscription, str(method["id"]))


Handler = Callable[[str, dict[str, Any], dt.datetime], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": payment_succeeded,
    "payment_intent.payment_failed": payment_failed,
    "checkout.session.completed": checkout_completed,
    "setup_intent.succeeded": setup_succeeded,
    "payment_method.detached": card_detached,
}


def _decoded(payload: Any) -> dict[str, Any]:
    if isinstance(payload, str | bytes):
        payload = json.loads(payload or "{}")
    return payload if isinstance(payload, dict) else {}


def _created(event: dict[str, Any]) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(event.get("created") or 0), dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return dt.datetime.fromtimestamp(0, dt.UTC)


async def process_event(event_id: str) -> str:
    """Apply one recorded event; its status afterwards."""
    row = await WebhookEvent.objects().where(WebhookEvent.event_id == event_id).first()
    if row is None:
        return "missing"
    if row.status in (PROCESSED, IGNORED):
        return str(row.status)
    event = _decoded(row.payload)
    handler = HANDLERS.get(row.type)
    if handler is None:
        await _ignore(event_id, f"{row.type} is not used")
        return IGNORED
    obj = (event.get("data") or {}).get("object") or {}
    try:
        await handler(event_id, obj, _created(event))
    except Exception as error:
        await WebhookEvent.update(
            {
                WebhookEvent.status: RETRY,
                WebhookEvent.attempts: WebhookEvent.attempts + 1,
                WebhookEvent.last_error: f"{type(error).__name__}: {error}"[:2000],
            }
        ).where((WebhookEvent.event_id == event_id) & WebhookEvent.status.is_in([RECEIVED, RETRY]))
        raise
    found = (
        await WebhookEvent.select(WebhookEvent.status)
        .where(WebhookEvent.event_id == event_id)
        .first()
    )
    return str(found["status"]) if found else "missing"


async def run_process_event(context: JobContext) -> None:
    """The ``billing.webhook`` job: raises while the event's record is
    unknown, so the queue retries it with backoff."""
    event_id = str(context.args.get("event_id", ""))
    status = await process_event(event_id)
    log.info("billing.webhook_processed", event_id=event_id, status=status)
