"""A contact's fields, declared once: the API, the form, validation and the
audit diff all read them from ``ContactFields``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from comptoir.platform.fields import partial_struct

EMAIL = r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"
MAX_INTERESTS = 20
INTEREST_LENGTH = 40
INTERESTS_STORED = 500  # the column's length, the tags joined by commas


def _(message: str) -> str:
    """Marks an English label for extraction; it is translated when shown."""
    return message


PREFERRED_CHANNELS = {
    "": _("Not set"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "mail": _("Post"),
    "none": _("Do not contact"),
}
GENDERS = {"": _("Not set"), "female": _("Female"), "male": _("Male"), "other": _("Other")}
FAMILY_SITUATIONS = {
    "": _("Not set"),
    "single": _("Single"),
    "couple": _("Living as a couple"),
    "married": _("Married or in a civil partnership (PACS)"),
    "divorced": _("Divorced"),
    "widowed": _("Widowed"),
}
# INSEE's PCS 2020 socio-professional groups.
PROFESSION_CATEGORIES = {
    "": _("Not set"),
    "1": _("Farmers"),
    "2": _("Craftspeople, shopkeepers and business owners"),
    "3": _("Managers and higher intellectual professions"),
    "4": _("Intermediate professions"),
    "5": _("Clerical and service employees"),
    "6": _("Manual workers"),
    "7": _("Retired people"),
    "8": _("Other people without professional activity"),
}

Channel = Literal["", "email", "phone", "mail", "none"]
Gender = Literal["", "female", "male", "other"]
FamilySituation = Literal["", "single", "couple", "married", "divorced", "widowed"]
ProfessionCategory = Literal["", "1", "2", "3", "4", "5", "6", "7", "8"]
Interest = Annotated[str, Meta(min_length=1, max_length=INTEREST_LENGTH, pattern=r"^[^,]*$")]
Phone = Annotated[str, Meta(max_length=40, extra={"widget": "tel"})]


class ContactFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    first_name: Annotated[str, Meta(max_length=100, title="First name")] = ""
    last_name: Annotated[str, Meta(max_length=100, title="Last name")] = ""
    job_title: Annotated[str, Meta(max_length=120, title="Job title")] = ""
    company_name: Annotated[str, Meta(max_length=200, title="Company")] = ""
    account_id: Annotated[uuid.UUID | None, Meta(title="Account")] = None
    email: Annotated[
        str, Meta(max_length=254, pattern=EMAIL, title="E-mail", extra={"widget": "email"})
    ] = ""
    phone: Annotated[Phone, Meta(title="Work phone")] = ""
    mobile: Annotated[Phone, Meta(title="Mobile phone")] = ""
    address: Annotated[str, Meta(max_length=300, title="Address")] = ""
    postcode: Annotated[str, Meta(max_length=10, title="Postcode")] = ""
    city: Annotated[str, Meta(max_length=100, title="City")] = ""
    country: Annotated[str, Meta(max_length=100, title="Country")] = ""
    marketing_consent: Annotated[
        bool,
        Meta(
            title="Marketing consent",
            description="They agreed to receive marketing messages.",
            extra={"widget": "boolean"},
        ),
    ] = False
    consent_at: Annotated[
        dt.datetime | None,
        Meta(
            title="Consent given on",
            description="When consent was given; now if not given when consent becomes true.",
        ),
    ] = None
    consent_source: Annotated[
        str,
        Meta(
            max_length=100,
            title="Consent source",
            description="Where they gave it: web form, trade show…",
        ),
    ] = ""
    preferred_channel: Annotated[
        Channel,
        Meta(title="Preferred channel", extra={"widget": "select", "choices": PREFERRED_CHANNELS}),
    ] = ""
    birth_date: Annotated[dt.date | None, Meta(title="Birth date", extra={"widget": "date"})] = None
    gender: Annotated[
        Gender, Meta(title="Gender", extra={"widget": "select", "choices": GENDERS})
    ] = ""
    family_situation: Annotated[
        FamilySituation,
        Meta(title="Family situation", extra={"widget": "select", "choices": FAMILY_SITUATIONS}),
    ] = ""
    children: Annotated[
        Annotated[int, Meta(ge=0, le=20)] | None,
        Meta(title="Children", extra={"widget": "number"}),
    ] = None
    profession_category: Annotated[
        ProfessionCategory,
        Meta(
            title="Socio-professional category",
            description="INSEE PCS 2020 group.",
            extra={"widget": "select", "choices": PROFESSION_CATEGORIES},
        ),
    ] = ""
    interests: Annotated[
        list[Interest],
        Meta(
            max_length=MAX_INTERESTS,
            title="Interests",
            description="Separate them with commas.",
            extra={"widget": "tags"},
        ),
    ] = []
    owner_id: Annotated[uuid.UUID | None, Meta(title="Owner")] = None
    notes: Annotated[str, Meta(max_length=10_000, title="Notes", extra={"widget": "textarea"})] = ""


ContactUpdate = partial_struct(ContactFields, "ContactUpdate")

# What the pages' form edits: every field but ``consent_at``, which the
# service sets when consent is given (the API may give it, e.g. collected
# earlier at a trade show).
FORM_ONLY_API = ("consent_at",)
ContactForm = msgspec.defstruct(
    "ContactForm",
    [
        (f.name, f.type, f.default)
        for f in msgspec.structs.fields(ContactFields)
        if f.name not in FORM_ONLY_API
    ],
    kw_only=True,
    module=__name__,
)


class ContactOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    first_name: str
    last_name: str
    job_title: str
    company_name: str
    account_id: uuid.UUID | None
    email: str
    phone: str
    mobile: str
    address: str
    postcode: str
    city: str
    country: str
    marketing_consent: bool
    consent_at: dt.datetime | None
    consent_source: str
    consent_withdrawn_at: dt.datetime | None
    preferred_channel: str
    birth_date: dt.date | None
    gender: str
    family_situation: str
    children: int | None
    profession_category: str
    interests: list[str]
    owner_id: uuid.UUID | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
