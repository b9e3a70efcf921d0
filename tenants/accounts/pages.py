"""Accounts in the workspace: list with live search, the account's record page
(key facts, history, its contacts, the other features' panels), its edit form,
create, delete, and the account picker of other forms."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.db.listing import ListQuery
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.fields import parse_form
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.accounts.schemas import AccountFields
from comptoir.tenants.accounts.service import (
    create_account,
    delete_account,
    get_account,
    list_accounts,
    update_account,
)
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.record_page import (
    FULL_HISTORY_LIMIT,
    RecordExtras,
    record_extras,
    record_history,
)
from comptoir.tenants.workspace.records import form_sections, form_values, people, wants_fragment
from comptoir.tenants.workspace.rendering import form_errors, render_page, render_partial, see_other

PAGE_SIZE = 25
PICKER_SIZE = 20
# The record page lists this many of the account's contacts, then links to the list.
CONTACTS_SHOWN = 10
SECTIONS = form_sections(
    AccountFields,
    [
        ("Company", ["name", "siren", "industry", "employees", "website", "phone"]),
        ("Address", ["address", "postcode", "city"]),
        ("Follow-up", ["owner_id", "notes"]),
    ],
)


async def _form(
    page: WorkspacePage,
    account: Account | None,
    *,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    values = form_values(AccountFields, account, data)
    if account is None and data is None:
        from comptoir.tenants.territories.service import all_territories

        # With territory rules, a new account is left unassigned for them to
        # route (the creator keeps it when none matches); without, it is theirs.
        if not await all_territories(page.tenant.id):
            values["owner_id"] = str(page.user.id)
    return render_page(
        page,
        "accounts/form.html",
        section="accounts",
        status=status,
        account=account,
        sections=SECTIONS,
        values=values,
        errors=errors or {},
        people=await people(page),
    )


class AccountPages(Controller):
    path = "/w/{slug:str}/accounts"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="accounts", opt=requires("accounts", "view"))
    async def accounts(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
        sort: Annotated[str | None, QueryParameter(max_length=40)] = None,
        owner_id: Annotated[str, QueryParameter(max_length=40)] = "",
        city: Annotated[str, QueryParameter(max_length=100)] = "",
    ) -> Template:
        """The full page, or with htmx only the table rows (search, filters, "Load more")."""
        filters = {
            name: value.strip()
            for name, value in (("owner_id", owner_id), ("city", city))
            if value.strip()
        }
        query = ListQuery(q=q or None, cursor=cursor, sort=sort, limit=PAGE_SIZE, filters=filters)
        found = await list_accounts(page.tenant.id, query)
        context: dict[str, Any] = {
            "accounts": found.items,
            "next_cursor": found.next_cursor,
            "q": q,
            "sort": sort or "",
            "filters": filters,
            "filter_query": urlencode(filters),
            "people": await people(page),
        }
        if wants_fragment(request):
            return render_partial(page, "accounts/_rows.html", more=bool(cursor), **context)
        return render_page(page, "accounts/list.html", section="accounts", **context)

    @get("/options", name="accounts-options", opt=requires("accounts", "view"))
    async def options(
        self,
        page: NamedDependency[WorkspacePage],
        account_q: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> Template:
        """The account picker's choices for what the user typed (htmx)."""
        query = ListQuery(q=account_q or None, sort="name", limit=PICKER_SIZE)
        found = await list_accounts(page.tenant.id, query)
        return render_partial(page, "accounts/_options.html", accounts=found.items, q=account_q)

    @get("/new", name="accounts-new", opt=requires("accounts", "create"))
    async def new_account(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _form(page, None)

    @post("/", name="accounts-create", opt=requires("accounts", "create"))
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            values = parse_form(AccountFields, data)
            account = await create_account(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _form(page, None, data=data, errors=form_errors(error), status=422)
        async with tenant_scope(page.tenant.id) as scope:
            visible = scope.may_own(account.owner_id)
        if not visible:
            # A territory rule gave it to someone whose records this user does not see.
            return see_other(f"{page.base}/accounts", flash="account_assigned_away")
        return see_other(f"{page.base}/accounts/{account.id}", flash="account_created")

    @get("/{account_id:str}", name="accounts-record", opt=requires("accounts", "view"))
    async def account(
        self, page: NamedDependency[WorkspacePage], account_id: FromPath[str]
    ) -> Template:
        """The account's record page: key facts, history, contacts, panels."""
        from comptoir.tenants.contacts.service import contacts_of_account

        account = await get_account(page.tenant.id, account_id)
        everyone = await people(page)
        contacts = (
            await contacts_of_account(page.tenant.id, account.id, limit=CONTACTS_SHOWN)
            if page.can("contacts.view")
            else None
        )
        return render_page(
            page,
            "accounts/record.html",
            section="accounts",
            account=account,
            people=everyone,
            contacts=contacts.items if contacts else [],
            more_contacts=bool(contacts and contacts.next_cursor),
            extras=await record_extras(
                page, "account", account.id, fields=AccountFields, people=everyone
            ),
            subject="account",
            subject_id=account.id,
            more_url=f"{page.base}/accounts/{account.id}/history",
        )

    @get("/{account_id:str}/history", name="accounts-history", opt=requires("accounts", "view"))
    async def history(
        self, page: NamedDependency[WorkspacePage], account_id: FromPath[str]
    ) -> Template:
        """The record page's history card with its older entries (htmx "Show more")."""
        account = await get_account(page.tenant.id, account_id)
        items = await record_history(
            page,
            "account",
            account.id,
            fields=AccountFields,
            people=await people(page),
            limit=FULL_HISTORY_LIMIT,
        )
        extras = RecordExtras(timeline=items)
        return render_partial(page, "workspace/_record_timeline.html", extras=extras)

    @get("/{account_id:str}/edit", name="accounts-edit", opt=requires("accounts", "edit"))
    async def edit(
        self, page: NamedDependency[WorkspacePage], account_id: FromPath[str]
    ) -> Template:
        return await _form(page, await get_account(page.tenant.id, account_id))

    @post("/{account_id:str}", name="accounts-update", opt=requires("accounts", "edit"))
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        account_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        account = await get_account(page.tenant.id, account_id)
        try:
            values = parse_form(AccountFields, data, only_sent=True)
            await update_account(page.tenant.id, account.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _form(page, account, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/accounts/{account.id}", flash="account_saved")

    @post("/{account_id:str}/delete", name="accounts-delete", opt=requires("accounts", "delete"))
    async def delete(
        self, page: NamedDependency[WorkspacePage], account_id: FromPath[str]
    ) -> Redirect:
        await delete_account(page.tenant.id, account_id, actor=page.actor)
        return see_other(f"{page.base}/accounts", flash="account_deleted")
