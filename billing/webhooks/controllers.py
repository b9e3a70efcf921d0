"""``POST /webhooks/stripe``: Stripe's deliveries, verified on their raw body."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, post

from comptoir.billing.gateways.base import InvalidSignature
from comptoir.billing.webhooks.service import MAX_PAYLOAD_BYTES, receive_stripe_delivery
from comptoir.platform.errors import ComptoirError
from comptoir.platform.features import public


class BadSignature(ComptoirError):
    title = "Invalid signature"
    type_slug = "invalid-signature"


class PayloadTooLarge(ComptoirError):
    status_code = 413
    title = "Request too large"
    type_slug = "request-too-large"


class WebhookReceipt(msgspec.Struct):
    received: bool
    id: str
    duplicate: bool


@post(
    "/webhooks/stripe",
    name="stripe-webhook",
    opt=public(),
    include_in_schema=False,
    status_code=200,
    media_type=MediaType.JSON,
)
async def stripe_webhook(request: Request[Any, Any, Any]) -> Response[WebhookReceipt]:
    """Record a signed Stripe event (processed by a job). A bad or missing
    signature answers 400 problem+json and writes nothing; a redelivery
    answers 200 and changes nothing."""
    payload = await request.body()
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge("A Stripe event is never this large.")
    try:
        receipt = await receive_stripe_delivery(payload, request.headers.get("stripe-signature"))
    except InvalidSignature as error:
        raise BadSignature(f"The Stripe signature does not match this payload: {error}") from error
    return Response(
        WebhookReceipt(received=True, id=receipt.event_id, duplicate=receipt.duplicate),
        status_code=200,
    )
