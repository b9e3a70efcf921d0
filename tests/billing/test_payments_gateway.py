"""The Stripe gateway, through the real ``stripe`` library, against the local fake."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from comptoir.billing.gateways.bank_transfer import BankTransferGateway
from comptoir.billing.gateways.base import ChargeRequest, InvalidSignature
from comptoir.billing.gateways.config import configured_gateway
from comptoir.billing.gateways.stripe_gateway import (
    STRIPE_API_VERSION,
    StripeGateway,
    to_minor_units,
    verify_stripe_event,
)
from tests.billing.payments_support import (  # noqa: F401 (fixtures)
    WEBHOOK_SECRET,
    stripe_fake_fixture,
    stripe_server_fixture,
)
from tests.billing.stripe_fake import StripeFake, signature


def test_amounts_go_in_cents() -> None:
    assert to_minor_units(Decimal("84.00")) == 8400
    assert to_minor_units(Decimal("0.005")) == 1
    assert to_minor_units(Decimal("1234.56")) == 123456


def test_without_a_key_payments_are_bank_transfers() -> None:
    assert isinstance(configured_gateway(), BankTransferGateway)


async def test_card_setup_and_charges_through_the_library(stripe_fake: StripeFake) -> None:
    gateway = configured_gateway()
    assert isinstance(gateway, StripeGateway)
    customer = await gateway.ensure_customer(
        existing_id=None, tenant_id="t-1", name="Société Alpha", email="admin@alpha.fr"
    )
    assert customer is not None and customer.startswith("cus_")
    # The same tenant asked twice is one customer (idempotency key).
    again = await gateway.ensure_customer(
        existing_id=None, tenant_id="t-1", name="Société Alpha", email="admin@alpha.fr"
    )
    assert again == customer
    assert len(stripe_fake.customers) == 1

    redirect = await gateway.start_card_setup(
        customer_id=customer,
        tenant_id="t-1",
        success_url="https://x.test/ok?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://x.test/cancel",
    )
    assert redirect.url.startswith("https://checkout.stripe.com/")
    method, path, params, headers = stripe_fake.requests[-1]
    assert (method, path, params["mode"]) == ("POST", "/v1/checkout/sessions", "setup")
    assert headers["stripe-version"] == STRIPE_API_VERSION

    assert (await gateway.setup_result(redirect.session_id)).status == "open"
    stripe_fake.complete_checkout(redirect.session_id, card="mastercard")
    setup = await gateway.setup_result(redirect.session_id)
    assert setup.status == "complete" and setup.customer_id == customer
    assert setup.payment_method_id is not None
    card = await gateway.card_details(setup.payment_method_id)
    assert (card.brand, card.last4, card.summary) == ("mastercard", "4444", "Mastercard •••• 4444")

    request = ChargeRequest(
        customer_id=customer,
        payment_method_id=setup.payment_method_id,
        amount=Decimal("84.00"),
        currency="EUR",
        idempotency_key="invoice-1-attempt-1",
        description="F2026-000001",
        metadata={"invoice_id": "i-1", "tenant_id": "t-1"},
    )
    stripe_fake.decline_next(1)
    declined = await gateway.charge(request)
    assert not declined.succeeded and declined.declined
    assert declined.error_code == "insufficient_funds"
    assert declined.payment_id is not None
    # The same attempt asked again replays Stripe's first answer: no second charge.
    replay = await gateway.charge(request)
    assert replay == declined
    paid = await gateway.charge(
        ChargeRequest(**{**request.__dict__, "idempotency_key": "invoice-1-attempt-2"})
    )
    assert paid.succeeded and paid.status == "succeeded"
    intents = stripe_fake.charges()
    assert [i["status"] for i in intents] == ["requires_payment_method", "succeeded"]
    assert intents[-1]["amount"] == 8400 and intents[-1]["metadata"]["invoice_id"] == "i-1"
    _, _, sent, _ = stripe_fake.requests[-1]
    assert sent["off_session"] == "true" and sent["confirm"] == "true"


async def test_a_card_that_is_gone_is_a_failed_charge(stripe_fake: StripeFake) -> None:
    gateway = configured_gateway()
    outcome = await gateway.charge(
        ChargeRequest(
            customer_id="cus_x",
            payment_method_id="pm_missing",
            amount=Decimal("10"),
            currency="EUR",
            idempotency_key="k-missing",
            description="",
            metadata={},
        )
    )
    assert not outcome.succeeded and outcome.error_code == "resource_missing"


def test_webhook_signatures_are_checked_by_the_library() -> None:
    event = {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}}
    payload = json.dumps(event).encode()
    assert verify_stripe_event(payload, signature(payload, WEBHOOK_SECRET), WEBHOOK_SECRET) == event
    for bad in (
        None,
        "",
        signature(payload, "whsec_other"),
        signature(payload + b" ", WEBHOOK_SECRET),
        signature(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 3600),
        "t=1,v1=deadbeef",
    ):
        with pytest.raises(InvalidSignature):
            verify_stripe_event(payload, bad, WEBHOOK_SECRET)
    with pytest.raises(InvalidSignature):
        verify_stripe_event(payload, signature(payload, WEBHOOK_SECRET), None)
