"""Accounts (companies): named actions over the shared record rules, plus a
valid SIREN (9 digits, Luhn-checked) and a name."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.records import RecordKind, create_record, delete_record, update_record
from comptoir.tenants.accounts.schemas import AccountFields, AccountOut
from comptoir.tenants.accounts.tables import Account


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum that every SIREN satisfies."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


async def _check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not str(values.get("name") or "").strip():
        errors["name"] = "an account needs a name"
    siren = str(values.get("siren") or "")
    if siren and (len(siren) != 9 or not siren.isdigit() or not luhn_valid(siren)):
        errors["siren"] = "must be a valid SIREN: 9 digits with a correct check digit"
    return errors


ACCOUNTS = RecordKind(
    name="account",
    plural="accounts",
    table=Account,
    fields=AccountFields,
    searched=("name", "city", "phone", "siren", "website"),
    check=_check,
)

ACCOUNT_LIST = ListSpec(
    table=Account,
    columns=[*AccountOut.__struct_fields__],
    sorts={"created_at": ("id",), "updated_at": ("updated_at",), "name": ("name",)},
    filters={"owner_id": "owner_id", "city": "city", "industry": "industry"},
    search_function="accounts_search_ids",
    search_page_function="accounts_search_page",
)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if isinstance(cleaned.get("siren"), str):
        cleaned["siren"] = cleaned["siren"].replace(" ", "")
    for name in ("name", "city", "postcode"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    return cleaned


async def create_account(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> Account:
    async with tenant_scope(tenant_id) as scope:
        cleaned = _clean(values)
        if cleaned.get("owner_id") is None:
            from comptoir.tenants.territories.service import owner_for

            assignment = await owner_for(scope, cleaned)
            if assignment is not None:
                # The workspace's rules chose the owner, not the creator: under
                # own_and_team the creator need not be able to own it themselves.
                owned = {**cleaned, "owner_id": assignment.owner_id}
                account = await create_record(scope.unrestricted(), ACCOUNTS, owned, actor=actor)
                assignment.announce(account, actor)
                return account
        return await create_record(scope, ACCOUNTS, cleaned, actor=actor)


async def update_account(
    tenant_id: uuid.UUID, account_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> Account:
    async with tenant_scope(tenant_id) as scope:
        return await update_record(scope, ACCOUNTS, account_id, _clean(values), actor=actor)


async def delete_account(
    tenant_id: uuid.UUID, account_id: uuid.UUID | str, *, actor: Actor
) -> None:
    """Delete an account; its contacts stay, without an account."""
    from comptoir.tenants.contacts.tables import Contact

    async with tenant_scope(tenant_id) as scope:
        account = await delete_record(scope, ACCOUNTS, account_id, actor=actor)
        await (
            scope.unrestricted()
            .update(Contact, {Contact.account_id: None})
            .where(Contact.account_id == account.id)
        )


async def get_account(tenant_id: uuid.UUID, account_id: uuid.UUID | str) -> Account:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(Account, account_id)


async def list_accounts(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, ACCOUNT_LIST, query, limit=limit)


async def account_names(tenant_id: uuid.UUID, ids: Iterable[str | uuid.UUID]) -> dict[str, str]:
    """{id: name} of the given accounts the viewer may see."""
    parsed = [i if isinstance(i, uuid.UUID) else parse_id(i) for i in ids]
    wanted = [i for i in parsed if i is not None]
    if not wanted:
        return {}
    async with tenant_scope(tenant_id) as scope:
        rows = await scope.select(Account, Account.id, Account.name).where(Account.id.is_in(wanted))
    return {str(row["id"]): row["name"] for row in rows}
