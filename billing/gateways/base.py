"""The interface every payment gateway implements, and what it answers.

Comptoir's ledger is the source of truth; a gateway only moves money. Two
implementations, chosen by configuration (``configured_gateway``):
``StripeGateway`` when ``STRIPE_API_KEY`` is set, ``BankTransferGateway``
otherwise (the invoice shows the provider's IBAN and a payment reference,
staff mark it paid in the console). Gateways are called from jobs and from the
payment-method pages' redirects, never inside a database transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol


class GatewayUnavailable(RuntimeError):
    """The gateway could not be reached or answered an error that is not the
    customer's (network, 5xx, bad configuration): try again later."""


class CardSetupUnavailable(RuntimeError):
    """This gateway cannot save a card (bank transfer only)."""


@dataclass(frozen=True)
class CardDetails:
    """What the billing page shows of a saved card."""

    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def summary(self) -> str:
        """E.g. "Visa •••• 4242", as stored on the subscription."""
        return f"{self.brand.replace('_', ' ').title()} •••• {self.last4}"


@dataclass(frozen=True)
class CheckoutRedirect:
    """A hosted page the tenant admin is sent to to enter a card."""

    session_id: str
    url: str


@dataclass(frozen=True)
class CompletedSetup:
    """A finished card setup: which customer now has which payment method."""

    session_id: str
    status: str  # open, complete, expired
    customer_id: str | None
    payment_method_id: str | None
    client_reference_id: str | None


@dataclass(frozen=True)
class ChargeOutcome:
    """The result of one off-session charge.

    ``succeeded``: the money is taken. Otherwise ``declined`` says the card
    (the customer's side) refused it, which enters dunning; an unreachable
    gateway raises ``GatewayUnavailable`` instead, and the job is retried."""

    succeeded: bool
    status: str  # succeeded, failed, requires_action, processing
    payment_id: str | None = None
    error_code: str = ""
    error_message: str = ""

    @property
    def declined(self) -> bool:
        return not self.succeeded and self.status in ("failed", "requires_action")


@dataclass(frozen=True)
class ChargeRequest:
    """An off-session charge of one invoice's amount."""

    customer_id: str
    payment_method_id: str
    amount: Decimal  # euros, two decimals
    currency: str
    idempotency_key: str
    description: str
    metadata: dict[str, str]


class PaymentGateway(Protocol):
    """What collection, the payment-method pages and the webhooks need."""

    name: str  # "stripe" or "bank_transfer", as stored on subscriptions and attempts

    @property
    def saves_cards(self) -> bool: ...

    async def ensure_customer(
        self, *, existing_id: str | None, tenant_id: str, name: str, email: str
    ) -> str | None:
        """The gateway's customer for a tenant: ``existing_id``, or a new one
        (None for gateways without customers)."""
        ...

    async def start_card_setup(
        self, *, customer_id: str, tenant_id: str, success_url: str, cancel_url: str
    ) -> CheckoutRedirect: ...

    async def setup_result(self, session_id: str) -> CompletedSetup: ...

    async def card_details(self, payment_method_id: str) -> CardDetails: ...

    async def charge(self, request: ChargeRequest) -> ChargeOutcome: ...

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The webhook event in ``payload`` if ``signature`` proves it came
        from the gateway; raises ``InvalidSignature`` otherwise."""
        ...


class InvalidSignature(ValueError):
    """A webhook delivery whose signature is missing or wrong."""
