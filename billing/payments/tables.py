"""Payment attempts and processed gateway webhook events: the ledger's side
of collecting money. The gateways, collection, webhooks and dunning use them."""

from decimal import Decimal

from piccolo.columns import JSON, UUID, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable


class PaymentAttempt(ControlTable, tablename="billing_payment_attempts"):
    """One try at collecting an invoice (or a transfer marked received)."""

    for_tenant_id = UUID(index=True)
    invoice_id = UUID(index=True)
    gateway = Varchar(length=20)  # stripe, bank_transfer
    # pending, succeeded, failed, requires_action, canceled
    status = Varchar(length=20, default="pending")
    amount = Numeric(digits=(14, 2), default=Decimal("0"))
    currency = Varchar(length=3, default="EUR")
    attempt_number = Integer(default=1)
    idempotency_key = Varchar(length=200, null=True, default=None, unique=True)
    gateway_payment_id = Varchar(length=255, null=True, default=None, index=True)
    gateway_charge_id = Varchar(length=255, null=True, default=None)
    error_code = Varchar(length=100, default="")
    error_message = Text(default="")
    actor_id = UUID(null=True, default=None)  # staff who marked a transfer paid
    at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WebhookEvent(ControlTable, tablename="billing_webhook_events"):
    """A gateway event, recorded once (unique ``event_id``) in the same
    transaction as its effect: a replay finds it and changes nothing."""

    event_id = Varchar(length=255, unique=True)
    gateway = Varchar(length=20, default="stripe")
    type = Varchar(length=100)
    for_tenant_id = UUID(null=True, default=None, index=True)
    # received, processed, retry (its record does not exist yet), ignored, failed
    status = Varchar(length=20, default="received")
    attempts = Integer(default=0)
    last_error = Text(default="")
    payload = JSON(default="{}")
    received_at = Timestamptz(default=TimestamptzNow())
    processed_at = Timestamptz(null=True, default=None)
