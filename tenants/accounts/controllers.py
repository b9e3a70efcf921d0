"""/api/v1/accounts: the record API made from the accounts' declaration, and
an account's history."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import requires
from comptoir.platform.web.lists import PageOf
from comptoir.platform.web.record_api import RecordApi, record_controller
from comptoir.tenants.accounts import service
from comptoir.tenants.accounts.schemas import AccountFields, AccountOut, AccountUpdate
from comptoir.tenants.workspace.record_page import (
    TimelineItemOut,
    people_by_id,
    record_history,
    timeline_out,
)

ACCOUNTS_API = RecordApi(
    feature="accounts",
    singular="account",
    tag="Accounts",
    fields=AccountFields,
    update=AccountUpdate,
    out=AccountOut,
    spec=service.ACCOUNT_LIST,
    list_records=service.list_accounts,
    get_record=service.get_account,
    create_record=service.create_account,
    update_record=service.update_account,
    delete_record=service.delete_account,
    searched="name, city, phone, SIREN and website",
)

AccountController = record_controller(ACCOUNTS_API, "/api/v1/accounts")


class AccountTimelineController(Controller):
    """An account's history: its changes and what the features record about it."""

    path = "/api/v1/accounts"
    tags = ["Accounts"]

    @get(
        "/{record_id:str}/timeline",
        summary="An account's history",
        description="Newest first, the last 30 entries: its changes (field by field) and "
        "the entries of the features the caller may see (activities, …).",
        opt=requires("accounts", "view"),
    )
    async def timeline(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> PageOf[TimelineItemOut]:
        account = await service.get_account(caller.tenant.id, record_id)
        items = await record_history(
            caller,
            "account",
            account.id,
            fields=AccountFields,
            people=await people_by_id(caller.tenant.id),
        )
        return PageOf(items=[timeline_out(item) for item in items], next_cursor=None)
