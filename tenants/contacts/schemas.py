"""A contact's fields, declared once: the API, the form, validation and the
audit diff all read them from ``ContactFields``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from comptoir.platform.fields import partial_struct

EMAIL = r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ContactFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    first_name: Annotated[str, Meta(max_length=100, title="First name")] = ""
    last_name: Annotated[str, Meta(max_length=100, title="Last name")] = ""
    job_title: Annotated[str, Meta(max_length=120, title="Job title")] = ""
    company_name: Annotated[str, Meta(max_length=200, title="Company")] = ""
    account_id: Annotated[uuid.UUID | None, Meta(title="Account")] = None
    email: Annotated[
        str, Meta(max_length=254, pattern=EMAIL, title="E-mail", extra={"widget": "email"})
    ] = ""
    phone: Annotated[str, Meta(max_length=40, title="Phone", extra={"widget": "tel"})] = ""
    owner_id: Annotated[uuid.UUID | None, Meta(title="Owner")] = None
    notes: Annotated[str, Meta(max_length=10_000, title="Notes", extra={"widget": "textarea"})] = ""


ContactUpdate = partial_struct(ContactFields, "ContactUpdate")


class ContactOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    first_name: str
    last_name: str
    job_title: str
    company_name: str
    account_id: uuid.UUID | None
    email: str
    phone: str
    owner_id: uuid.UUID | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
