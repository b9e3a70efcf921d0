"""Contact payloads of the API."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from comptoir.tenants.contacts.service import ContactFields
from comptoir.tenants.contacts.tables import Contact

Name = Annotated[str, msgspec.Meta(max_length=100)]


class ContactCreate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name = ""
    last_name: Name = ""
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    job_title: Annotated[str, msgspec.Meta(max_length=120)] = ""
    company_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    notes: Annotated[str, msgspec.Meta(max_length=10_000)] = ""
    owner_id: str | None = None

    def to_fields(self) -> ContactFields:
        values = msgspec.structs.asdict(self)
        if values["owner_id"] is None:
            del values["owner_id"]
        return ContactFields(**values)


class ContactUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent are changed; ``owner_id: null`` clears the owner."""

    first_name: Name | UnsetType = UNSET
    last_name: Name | UnsetType = UNSET
    email: Annotated[str, msgspec.Meta(max_length=254)] | UnsetType = UNSET
    phone: Annotated[str, msgspec.Meta(max_length=40)] | UnsetType = UNSET
    job_title: Annotated[str, msgspec.Meta(max_length=120)] | UnsetType = UNSET
    company_name: Annotated[str, msgspec.Meta(max_length=200)] | UnsetType = UNSET
    notes: Annotated[str, msgspec.Meta(max_length=10_000)] | UnsetType = UNSET
    owner_id: str | UnsetType | None = UNSET

    def to_fields(self) -> ContactFields:
        values = {k: v for k, v in msgspec.structs.asdict(self).items() if v is not UNSET}
        if "owner_id" in values and values["owner_id"] is None:
            values["owner_id"] = ""
        return ContactFields(**values)


class ContactOut(msgspec.Struct):
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    company_name: str
    notes: str
    owner_id: str | None
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, contact: Contact) -> ContactOut:
        return cls(
            id=str(contact.id),
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone=contact.phone,
            job_title=contact.job_title,
            company_name=contact.company_name,
            notes=contact.notes,
            owner_id=str(contact.owner_id) if contact.owner_id else None,
            created_at=contact.created_at.isoformat(),
            updated_at=contact.updated_at.isoformat(),
        )


class ContactList(msgspec.Struct):
    items: list[ContactOut]
    next_cursor: str | None
