"""Quotes in the workspace: the list (status filter, live search, "Load
more"), the editor of a draft (lines added and removed in the browser, totals
recomputed by the server as one types), the quote's page (status, amounts,
send, accept, reject, duplicate, PDF) and its PDF."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.db.listing import ListQuery
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.company.service import profile_in
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities.tables import Opportunity
from comptoir.tenants.quotes import forms, pdf, service
from comptoir.tenants.quotes.controllers import pdf_response
from comptoir.tenants.quotes.schemas import STATUSES
from comptoir.tenants.quotes.totals import VAT_RATES
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.records import people, wants_fragment
from comptoir.tenants.workspace.rendering import form_errors, render_page, render_partial, see_other

PAGE_SIZE = 25
STATUS_LABELS = {
    "draft": "Draft",
    "sent": "Sent",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "expired": "Expired",
}
Id = Annotated[str, QueryParameter(max_length=40)]


async def _names(page: WorkspacePage, values: dict[str, Any]) -> dict[str, str]:
    """The names of the account, contact and opportunity a quote links to."""
    names: dict[str, str] = {}
    async with tenant_scope(page.tenant.id) as scope:
        everyone = scope.unrestricted()
        if values.get("account_id"):
            account = await everyone.find(Account, str(values["account_id"]))
            names["account"] = account.name if account else ""
        if values.get("contact_id"):
            contact = await everyone.find(Contact, str(values["contact_id"]))
            if contact is not None:
                full = f"{contact.first_name} {contact.last_name}".strip()
                names["contact"] = full or contact.email
                names["contact_email"] = contact.email
        if values.get("opportunity_id"):
            opportunity = await everyone.find(Opportunity, str(values["opportunity_id"]))
            names["opportunity"] = opportunity.name if opportunity else ""
    return names


def _formats(page: WorkspacePage) -> pdf.Formats:
    return pdf.Formats(page.locale)


async def _editor(
    page: WorkspacePage,
    quote: Any | None,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    lines, _unreadable = forms.parse_lines(values["lines"])
    return render_page(
        page,
        "quotes/form.html",
        section="quotes",
        status=status,
        quote=quote,
        values=values,
        errors=errors or {},
        names=await _names(page, values),
        people=await people(page),
        rates=VAT_RATES,
        amounts=service.preview_amounts(_valid_lines(lines)),
        qfmt=_formats(page),
    )


def _valid_lines(lines: list[Any]) -> list[Any]:
    """The lines the live totals can count (those the service would take)."""
    return [line for line in lines if not service.check_lines([line])]


async def _record(
    page: WorkspacePage, quote_id: str, *, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    view = await service.get_quote(page.tenant.id, quote_id)
    quote = view.quote
    values = {name: getattr(quote, name) for name in ("account_id", "contact_id", "opportunity_id")}
    return render_page(
        page,
        "quotes/record.html",
        section="quotes",
        status=status,
        view=view,
        quote=quote,
        names=await _names(page, values),
        people=await people(page),
        errors=errors or {},
        status_labels=STATUS_LABELS,
        qfmt=_formats(page),
    )


class QuotePages(Controller):
    path = "/w/{slug:str}/quotes"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="quotes", opt=requires("quotes", "view"))
    async def quotes(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
        status: Annotated[str, QueryParameter(max_length=10)] = "",
    ) -> Template:
        """The full page, or with htmx only the table rows (search, filter, "Load more")."""
        filters = {"status": status} if status in STATUSES else {}
        query = ListQuery(q=q or None, cursor=cursor, limit=PAGE_SIZE, filters=filters)
        found = await service.list_quotes(page.tenant.id, query)
        account_ids = {str(row["account_id"]) for row in found.items if row["account_id"]}
        context: dict[str, Any] = {
            "quotes": found.items,
            "next_cursor": found.next_cursor,
            "q": q,
            "status": filters.get("status", ""),
            "accounts": await _account_names(page, account_ids),
            "status_labels": STATUS_LABELS,
            "qfmt": _formats(page),
        }
        if wants_fragment(request):
            return render_partial(page, "quotes/_rows.html", more=bool(cursor), **context)
        return render_page(page, "quotes/list.html", section="quotes", **context)

    @get("/new", name="quotes-new", opt=requires("quotes", "create"))
    async def new_quote(
        self,
        page: NamedDependency[WorkspacePage],
        account_id: Id = "",
        opportunity_id: Id = "",
        contact_id: Id = "",
    ) -> Template:
        """A blank quote, with the company's validity and payment terms; from
        an opportunity's or an account's page, already linked to it."""
        values = forms.quote_values(None)
        values["owner_id"] = str(page.user.id)
        async with tenant_scope(page.tenant.id) as scope:
            profile = await profile_in(scope)
            today = await service.tenant_today(page.tenant.id)
            opportunity = await scope.find(Opportunity, opportunity_id) if opportunity_id else None
            account = await scope.find(Account, account_id) if account_id else None
            contact = await scope.find(Contact, contact_id) if contact_id else None
        values["payment_terms"] = profile.payment_terms
        values["valid_until"] = (today + dt.timedelta(days=profile.quote_validity_days)).isoformat()
        if opportunity is not None:
            values["opportunity_id"] = str(opportunity.id)
            values["title"] = opportunity.name
            account_id = str(opportunity.account_id or "")
            values["contact_id"] = str(opportunity.contact_id or "")
        if account is not None or account_id:
            values["account_id"] = str(account.id) if account is not None else account_id
        if contact is not None:
            values["contact_id"] = str(contact.id)
            values["account_id"] = values["account_id"] or str(contact.account_id or "")
        return await _editor(page, None, values)

    @post("/totals", name="quotes-totals", opt=requires("quotes", "view"))
    async def totals(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template:
        """The editor's totals for what is typed (htmx), counted like the saved quote."""
        lines, _unreadable = forms.parse_lines(forms.form_lines(data))
        return render_partial(
            page,
            "quotes/_totals.html",
            amounts=service.preview_amounts(_valid_lines(lines)),
            qfmt=_formats(page),
        )

    @post("/", name="quotes-create", opt=requires("quotes", "create"))
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            values = forms.parse_quote_form(data)
            view = await service.create_quote(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            shown = forms.posted_values(data)
            return await _editor(page, None, shown, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/quotes/{view.quote.id}", flash="quote_created")

    @get("/{quote_id:str}", name="quotes-record", opt=requires("quotes", "view"))
    async def quote(
        self, page: NamedDependency[WorkspacePage], quote_id: FromPath[str]
    ) -> Template | Response[bytes]:
        """The quote's page, or its PDF at ``/quotes/{id}.pdf``."""
        if quote_id.endswith(".pdf"):
            filename, body = await pdf.quote_pdf(page.tenant.id, quote_id[: -len(".pdf")])
            return pdf_response(filename, body, inline=True)
        return await _record(page, quote_id)

    @get("/{quote_id:str}/edit", name="quotes-edit", opt=requires("quotes", "edit"))
    async def edit(
        self, page: NamedDependency[WorkspacePage], quote_id: FromPath[str]
    ) -> Template | Redirect:
        view = await service.get_quote(page.tenant.id, quote_id)
        if view.quote.status != service.EDITABLE:
            return see_other(f"{page.base}/quotes/{view.quote.id}")
        return await _editor(page, view.quote, forms.quote_values(view.quote, view.lines))

    @post("/{quote_id:str}", name="quotes-update", opt=requires("quotes", "edit"))
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        quote_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        view = await service.get_quote(page.tenant.id, quote_id)
        try:
            values = forms.parse_quote_form(data)
            await service.update_quote(page.tenant.id, view.quote.id, values, actor=page.actor)
        except ValidationFailed as error:
            shown = forms.posted_values(data)
            return await _editor(page, view.quote, shown, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/quotes/{view.quote.id}", flash="quote_saved")

    @post("/{quote_id:str}/send", name="quotes-send", opt=requires("quotes", "edit"))
    async def send(
        self, page: NamedDependency[WorkspacePage], quote_id: FromPath[str]
    ) -> Template | Redirect:
        try:
            view = await service.send_quote(page.tenant.id, quote_id, actor=page.actor)
        except ValidationFailed as error:
            return await _record(page, quote_id, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/quotes/{view.quote.id}", flash="quote_sent")

    @post("/{quote_id:str}/accept", name="quotes-accept", opt=requires("quotes", "edit"))
    async def accept(
        self,
        page: NamedDependency[WorkspacePage],
        quote_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        win = data.get("win_opportunity", "") in ("on", "true", "1")
        try:
            view = await service.accept_quote(
                page.tenant.id, quote_id, actor=page.actor, win_opportunity=win
            )
        except ValidationFailed as error:
            return await _record(page, quote_id, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/quotes/{view.quote.id}", flash="quote_accepted")

    @post("/{quote_id:str}/reject", name="quotes-reject", opt=requires("quotes", "edit"))
    async def reject(
        self, page: NamedDependency[WorkspacePage], quote_id: FromPath[str]
    ) -> Redirect:
        view = await service.reject_quote(page.tenant.id, quote_id, actor=page.actor)
        return see_other(f"{page.base}/quotes/{view.quote.id}", flash="quote_rejected")

    @post("/{quote_id:str}/duplicate", name="quotes-duplicate", opt=requires("quotes", "create"))
    async def duplicate(
        self, page: NamedDependency[WorkspacePage], quote_id: FromPath[str]
    ) -> Redirect:
        view = await service.duplicate_quote(page.tenant.id, quote_id, actor=page.actor)
        return see_other(f"{page.base}/quotes/{view.quote.id}/edit", flash="quote_duplicated")

    @post("/{quote_id:str}/delete", name="quotes-delete", opt=requires("quotes", "delete"))
    async def delete(
        self, page: NamedDependency[WorkspacePage], quote_id: FromPath[str]
    ) -> Redirect:
        await service.delete_quote(page.tenant.id, quote_id, actor=page.actor)
        return see_other(f"{page.base}/quotes", flash="quote_deleted")


async def _account_names(page: WorkspacePage, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    wanted = [uuid.UUID(i) for i in ids]
    async with tenant_scope(page.tenant.id) as scope:
        rows = await (
            scope.unrestricted()
            .select(Account, Account.id, Account.name)
            .where(Account.id.is_in(wanted))
        )
    return {str(row["id"]): row["name"] for row in rows}


__all__ = ["QuotePages"]
