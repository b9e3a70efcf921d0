"""A subscription's payment method: a card saved through Stripe Checkout
(setup mode), or bank transfer.

Starting a card setup creates the gateway's customer (once per tenant) and a
Checkout Session, then the tenant admin is redirected to Stripe; these are the
only gateway calls made during a request, because the redirect needs the
session's address. The card is saved when Stripe says so: on the return page
(which asks Stripe about the session) or by the webhooks, whichever comes
first; both are idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import structlog

from comptoir.billing.gateways.base import CardDetails, CheckoutRedirect, CompletedSetup
from comptoir.billing.gateways.config import configured_gateway
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.payments.outcomes import SYSTEM, restore_standing, subscription_of, utcnow
from comptoir.billing.settings import get_billing_settings
from comptoir.billing.subscriptions.tables import Subscription
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Conflict, NotFound
from comptoir.platform.settings import get_settings

log = structlog.get_logger(__name__)

CARD = "card"


@dataclass(frozen=True)
class PaymentMethodView:
    """What the billing page's payment method box shows."""

    kind: str  # card, bank_transfer
    card_summary: str
    iban: str
    bic: str
    beneficiary: str
    reference: str
    can_add_card: bool
    status: str

    @property
    def has_card(self) -> bool:
        return self.kind == CARD and bool(self.card_summary)


def transfer_reference(tenant: Tenant) -> str:
    """The reference a tenant writes on its transfers when the invoice has
    none of its own: stable, short, and names the workspace."""
    return f"COMPTOIR-{tenant.slug.upper()}"[:60]


async def payment_method_view(tenant: Tenant) -> PaymentMethodView:
    subscription = await subscription_of(tenant.id)
    provider = get_billing_settings().provider
    has_card = bool(
        subscription is not None
        and subscription.payment_terms == CARD
        and subscription.payment_method_id
    )
    return PaymentMethodView(
        kind=CARD if has_card else "bank_transfer",
        card_summary=subscription.payment_method_summary if subscription and has_card else "",
        iban=provider.iban,
        bic=provider.bic,
        beneficiary=provider.legal_name,
        reference=transfer_reference(tenant),
        can_add_card=configured_gateway().saves_cards,
        status=subscription.status if subscription else "",
    )


def _return_urls(tenant: Tenant) -> tuple[str, str]:
    base = f"{get_settings().base_url}/w/{tenant.slug}/admin/billing/checkout-return"
    # Stripe fills in {CHECKOUT_SESSION_ID} itself.
    return f"{base}?outcome=success&session_id={{CHECKOUT_SESSION_ID}}", f"{base}?outcome=cancel"


async def start_card_setup(tenant: Tenant, *, actor: Actor) -> CheckoutRedirect:
    """Create (once) the tenant's customer at the gateway and a Checkout
    Session to save a card; the caller redirects to its address."""
    gateway = configured_gateway()
    subscription = await subscription_of(tenant.id)
    if subscription is None:
        raise NotFound("This workspace has no subscription.")
    if not gateway.saves_cards:
        raise Conflict("Card payments are not available: pay by bank transfer.")
    email = subscription.billing_email or (actor.label if "@" in actor.label else "")
    customer_id = await gateway.ensure_customer(
        existing_id=subscription.gateway_customer_id,
        tenant_id=str(tenant.id),
        name=subscription.billing_name or tenant.company_name,
        email=email,
    )
    if customer_id is None:
        raise Conflict("Card payments are not available: pay by bank transfer.")
    if customer_id != subscription.gateway_customer_id:
        async with tenant_scope(tenant.id) as scope:
            await Subscription.update(
                {Subscription.gateway_customer_id: customer_id, Subscription.updated_at: utcnow()}
            ).where(
                (Subscription.id == subscription.id) & Subscription.gateway_customer_id.is_null()
            )
            await audit.record(
                scope,
                actor,
                "billing.customer_created",
                object_type="subscription",
                object_id=subscription.id,
                changes={"gateway": gateway.name},
            )
        fresh = await subscription_of(tenant.id)
        customer_id = (fresh.gateway_customer_id if fresh else None) or customer_id
    success_url, cancel_url = _return_urls(tenant)
    return await gateway.start_card_setup(
        customer_id=customer_id,
        tenant_id=str(tenant.id),
        success_url=success_url,
        cancel_url=cancel_url,
    )


