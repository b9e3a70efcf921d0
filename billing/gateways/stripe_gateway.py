"""Stripe, through the official library's ``StripeClient`` (async calls over httpx).

The API version is pinned here, in one constant: Stripe answers in the shape
of that version whatever the account's default, and the webhook endpoint is to
be created with the same version. ``api_base`` is a setting so that tests point
the real library at a local fake of the endpoints used."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe

from comptoir.billing.gateways.base import (
    CardDetails,
    ChargeOutcome,
    ChargeRequest,
    CheckoutRedirect,
    CompletedSetup,
    GatewayUnavailable,
    InvalidSignature,
)

STRIPE_API_VERSION = "2026-10-28.endive"
# Currencies with two decimals (Comptoir bills in euros): amounts go in cents.
CENT = Decimal("0.01")
REQUEST_TIMEOUT_SECONDS = 20.0


def to_minor_units(amount: Decimal) -> int:
    return int((amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def _id_of(value: Any) -> str | None:
    """A Stripe reference that may come expanded (an object) or as its id."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    found = value.get("id") if hasattr(value, "get") else getattr(value, "id", None)
    return str(found) if found else None


class StripeGateway:
    """Customers, card setup through Checkout (setup mode), off-session
    PaymentIntents with an idempotency key, and signed webhooks."""

    name = "stripe"
    saves_cards = True

    def __init__(
        self, api_key: str, *, webhook_secret: str | None, api_base: str | None = None
    ) -> None:
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            api_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.HTTPXClient(timeout=REQUEST_TIMEOUT_SECONDS),
            # Safe to retry: every POST carries an idempotency key (the
            # library's own, or ours for charges).
            max_network_retries=2,
        )

    async def ensure_customer(
        self, *, existing_id: str | None, tenant_id: str, name: str, email: str
    ) -> str | None:
        if existing_id:
            return existing_id
        try:
            customer = await self._client.v1.customers.create_async(
                params={"name": name, "email": email, "metadata": {"tenant_id": tenant_id}},
                # One customer per tenant even if this request is retried.
                options={"idempotency_key": f"customer-{tenant_id}"},
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable(f"Stripe refused to create the customer: {error}") from error
        return str(customer.id)

    async def start_card_setup(
        self, *, customer_id: str, tenant_id: str, success_url: str, cancel_url: str
    ) -> CheckoutRedirect:
        try:
            session = await self._client.v1.checkout.sessions.create_async(
                params={  # type: ignore[arg-type]  # a TypedDict the literal matches
                    "mode": "setup",
                    "customer": customer_id,
                    "currency": "eur",
                    "payment_method_types": ["card"],
                    "client_reference_id": tenant_id,
                    "metadata": {"tenant_id": tenant_id},
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                }
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable(f"Stripe refused the Checkout session: {error}") from error
        if not session.url:
            raise GatewayUnavailable("Stripe gave no Checkout address.")
        return CheckoutRedirect(session_id=str(session.id), url=str(session.url))

    async def setup_result(self, session_id: str) -> CompletedSetup:
        try:
            session = await self._client.v1.checkout.sessions.retrieve_async(
                session_id, params={"expand": ["setup_intent"]}
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable(f"Stripe could not read the session: {error}") from error
        intent = session.setup_intent
        payment_method = None
        if intent is not None and not isinstance(intent, str):
            payment_method = _id_of(intent.payment_method)
        return CompletedSetup(
            session_id=str(session.id),
            status=str(session.status or ""),
            customer_id=_id_of(session.customer),
            payment_method_id=payment_method,
            client_reference_id=session.client_reference_id,
        )

    async def card_details(self, payment_method_id: str) -> CardDetails:
        try:
            method = await self._client.v1.payment_methods.retrieve_async(payment_method_id)
        except stripe.StripeError as error:
            raise GatewayUnavailable(f"Stripe could not read the card: {error}") from error
        card = method.card
        return CardDetails(
            payment_method_id=str(method.id),
            brand=str(card.brand) if card else str(method.type),
            last4=str(card.last4) if card else "",
            exp_month=int(card.exp_month) if card else 0,
            exp_year=int(card.exp_year) if card else 0,
        )

    async def charge(self, request: ChargeRequest) -> ChargeOutcome:
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params={
                    "amount": to_minor_units(request.amount),
                    "currency": request.currency.lower(),
                    "customer": request.customer_id,
                    "payment_method": request.payment_method_id,
                    "off_session": True,
                    "confirm": True,
                    "description": request.description,
                    "metadata": request.metadata,
                },
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.CardError as error:
            # Declined (or needs the customer, e.g. authentication_required).
            details = error.error
            intent_ref = details.payment_intent if details else None
            return ChargeOutcome(
                succeeded=False,
                status="requires_action" if error.code == "authentication_required" else "failed",
                payment_id=_id_of(intent_ref),
                error_code=str(getattr(details, "decline_code", None) or error.code or "declined"),
                error_message=str(error.user_message or "The card was declined."),
            )
        except stripe.InvalidRequestError as error:
            # The saved card is gone or unusable: the customer must act.
            return ChargeOutcome(
                succeeded=False,
                status="failed",
                error_code=str(error.code or "invalid_request"),
                error_message=str(error.user_message or "The saved card cannot be charged."),
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable(f"Stripe could not take the payment: {error}") from error
        status = str(intent.status)
        return ChargeOutcome(
            succeeded=status == "succeeded",
            status=status if status in ("succeeded", "processing") else "requires_action",
            payment_id=str(intent.id),
        )

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        return verify_stripe_event(payload, signature, self._webhook_secret)


def verify_stripe_event(
    payload: bytes, signature: str | None, secret: str | None
) -> dict[str, Any]:
    """The event in a webhook delivery, checked by the library's own
    verification (HMAC-SHA256 of the raw body, timestamp within tolerance);
    ``InvalidSignature`` if the signature is missing, wrong or stale."""
    if not secret:
        raise InvalidSignature("STRIPE_WEBHOOK_SECRET is not set: no event can be trusted.")
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidSignature(str(error)) from error
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise InvalidSignature("The delivery is not a Stripe event.")
    return event
