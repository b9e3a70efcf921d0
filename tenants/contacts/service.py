"""Contacts: the people a tenant sells to and serves. Named actions over the
shared record rules (``comptoir.platform.records``), plus what is particular
to a contact: a name or an e-mail, and an account of the same workspace."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.records import RecordKind, create_record, delete_record, update_record
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.contacts.schemas import ContactFields, ContactOut
from comptoir.tenants.contacts.tables import Contact


async def _check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not any(values.get(n) for n in ("first_name", "last_name", "email")):
        errors["last_name"] = "a contact needs at least a name or an e-mail address"
    account_id = values.get("account_id")
    if account_id is not None and await scope.find(Account, account_id) is None:
        errors["account_id"] = "must be an account of this workspace"
    return errors


CONTACTS = RecordKind(
    name="contact",
    plural="contacts",
    table=Contact,
    fields=ContactFields,
    searched=("first_name", "last_name", "email", "phone", "company_name"),
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
    filters={"owner_id": "owner_id", "account_id": "account_id"},
    search_function="contacts_search_ids",
    search_page_function="contacts_search_page",
)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if isinstance(cleaned.get("email"), str):
        cleaned["email"] = cleaned["email"].strip().lower()
    return cleaned


async def create_contact(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        return await create_record(scope, CONTACTS, _clean(values), actor=actor)


async def update_contact(
    tenant_id: uuid.UUID, contact_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        return await update_record(scope, CONTACTS, contact_id, _clean(values), actor=actor)


async def delete_contact(
    tenant_id: uuid.UUID, contact_id: uuid.UUID | str, *, actor: Actor
) -> None:
    async with tenant_scope(tenant_id) as scope:
        await delete_record(scope, CONTACTS, contact_id, actor=actor)


async def get_contact(tenant_id: uuid.UUID, contact_id: uuid.UUID | str) -> Contact:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(Contact, contact_id)


async def list_contacts(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, CONTACT_LIST, query, limit=limit)


async def contacts_of_account(
    tenant_id: uuid.UUID, account_id: uuid.UUID, *, limit: int = 50
) -> Page[dict[str, Any]]:
    query = ListQuery(sort="name", filters={"account_id": str(account_id)}, limit=limit)
    return await list_contacts(tenant_id, query)
