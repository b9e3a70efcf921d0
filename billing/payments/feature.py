"""The payments feature's manifest: payment attempts and gateway webhook events."""

from comptoir.billing.payments.tables import PaymentAttempt, WebhookEvent
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="payments",
    label="Payments",
    area="billing",
    tables=(PaymentAttempt, WebhookEvent),
)