async def save_card(
    scope: TenantScope,
    subscription: Subscription,
    card: CardDetails,
    *,
    customer_id: str | None = None,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> bool:
    """Make ``card`` the subscription's payment method (card terms from now
    on), and collect at once the card invoices still open. False when it
    already was."""
    from comptoir.billing.payments.collect import queue_collection

    if subscription.payment_method_id == card.payment_method_id:
        return False
    now = now or utcnow()
    values: dict[Any, Any] = {
        Subscription.gateway: "stripe",
        Subscription.payment_method_id: card.payment_method_id,
        Subscription.payment_method_summary: card.summary[:255],
        Subscription.payment_terms: CARD,
        Subscription.updated_at: now,
    }
    if customer_id:
        values[Subscription.gateway_customer_id] = customer_id
    await Subscription.update(values).where(Subscription.id == subscription.id)
    previous = subscription.payment_method_summary
    subscription.payment_method_id = card.payment_method_id
    subscription.payment_method_summary = card.summary
    subscription.payment_terms = CARD
    await audit.record(
        scope,
        actor,
        "billing.card_saved",
        object_type="subscription",
        object_id=subscription.id,
        changes={"payment_method": [previous or "bank_transfer", card.summary]},
    )
    open_card_invoices = await (
        Invoice.update({Invoice.next_attempt_at: now, Invoice.updated_at: now})
        .where(
            (Invoice.for_tenant_id == subscription.for_tenant_id)
            & (Invoice.kind == "invoice")
            & (Invoice.status == "open")
            & (Invoice.payment_terms == CARD)
        )
        .returning(Invoice.id)
    )
    # The new card is tried at once on what is still due.
    for row in open_card_invoices:
        await queue_collection(row["id"], tenant_id=subscription.for_tenant_id)
    # A subscription past_due only for want of a card is in good standing again.
    await restore_standing(scope, subscription.for_tenant_id, cause="card_saved", actor=actor)
    log.info("billing.card_saved", tenant=str(subscription.for_tenant_id), card=card.summary)
    return True


async def forget_card(
    scope: TenantScope,
    subscription: Subscription,
    payment_method_id: str,
    *,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> bool:
    """The card was removed at the gateway: the subscription has none until
    another is saved (its next card invoice fails into dunning, whose e-mail
    asks for a card). False if it was not the subscription's card."""
    now = now or utcnow()
    changed = await (
        Subscription.update(
            {
                Subscription.payment_method_id: None,
                Subscription.payment_method_summary: "",
                Subscription.updated_at: now,
            }
        )
        .where(
            (Subscription.id == subscription.id)
            & (Subscription.payment_method_id == payment_method_id)
        )
        .returning(Subscription.id)
    )
    if not changed:
        return False
    await audit.record(
        scope,
        actor,
        "billing.card_removed",
        object_type="subscription",
        object_id=subscription.id,
        changes={"payment_method": [subscription.payment_method_summary, ""]},
    )
    return True


async def finish_card_setup(tenant: Tenant, session_id: str, *, actor: Actor) -> CompletedSetup:
    """The tenant admin is back from Checkout: ask Stripe how the session
    ended and, if a card was saved, save it here too (the webhook may have
    done it already)."""
    gateway = configured_gateway()
    if not gateway.saves_cards:
        raise Conflict("Card payments are not available: pay by bank transfer.")
    subscription = await subscription_of(tenant.id)
    if subscription is None or not subscription.gateway_customer_id:
        raise NotFound("No card setup was started for this workspace.")
    setup = await gateway.setup_result(session_id)
    if setup.customer_id != subscription.gateway_customer_id:
        raise NotFound("No such card setup for this workspace.")
    if setup.status == "complete" and setup.payment_method_id:
        card = await gateway.card_details(setup.payment_method_id)
        async with tenant_scope(tenant.id) as scope:
            fresh = await subscription_of(tenant.id)
            if fresh is not None:
                await save_card(scope, fresh, card, actor=actor)
    return setup
