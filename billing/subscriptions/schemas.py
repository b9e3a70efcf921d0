"""The subscription as the API shows it, and what a tenant admin sends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

PlanName = Annotated[
    str,
    Meta(
        title="Plan",
        description="essentiel, pro or entreprise",
        pattern="^(essentiel|pro|entreprise)$",
    ),
]


class EstimateOut(msgspec.Struct):
    """The next invoice as things stand now."""

    period: str
    plan: str
    seats: int
    price_per_seat: Decimal
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal


class SubscriptionOut(msgspec.Struct):
    plan: str
    status: str
    seats: int
    trial_ends_at: dt.datetime | None
    current_period_start: dt.datetime | None
    current_period_end: dt.datetime | None
    seats_billed: int
    price_per_seat: Decimal
    cancel_at_period_end: bool
    pending_plan: str | None
    payment_terms: str
    billing_name: str
    billing_email: str
    billing_address: str
    billing_postal_code: str
    billing_city: str
    billing_country: str
    vat_number: str
    next_invoice: EstimateOut | None = None


class PlanChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    plan: PlanName


class PlanChangeOut(msgspec.Struct):
    subscription: SubscriptionOut
    immediate: bool
    invoice_id: str | None = None


class BillingDetailsIn(msgspec.Struct, forbid_unknown_fields=True):
    billing_name: Annotated[str, Meta(title="Billing name", min_length=1, max_length=200)]
    billing_email: Annotated[str, Meta(title="Billing e-mail", min_length=3, max_length=254)]
    billing_address: Annotated[str, Meta(title="Address", max_length=500)] = ""
    billing_postal_code: Annotated[str, Meta(title="Postcode", max_length=20)] = ""
    billing_city: Annotated[str, Meta(title="City", max_length=100)] = ""
    billing_country: Annotated[
        str, Meta(title="Country", min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")
    ] = "FR"
    vat_number: Annotated[str, Meta(title="VAT number", max_length=20)] = ""
