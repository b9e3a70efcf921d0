"""Contacts: create, read, update, delete and search, audit-logged."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from typing import Any

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.pagination import Page, keyset_page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.db.search import like_pattern, normalise
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.signup.service import EMAIL_PATTERN

LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "job_title": 120,
    "company_name": 200,
    "notes": 10_000,
}
SEARCHED = ("first_name", "last_name", "email", "phone", "company_name")


@dataclass
class ContactFields:
    """Values for a contact; None means 'leave unchanged' on update."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    company_name: str | None = None
    notes: str | None = None
    owner_id: str | None = None

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


def _search_text(contact: Contact) -> str:
    return normalise(" ".join(str(getattr(contact, name) or "") for name in SEARCHED))


async def _validate(scope: TenantScope, values: dict[str, Any], contact: Contact) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "owner_id":
            continue
        value = value.strip() if name != "notes" else value
        if len(value) > LIMITS[name]:
            errors[name] = f"must be at most {LIMITS[name]} characters"
        cleaned[name] = value
    if "email" in cleaned:
        cleaned["email"] = cleaned["email"].lower()
        if cleaned["email"] and not EMAIL_PATTERN.match(cleaned["email"]):
            errors["email"] = "must be a valid e-mail address"
    if "owner_id" in values:
        owner = values["owner_id"]
        if owner == "":
            cleaned["owner_id"] = None
        else:
            owner_id = parse_id(owner)
            if owner_id is None or await scope.find(User, owner_id) is None:
                errors["owner_id"] = "must be the id of a user of this workspace"
            cleaned["owner_id"] = owner_id
    merged = {n: cleaned.get(n, getattr(contact, n)) for n in ("first_name", "last_name", "email")}
    if not any(merged.values()):
        errors["last_name"] = "a contact needs at least a name or an e-mail address"
    if errors:
        raise ValidationFailed(errors)
    return cleaned


async def create_contact(tenant_id: uuid.UUID, values: ContactFields, *, actor: Actor) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        contact = Contact(owner_id=actor.id if actor.kind == "user" else None)
        given = values.given()
        cleaned = await _validate(scope, given, contact)
        for name, value in cleaned.items():
            setattr(contact, name, value)
        contact.search_text = _search_text(contact)
        await scope.insert(contact)
        await audit.record(
            scope,
            actor,
            "contact.create",
            object_type="contact",
            object_id=contact.id,
            changes=cleaned,
        )
    return contact


async def get_contact(tenant_id: uuid.UUID, contact_id: str) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(Contact, contact_id)


async def update_contact(
    tenant_id: uuid.UUID, contact_id: str, values: ContactFields, *, actor: Actor
) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        contact = await scope.get(Contact, contact_id)
        before = contact.to_dict()
        cleaned = await _validate(scope, values.given(), contact)
        for name, value in cleaned.items():
            setattr(contact, name, value)
        contact.search_text = _search_text(contact)
        contact.updated_at = dt.datetime.now(dt.UTC)
        await scope.save(contact)
        changes = audit.diff(before, {k: getattr(contact, k) for k in cleaned})
        if changes:
            await audit.record(
                scope,
                actor,
                "contact.update",
                object_type="contact",
                object_id=contact.id,
                changes=changes,
            )
    return contact


async def delete_contact(tenant_id: uuid.UUID, contact_id: str, *, actor: Actor) -> None:
    async with tenant_scope(tenant_id) as scope:
        contact = await scope.get(Contact, contact_id)
        await scope.delete(Contact).where(Contact.id == contact.id)
        await audit.record(
            scope,
            actor,
            "contact.delete",
            object_type="contact",
            object_id=contact.id,
            changes={"name": f"{contact.first_name} {contact.last_name}".strip()},
        )


async def list_contacts(
    tenant_id: uuid.UUID,
    *,
    q: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Contact]:
    async with tenant_scope(tenant_id) as scope:
        query = scope.objects(Contact)
        if q and q.strip():
            query = query.where(Contact.search_text.like(like_pattern(q)))
        return await keyset_page(query, Contact, cursor=cursor, limit=limit)
