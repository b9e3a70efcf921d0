"""Contacts in the workspace: list with live search, create, the contact's
record page (key facts, history, related records), its edit form, delete.

Everything goes through the contacts service, in the request's transaction;
another tenant's contact id (or one the sharing rule hides) is a 404 page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from babel.dates import format_date
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform import i18n
from comptoir.platform.db.listing import ListQuery
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.fields import parse_form
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.accounts.service import account_names
from comptoir.tenants.contacts.schemas import (
    FAMILY_SITUATIONS,
    GENDERS,
    PREFERRED_CHANNELS,
    PROFESSION_CATEGORIES,
    ContactFields,
    ContactForm,
)
from comptoir.tenants.contacts.service import (
    create_contact,
    delete_contact,
    get_contact,
    interests_of,
    list_contacts,
    update_contact,
)
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.record_page import (
    FULL_HISTORY_LIMIT,
    RecordExtras,
    record_extras,
    record_history,
)
from comptoir.tenants.workspace.records import (
    form_sections,
    form_values,
    people,
    wants_fragment,
)
from comptoir.tenants.workspace.rendering import form_errors, render_page, render_partial, see_other

PAGE_SIZE = 25
SECTIONS = form_sections(
    ContactForm,
    [
        ("Identity", ["first_name", "last_name", "job_title", "company_name", "account_id"]),
        ("How to reach them", ["email", "phone", "mobile", "preferred_channel"]),
        ("Address", ["address", "postcode", "city", "country"]),
        ("Marketing consent", ["marketing_consent", "consent_source"]),
        (
            "Profile",
            [
                "birth_date",
                "gender",
                "family_situation",
                "children",
                "profession_category",
                "interests",
            ],
        ),
        ("Follow-up", ["owner_id", "notes"]),
    ],
)
# The English labels of the select fields' values, for the record page.
CHOICE_LABELS = {
    "preferred_channel": PREFERRED_CHANNELS,
    "gender": GENDERS,
    "family_situation": FAMILY_SITUATIONS,
    "profession_category": PROFESSION_CATEGORIES,
}


async def _form(
    page: WorkspacePage,
    contact: Contact | None,
    *,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    account_id: str = "",
) -> Template:
    values = form_values(ContactForm, contact, data)
    if contact is None and data is None:
        values["owner_id"] = str(page.user.id)
        values["account_id"] = account_id
    if contact is not None and data is None:
        values["interests"] = ", ".join(interests_of(contact.interests))
    account_ids = [values["account_id"]] if values.get("account_id") else []
    return render_page(
        page,
        "contacts/form.html",
        section="contacts",
        status=status,
        contact=contact,
        sections=SECTIONS,
        values=values,
        errors=errors or {},
        people=await people(page),
        accounts=await account_names(page.tenant.id, account_ids),
    )


class ContactPages(Controller):
    path = "/w/{slug:str}/contacts"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="contacts", opt=requires("contacts", "view"))
    async def contacts(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
        sort: Annotated[str | None, QueryParameter(max_length=40)] = None,
        owner_id: Annotated[str, QueryParameter(max_length=40)] = "",
        city: Annotated[str, QueryParameter(max_length=100)] = "",
        account_id: Annotated[str, QueryParameter(max_length=40)] = "",
        marketing_consent: Annotated[str, QueryParameter(max_length=5)] = "",
    ) -> Template:
        """The full page, or with htmx only the table rows (search, filters, "Load more")."""
        filters = {
            name: value.strip()
            for name, value in (
                ("owner_id", owner_id),
                ("city", city),
                ("account_id", account_id),
                ("marketing_consent", marketing_consent),
            )
            if value.strip()
        }
        query = ListQuery(q=q or None, cursor=cursor, sort=sort, limit=PAGE_SIZE, filters=filters)
        found = await list_contacts(page.tenant.id, query)
        # The accounts of the rows (and of the filter), named in one query.
        linked = {str(row["account_id"]) for row in found.items if row.get("account_id")}
        if account_id:
            linked.add(account_id)
        accounts = (
            await account_names(page.tenant.id, sorted(linked)) if page.can("accounts.view") else {}
        )
        context: dict[str, Any] = {
            "contacts": found.items,
            "next_cursor": found.next_cursor,
            "q": q,
            "sort": sort or "",
            "filters": filters,
            "filter_query": urlencode(filters),
            "account_filter": accounts.get(account_id, ""),
            "accounts": accounts,
            "people": await people(page),
        }
        if wants_fragment(request):
            return render_partial(page, "contacts/_rows.html", more=bool(cursor), **context)
        return render_page(page, "contacts/list.html", section="contacts", **context)

    @get("/new", name="contact-new", opt=requires("contacts", "create"))
    async def new_contact(
        self,
        page: NamedDependency[WorkspacePage],
        account_id: Annotated[str, QueryParameter(max_length=40)] = "",
        marketing_consent: Annotated[str, QueryParameter(max_length=5)] = "",
    ) -> Template:
        """A blank form; from an account's page, already linked to that account."""
        return await _form(page, None, account_id=account_id)

    @post("/", name="contact-create", opt=requires("contacts", "create"))
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            values = parse_form(ContactForm, data)
            contact = await create_contact(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _form(page, None, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/contacts/{contact.id}", flash="contact_created")

    @get("/{contact_id:str}", name="contact", opt=requires("contacts", "view"))
    async def contact(
        self, page: NamedDependency[WorkspacePage], contact_id: FromPath[str]
    ) -> Template:
        """The contact's record page: key facts, history, related records."""
        contact = await get_contact(page.tenant.id, contact_id)
        everyone = await people(page)
        # The account is named and linked only for those who may open it.
        shown = contact.account_id and page.can("accounts.view")
        accounts = await account_names(page.tenant.id, [contact.account_id] if shown else [])
        return render_page(
            page,
            "contacts/record.html",
            section="contacts",
            contact=contact,
            people=everyone,
            accounts=accounts,
            interests=interests_of(contact.interests),
            birth_date=(
                format_date(contact.birth_date, "long", locale=i18n.current_locale.get())
                if contact.birth_date
                else ""
            ),
            choice_labels=CHOICE_LABELS,
            extras=await record_extras(
                page, "contact", contact.id, fields=ContactFields, people=everyone, names=accounts
            ),
            subject="contact",
            subject_id=contact.id,
            more_url=f"{page.base}/contacts/{contact.id}/history",
        )

    @get("/{contact_id:str}/history", name="contact-history", opt=requires("contacts", "view"))
    async def history(
        self, page: NamedDependency[WorkspacePage], contact_id: FromPath[str]
    ) -> Template:
        """The record page's history card with its older entries (htmx "Show more")."""
        contact = await get_contact(page.tenant.id, contact_id)
        shown = contact.account_id and page.can("accounts.view")
        accounts = await account_names(page.tenant.id, [contact.account_id] if shown else [])
        items = await record_history(
            page,
            "contact",
            contact.id,
            fields=ContactFields,
            people=await people(page),
            limit=FULL_HISTORY_LIMIT,
            names=accounts,
        )
        extras = RecordExtras(timeline=items)
        return render_partial(page, "workspace/_record_timeline.html", extras=extras)

    @get("/{contact_id:str}/edit", name="contact-edit", opt=requires("contacts", "edit"))
    async def edit(
        self, page: NamedDependency[WorkspacePage], contact_id: FromPath[str]
    ) -> Template:
        return await _form(page, await get_contact(page.tenant.id, contact_id))

    @post("/{contact_id:str}", name="contact-update", opt=requires("contacts", "edit"))
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        contact_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        contact = await get_contact(page.tenant.id, contact_id)
        try:
            values = parse_form(ContactForm, data, only_sent=True)
            await update_contact(page.tenant.id, contact.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _form(page, contact, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/contacts/{contact.id}", flash="contact_saved")

    @post("/{contact_id:str}/delete", name="contact-delete", opt=requires("contacts", "delete"))
    async def delete(
        self, page: NamedDependency[WorkspacePage], contact_id: FromPath[str]
    ) -> Redirect:
        await delete_contact(page.tenant.id, contact_id, actor=page.actor)
        return see_other(f"{page.base}/contacts", flash="contact_deleted")
