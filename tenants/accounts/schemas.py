"""An account's fields, declared once (API, form, validation, audit diff)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from comptoir.platform.fields import partial_struct


class AccountFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[
        str, Meta(min_length=1, max_length=200, title="Company name", extra={"required": True})
    ]
    siren: Annotated[
        str,
        Meta(
            max_length=11,
            pattern=r"^(\d{3} ?\d{3} ?\d{3})?$",
            title="SIREN",
            description="9 digits, as on the company's Kbis.",
        ),
    ] = ""
    industry: Annotated[str, Meta(max_length=100, title="Industry")] = ""
    employees: Annotated[
        Annotated[int, Meta(ge=0, le=10_000_000)] | None,
        Meta(
            title="Headcount",
            description="How many people work there.",
            extra={"widget": "number"},
        ),
    ] = None
    website: Annotated[str, Meta(max_length=300, title="Website", extra={"widget": "url"})] = ""
    phone: Annotated[str, Meta(max_length=40, title="Phone", extra={"widget": "tel"})] = ""
    address: Annotated[str, Meta(max_length=300, title="Address")] = ""
    postcode: Annotated[str, Meta(max_length=10, title="Postcode")] = ""
    city: Annotated[str, Meta(max_length=100, title="City")] = ""
    owner_id: Annotated[uuid.UUID | None, Meta(title="Owner")] = None
    notes: Annotated[str, Meta(max_length=10_000, title="Notes", extra={"widget": "textarea"})] = ""


AccountUpdate = partial_struct(AccountFields, "AccountUpdate")


class AccountOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    siren: str
    industry: str
    employees: int | None
    website: str
    phone: str
    address: str
    postcode: str
    city: str
    owner_id: uuid.UUID | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
