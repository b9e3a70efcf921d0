"""Bank transfer: the default gateway when no Stripe key is configured.

Nothing is charged: the invoice shows the provider's IBAN and a payment
reference, and staff mark it paid in the console when the money arrives."""

from __future__ import annotations

from typing import Any

from comptoir.billing.gateways.base import (
    CardDetails,
    CardSetupUnavailable,
    ChargeOutcome,
    ChargeRequest,
    CheckoutRedirect,
    CompletedSetup,
    InvalidSignature,
)


class BankTransferGateway:
    name = "bank_transfer"
    saves_cards = False

    async def ensure_customer(
        self, *, existing_id: str | None, tenant_id: str, name: str, email: str
    ) -> str | None:
        return existing_id

    async def start_card_setup(
        self, *, customer_id: str, tenant_id: str, success_url: str, cancel_url: str
    ) -> CheckoutRedirect:
        raise CardSetupUnavailable("Card payments are not configured.")

    async def setup_result(self, session_id: str) -> CompletedSetup:
        raise CardSetupUnavailable("Card payments are not configured.")

    async def card_details(self, payment_method_id: str) -> CardDetails:
        raise CardSetupUnavailable("Card payments are not configured.")

    async def charge(self, request: ChargeRequest) -> ChargeOutcome:
        """A transfer invoice waits for the customer's transfer."""
        return ChargeOutcome(succeeded=False, status="awaiting_transfer")

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        raise InvalidSignature("Bank transfers send no webhooks.")
