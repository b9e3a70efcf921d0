"""Receiving Stripe's webhooks.

A delivery is checked first (the raw body against ``STRIPE_WEBHOOK_SECRET``,
by the library's own verification): a bad or missing signature is refused
and nothing is written. A good one is recorded under its event id (unique) with
a ``billing.webhook`` job, in one transaction, and answered 200 at once: a
redelivery finds the row and queues nothing.

The job applies the event (``handlers``) and marks it processed in the same
transaction as its effect. An event about a record that does not exist yet
(a customer or invoice still being created) is parked: the row says
``retry`` and the job is retried with the queue's backoff, then left dead for
staff to retry from the console. Out-of-order and duplicate events are
harmless because every effect is conditional on the state it changes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import structlog

from comptoir.billing.gateways.config import gateway_settings
from comptoir.billing.gateways.stripe_gateway import verify_stripe_event
from comptoir.billing.payments.tables import WebhookEvent
from comptoir.platform.db.scope import control_scope
from comptoir.platform.jobs.job_queue import enqueue

log = structlog.get_logger(__name__)

PROCESS_EVENT = "billing.webhook"
RECEIVED, RETRY, PROCESSED, IGNORED = "received", "retry", "processed", "ignored"
MAX_PAYLOAD_BYTES = 512 * 1024
# Backoff from 15 s doubling to 6 h: an event about a record not yet made is
# retried for about two days, then waits for staff (the console's jobs page).
PROCESS_ATTEMPTS = 16


@dataclass(frozen=True)
class Receipt:
    event_id: str
    type: str
    duplicate: bool


def _tenant_hint(event: dict[str, Any]) -> uuid.UUID | None:
    """The tenant an event names in its metadata, if any (for the console)."""
    obj = (event.get("data") or {}).get("object") or {}
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    raw = (metadata or {}).get("tenant_id") or (obj.get("client_reference_id") if obj else None)
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


async def receive_stripe_delivery(payload: bytes, signature: str | None) -> Receipt:
    """Verify and record one delivery (``InvalidSignature`` if it is not
    Stripe's); queue its processing unless the event was seen before."""
    event = verify_stripe_event(payload, signature, gateway_settings().stripe_webhook_secret)
    event_id, kind = str(event["id"])[:255], str(event["type"])[:100]
    async with control_scope():
        inserted = await (
            WebhookEvent.insert(
                WebhookEvent(
                    event_id=event_id,
                    gateway="stripe",
                    type=kind,
                    for_tenant_id=_tenant_hint(event),
                    status=RECEIVED,
                    payload=json.dumps(event),
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(WebhookEvent.id)
        )
        if inserted:
            await enqueue(
                PROCESS_EVENT,
                {"event_id": event_id},
                unique_key=f"{PROCESS_EVENT}:{event_id}",
                max_attempts=PROCESS_ATTEMPTS,
            )
    log.info("billing.webhook_received", event_id=event_id, type=kind, duplicate=not inserted)
    return Receipt(event_id=event_id, type=kind, duplicate=not inserted)
