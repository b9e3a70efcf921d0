"""A quote's payloads, declared once (API, validation, audit diff).

Money and rates are ``Decimal``: the API reads and writes them as decimal
strings ("1234.50", "5.5"). A quote's lines are sent whole: a change that
carries ``lines`` replaces them all."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from comptoir.platform.fields import partial_struct

STATUSES = ("draft", "sent", "accepted", "rejected", "expired")
MAX_LINES = 200


class QuoteLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    description: Annotated[str, Meta(max_length=2000, title="Description")]
    quantity: Annotated[Decimal, Meta(title="Quantity", description="More than 0.")] = Decimal("1")
    unit_price: Annotated[
        Decimal, Meta(title="Unit price", description="In euros, excluding VAT.")
    ] = Decimal("0")
    discount_percent: Annotated[
        Decimal, Meta(title="Discount", description="In percent, from 0 to 100.")
    ] = Decimal("0")
    vat_rate: Annotated[
        str, Meta(max_length=5, title="VAT rate", description='"20", "10", "5.5" or "2.1".')
    ] = "20"


class QuoteHeader(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The quote's own fields (its lines aside)."""

    title: Annotated[
        str, Meta(min_length=1, max_length=200, title="Quote title", extra={"required": True})
    ]
    account_id: Annotated[uuid.UUID | None, Meta(title="Account")] = None
    contact_id: Annotated[
        uuid.UUID | None, Meta(title="Contact", description="Receives the quote by e-mail.")
    ] = None
    opportunity_id: Annotated[uuid.UUID | None, Meta(title="Opportunity")] = None
    valid_until: Annotated[
        dt.date | None,
        Meta(title="Valid until", description="Left empty: today plus the company's validity."),
    ] = None
    payment_terms: Annotated[
        Annotated[str, Meta(max_length=2000)] | None,
        Meta(
            title="Payment terms",
            description="Left empty: the company profile's.",
        ),
    ] = None
    notes: Annotated[str, Meta(max_length=10_000, title="Notes")] = ""
    owner_id: Annotated[uuid.UUID | None, Meta(title="Owner")] = None


class QuoteFields(QuoteHeader, kw_only=True, forbid_unknown_fields=True):
    lines: Annotated[list[QuoteLineIn], Meta(max_length=MAX_LINES, title="Lines")] = []


QuoteUpdate = partial_struct(QuoteFields, "QuoteUpdate")


class QuoteLineOut(msgspec.Struct, kw_only=True):
    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: str
    total_net: Decimal
    total_vat: Decimal


class VatShareOut(msgspec.Struct, kw_only=True):
    rate: str
    base: Decimal
    vat: Decimal


class QuoteSummaryOut(msgspec.Struct, kw_only=True):
    """A quote in a list (its lines are read with the quote)."""

    id: uuid.UUID
    number: str
    title: str
    status: str
    account_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    revision_of: uuid.UUID | None
    owner_id: uuid.UUID | None
    issued_on: dt.date | None
    valid_until: dt.date | None
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    sent_at: dt.datetime | None
    decided_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class QuoteOut(QuoteSummaryOut, kw_only=True):
    payment_terms: str
    notes: str
    lines: list[QuoteLineOut]
    vat_breakdown: list[VatShareOut]


class AcceptIn(msgspec.Struct, kw_only=True):
    """Other fields are ignored."""

    win_opportunity: Annotated[bool, Meta(description="Also mark the quote's opportunity won.")] = (
        False
    )
