"""/api/v1/accounts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.fields import sent_values
from comptoir.platform.web.lists import Cursor, Limit, PageOf, Search, Sort, list_query, page_of
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.accounts import service
from comptoir.tenants.accounts.schemas import AccountFields, AccountOut, AccountUpdate


def _out(account: Any) -> AccountOut:
    return AccountOut(**{name: getattr(account, name) for name in AccountOut.__struct_fields__})


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["Accounts"]

    @get(
        "/",
        summary="List accounts",
        description="Newest first (`sort`: `name`, `updated_at`, `created_at`, `-` for "
        "descending); keyset pagination with `cursor`; `q` searches name, city, phone, "
        "SIREN and website; filters: `owner_id`, `city`, `industry`.",
        opt=requires("accounts", "view"),
    )
    async def list_accounts(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
    ) -> PageOf[AccountOut]:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        return page_of(await service.list_accounts(caller.tenant.id, query), AccountOut)

    @post("/", summary="Create an account", opt=requires("accounts", "create"))
    async def create_account(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[AccountFields]
    ) -> AccountOut:
        account = await service.create_account(
            caller.tenant.id, sent_values(data), actor=caller.actor
        )
        return _out(account)

    @get("/{account_id:str}", summary="Read an account", opt=requires("accounts", "view"))
    async def get_account(
        self, caller: NamedDependency[ApiCaller], account_id: FromPath[str]
    ) -> AccountOut:
        return _out(await service.get_account(caller.tenant.id, account_id))

    @patch(
        "/{account_id:str}",
        summary="Change an account",
        description="Only the fields sent change; `owner_id: null` clears the owner.",
        opt=requires("accounts", "edit"),
    )
    async def update_account(
        self,
        caller: NamedDependency[ApiCaller],
        account_id: FromPath[str],
        data: JSONBody[AccountUpdate],  # type: ignore[valid-type]
    ) -> AccountOut:
        account = await service.update_account(
            caller.tenant.id, account_id, sent_values(data), actor=caller.actor
        )
        return _out(account)

    @delete("/{account_id:str}", summary="Delete an account", opt=requires("accounts", "delete"))
    async def delete_account(
        self, caller: NamedDependency[ApiCaller], account_id: FromPath[str]
    ) -> None:
        await service.delete_account(caller.tenant.id, account_id, actor=caller.actor)


