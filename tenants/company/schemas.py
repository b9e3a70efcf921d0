"""The seller's identity, declared once (API, form, validation, audit diff)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta


class CompanyFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What ``PUT /api/v1/settings/company`` replaces: a field left out is blanked."""

    legal_name: Annotated[str, Meta(max_length=200, title="Legal name")] = ""
    legal_form: Annotated[
        str, Meta(max_length=60, title="Legal form", description="e.g. SAS, SARL, EURL.")
    ] = ""
    address: Annotated[str, Meta(max_length=300, title="Address")] = ""
    postcode: Annotated[str, Meta(max_length=10, title="Postcode")] = ""
    city: Annotated[str, Meta(max_length=100, title="City")] = ""
    country: Annotated[str, Meta(max_length=100, title="Country")] = "France"
    siren: Annotated[
        str,
        Meta(
            max_length=11,
            pattern=r"^(\d{3} ?\d{3} ?\d{3})?$",
            title="SIREN",
            description="9 digits, as on the company's Kbis.",
        ),
    ] = ""
    vat_number: Annotated[
        str,
        Meta(
            max_length=20,
            title="VAT number",
            description="FR, a 2-character key, then the SIREN: FR40123456824.",
        ),
    ] = ""
    phone: Annotated[str, Meta(max_length=40, title="Phone", extra={"widget": "tel"})] = ""
    email: Annotated[str, Meta(max_length=254, title="E-mail", extra={"widget": "email"})] = ""
    website: Annotated[str, Meta(max_length=300, title="Website", extra={"widget": "url"})] = ""
    iban: Annotated[str, Meta(max_length=40, title="IBAN")] = ""
    bic: Annotated[str, Meta(max_length=11, title="BIC")] = ""
    quote_validity_days: Annotated[
        int,
        Meta(
            ge=1,
            le=365,
            title="Quote validity (days)",
            description="A new quote is valid this many days.",
        ),
    ] = 30
    payment_terms: Annotated[
        str,
        Meta(
            max_length=2000,
            title="Payment terms",
            description="Printed on quotes, e.g. 30 days from the invoice date.",
            extra={"widget": "textarea"},
        ),
    ] = ""


class CompanyOut(msgspec.Struct, kw_only=True):
    legal_name: str
    legal_form: str
    address: str
    postcode: str
    city: str
    country: str
    siren: str
    vat_number: str
    phone: str
    email: str
    website: str
    iban: str
    bic: str
    quote_validity_days: int
    payment_terms: str
