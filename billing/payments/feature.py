"""The payments feature's manifest: payment attempts and gateway webhook
events (the ledger's tables), and the tenant admin's payment method (a card
saved through Stripe Checkout, or bank transfer)."""

from comptoir.billing.payments.pages import PaymentMethodPages
from comptoir.billing.payments.tables import PaymentAttempt, WebhookEvent
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="payments",
    label="Payments",
    area="billing",
    tables=(PaymentAttempt, WebhookEvent),
    page_routes=(PaymentMethodPages,),
    # The subscription's payment method is the administrators' business.
    permissions={"admin": frozenset({"view", "manage"})},
    audit_labels={
        "billing.customer_created": "A customer was created at the payment provider",
        "billing.card_saved": "A card was saved for the subscription",
        "billing.card_removed": "The subscription's card was removed",
    },
    flashes={
        "card_saved": ("success", "Card saved: the next invoices will be charged to it."),
        "card_setup_canceled": ("info", "No card was saved."),
        "card_setup_pending": (
            "info",
            "Stripe has not confirmed the card yet: it will appear here in a moment.",
        ),
        "card_setup_failed": (
            "error",
            "The payment provider cannot be reached right now. Please try again in a few minutes.",
        ),
        "card_setup_unknown": ("error", "This card setup does not belong to this workspace."),
        "card_unavailable": ("error", "Card payments are not available: pay by bank transfer."),
    },
)
