"""Fixtures of the payment tests: the Stripe fake, Stripe configured against
it, and helpers to deliver signed webhooks and run the billing jobs.

Test modules import the fixtures they use from here, by their ``*_fixture``
names (pytest finds fixtures in a module's namespace, under their ``name``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from comptoir.billing.dunning.feature import FEATURE as DUNNING
from comptoir.billing.gateways.config import configured_gateway, reset_gateways
from comptoir.billing.invoices.service import DraftInvoice, DraftLine, buyer_of, issue
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.payments.methods import save_card
from comptoir.billing.payments.tables import PaymentAttempt
from comptoir.billing.subscriptions.service import find_subscription
from comptoir.billing.subscriptions.tables import Subscription, SubscriptionTransition
from comptoir.billing.webhooks.feature import FEATURE as WEBHOOKS
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.jobs.worker import run_due_jobs
from comptoir.platform.settings import reset_settings
from tests.billing.stripe_fake import StripeFake, running_stripe_fake, signature

WEBHOOK_SECRET = "whsec_test_comptoir_0123456789abcdef"
API_KEY = "sk_test_comptoir_fake"


@pytest.fixture(scope="session", name="stripe_server")
def stripe_server_fixture() -> Iterator[StripeFake]:
    with running_stripe_fake() as fake:
        yield fake


@pytest.fixture(name="stripe_fake")
def stripe_fake_fixture(stripe_server: StripeFake) -> Iterator[StripeFake]:
    """Stripe configured (key, webhook secret, the fake's address), emptied."""
    stripe_server.reset()
    saved = {name: os.environ.get(name) for name in _STRIPE_ENV}
    os.environ.update(
        STRIPE_API_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_server.api_base,
    )
    _reset()
    try:
        yield stripe_server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _reset()


_STRIPE_ENV = ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")


def _reset() -> None:
    reset_settings()
    reset_gateways()


def signed(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
    payload = json.dumps(event).encode()
    return payload, {
        "Stripe-Signature": signature(payload, secret),
        "Content-Type": "application/json",
    }


async def deliver(
    client: httpx.AsyncClient, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    """POST a webhook as Stripe would (signed with the test secret)."""
    payload, headers = signed(event, secret=secret)
    return await client.post("/webhooks/stripe", content=payload, headers=headers)


def utc(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


# ---- ledger records, made through the ledger's own services ----------------------------


async def issue_invoice(
    tenant_id: str | uuid.UUID,
    *,
    net: str = "70.00",
    terms: str = "card",
    invoice_id: uuid.UUID | None = None,
    key: str | None = None,
) -> Invoice:
    """A final invoice of one line for the tenant's subscription (its
    finalisation queues the collection, as the billing run's does)."""
    tenant = uuid.UUID(str(tenant_id))
    subscription = await find_subscription(tenant)
    assert subscription is not None
    draft = DraftInvoice(
        tenant_id=tenant,
        subscription_id=subscription.id,
        period="2026-12",
        purpose="manual",
        idempotency_key=key or f"test-{uuid.uuid4()}",
        plan=subscription.plan,
        vat_mode="standard",
        buyer=buyer_of(subscription),
        payment_terms=terms,
        lines=[
            DraftLine(
                kind="subscription",
                description="Abonnement Pro",
                quantity=Decimal("2"),
                unit_price=Decimal(net) / 2,
                vat_rate=Decimal("20"),
            )
        ],
    )
    if invoice_id is not None:
        draft.id = invoice_id
    async with tenant_scope(tenant):
        return await issue(draft)


async def invoice(invoice_id: uuid.UUID) -> Invoice:
    found = await Invoice.objects().where(Invoice.id == invoice_id).first()
    assert found is not None
    return found


async def subscription(tenant_id: str | uuid.UUID) -> Subscription:
    found = await find_subscription(uuid.UUID(str(tenant_id)))
    assert found is not None
    return found


async def save_test_card(fake: StripeFake, tenant_id: str | uuid.UUID, card: str = "visa") -> str:
    """A card saved as Checkout would: customer, completed setup, saved here."""
    tenant = uuid.UUID(str(tenant_id))
    gateway = configured_gateway()
    customer = await gateway.ensure_customer(
        existing_id=None, tenant_id=str(tenant), name="Test", email="billing@test.fr"
    )
    assert customer is not None
    redirect = await gateway.start_card_setup(
        customer_id=customer,
        tenant_id=str(tenant),
        success_url="https://x/ok",
        cancel_url="https://x/ko",
    )
    fake.complete_checkout(redirect.session_id, card=card)
    setup = await gateway.setup_result(redirect.session_id)
    assert setup.payment_method_id is not None
    details = await gateway.card_details(setup.payment_method_id)
    async with tenant_scope(tenant) as scope:
        await save_card(scope, await subscription(tenant), details, customer_id=customer)
    return setup.payment_method_id


BILLING_JOBS = (*WEBHOOKS.job_kinds, *[k for k in DUNNING.job_kinds if k.periodic is None])


async def run_billing_jobs(now: dt.datetime | None = None) -> int:
    """Run the due collection and webhook jobs (not the hourly sweep: tests call it)."""
    return await run_due_jobs(kinds=BILLING_JOBS, now=now)


async def attempts_of(invoice_id: uuid.UUID) -> list[PaymentAttempt]:
    return await (
        PaymentAttempt.objects()
        .where(PaymentAttempt.invoice_id == invoice_id)
        .order_by(PaymentAttempt.attempt_number)
    )


async def transitions_of(tenant_id: str | uuid.UUID) -> list[tuple[str | None, str, str]]:
    rows = await (
        SubscriptionTransition.select(
            SubscriptionTransition.from_status,
            SubscriptionTransition.to_status,
            SubscriptionTransition.cause,
        )
        .where(SubscriptionTransition.for_tenant_id == uuid.UUID(str(tenant_id)))
        .order_by(SubscriptionTransition.id)
    )
    return [(r["from_status"], r["to_status"], r["cause"]) for r in rows]


def template_contexts() -> dict[str, Any]:
    """Representative contexts of the payment templates no crawled page shows
    (the page between "Pay by card" and Stripe answers a POST only), for the
    suite that renders every template."""
    return {
        "billing/checkout_redirect.html": lambda: {
            "checkout_url": "https://checkout.stripe.com/c/pay/cs_test_1",
            "back_url": "/w/exemple/admin/billing",
            "csrf_token": lambda: "token",
        }
    }
