"""Contacts: the people a tenant sells to and serves. Named actions over the
shared record rules (``comptoir.platform.records``), plus what is particular
to a contact: a name or an e-mail, and an account of the same workspace."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.records import RecordKind, create_record, delete_record, update_record
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.contacts.schemas import INTERESTS_STORED, ContactFields, ContactOut
from comptoir.tenants.contacts.tables import Contact

OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def _check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not any(values.get(n) for n in ("first_name", "last_name", "email")):
        errors["last_name"] = "a contact needs at least a name or an e-mail address"
    account_id = values.get("account_id")
    if account_id is not None and await scope.find(Account, account_id) is None:
        errors["account_id"] = "must be an account of this workspace"
    birth_date = values.get("birth_date")
    if isinstance(birth_date, dt.date):
        if birth_date > _today():
            errors["birth_date"] = "cannot be in the future"
        elif birth_date < OLDEST_BIRTH_DATE:
            errors["birth_date"] = "cannot be before 1900"
    if len(str(values.get("interests") or "")) > INTERESTS_STORED:
        errors["interests"] = f"must be at most {INTERESTS_STORED} characters in all"
    return errors


CONTACTS = RecordKind(
    name="contact",
    plural="contacts",
    table=Contact,
    fields=ContactFields,
    searched=("first_name", "last_name", "email", "phone", "mobile", "company_name", "city"),
    check=_check,
    label_fields=("first_name", "last_name"),
)

CONTACT_LIST = ListSpec(
    table=Contact,
    columns=[*ContactOut.__struct_fields__],
    sorts={
        "created_at": ("id",),
        "updated_at": ("updated_at",),
        "name": ("last_name", "first_name"),
    },
    filters={"owner_id": "owner_id", "account_id": "account_id", "city": "city"},
    search_function="contacts_search_ids",
    search_page_function="contacts_search_page",
)


def interests_of(stored: str) -> list[str]:
    """The tags of the ``interests`` column (comma-separated)."""
    return [tag.strip() for tag in stored.split(",") if tag.strip()]


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if isinstance(cleaned.get("email"), str):
        cleaned["email"] = cleaned["email"].strip().lower()
    if isinstance(cleaned.get("interests"), list):
        tags = [str(tag).strip() for tag in cleaned["interests"]]
        cleaned["interests"] = ",".join(dict.fromkeys(tag for tag in tags if tag))
    if cleaned.get("marketing_consent") is None and "marketing_consent" in cleaned:
        cleaned["marketing_consent"] = False
    return cleaned


def _consent_dates(before: Contact | None, values: dict[str, Any]) -> dict[str, Any]:
    """RGPD consent: when it is given, ``consent_at`` is now unless given and
    a former withdrawal is cleared; when withdrawn, ``consent_withdrawn_at`` is now."""
    was = bool(before.marketing_consent) if before is not None else False
    now_given = bool(values.get("marketing_consent", was))
    now = dt.datetime.now(dt.UTC)
    if now_given and not was:
        values["consent_at"] = values.get("consent_at") or now
        values["consent_withdrawn_at"] = None
    elif was and not now_given:
        values["consent_withdrawn_at"] = now
        values.pop("consent_at", None)  # the date it had been given stays
    elif not now_given:
        values.pop("consent_at", None)  # no consent, so no date of consent
    return values


async def create_contact(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        cleaned = _consent_dates(None, _clean(values))
        return await create_record(scope, CONTACTS, cleaned, actor=actor)


async def update_contact(
    tenant_id: uuid.UUID, contact_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        before = await scope.get(Contact, contact_id)
        cleaned = _consent_dates(before, _clean(values))
        return await update_record(scope, CONTACTS, before.id, cleaned, actor=actor)


async def delete_contact(
    tenant_id: uuid.UUID, contact_id: uuid.UUID | str, *, actor: Actor
) -> None:
    async with tenant_scope(tenant_id) as scope:
        await delete_record(scope, CONTACTS, contact_id, actor=actor)


async def get_contact(tenant_id: uuid.UUID, contact_id: uuid.UUID | str) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(Contact, contact_id)


def contact_out(record: Contact | Mapping[str, Any]) -> ContactOut:
    """A contact (a record or a list row) as the API shows it: tags as a list."""

    def value(name: str) -> Any:
        return record[name] if isinstance(record, Mapping) else getattr(record, name)

    shown = {name: value(name) for name in ContactOut.__struct_fields__}
    shown["interests"] = interests_of(str(shown["interests"] or ""))
    return msgspec.convert(shown, ContactOut, from_attributes=True)


# A filter beside the declared ones: ``marketing_consent=true|false``.
CONSENT_FILTER = "marketing_consent"


async def list_contacts(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    filters = dict(query.filters)
    where = []
    if CONSENT_FILTER in filters:
        given = filters.pop(CONSENT_FILTER).strip().lower()
        if given not in ("true", "false"):
            raise ValidationFailed({CONSENT_FILTER: "must be true or false"})
        where.append(Contact.marketing_consent == (given == "true"))
    plain = dataclasses.replace(query, filters=filters)
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, CONTACT_LIST, plain, limit=limit, where=where)


async def contacts_of_account(
    tenant_id: uuid.UUID, account_id: uuid.UUID, *, limit: int = 50
) -> Page[dict[str, Any]]:
    query = ListQuery(sort="name", filters={"account_id": str(account_id)}, limit=limit)
    return await list_contacts(tenant_id, query)
