"""Contacts in the workspace: list with live search, create, view and edit, delete.

Everything goes through the contacts service; another tenant's contact id is
a 404 page, like an id that does not exist."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.auth.tables import User
from comptoir.platform.errors import ValidationFailed
from comptoir.tenants.contacts.service import (
    ContactFields,
    create_contact,
    delete_contact,
    get_contact,
    list_contacts,
    update_contact,
)
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.users.service import list_users
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import (
    form_errors,
    render_page,
    render_partial,
    see_other,
)

FORM_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "company_name",
    "owner_id",
    "notes",
)
PAGE_SIZE = 25


def _fields(data: dict[str, str]) -> ContactFields:
    return ContactFields(**{name: data.get(name, "") for name in FORM_FIELDS})


def _values(contact: Contact | None, data: dict[str, str] | None = None) -> dict[str, str]:
    if data is not None:
        return {name: data.get(name, "") for name in FORM_FIELDS}
    if contact is None:
        return {name: "" for name in FORM_FIELDS}
    values = {name: str(getattr(contact, name) or "") for name in FORM_FIELDS}
    return values


async def _people(page: WorkspacePage) -> dict[uuid.UUID, User]:
    return {user.id: user for user in await list_users(page.tenant.id)}


def _wants_fragment(request: Request[Any, Any, Any]) -> bool:
    return bool(request.headers.get("hx-request")) and not request.headers.get(
        "hx-history-restore-request"
    )


async def _form_again(
    page: WorkspacePage, contact: Contact | None, data: dict[str, str], error: ValidationFailed
) -> Template:
    """The contact form again, with what was typed and why it was refused."""
    return render_page(
        page,
        "workspace/contacts/form.html",
        section="contacts",
        status=422,
        contact=contact,
        values=_values(contact, data),
        errors=form_errors(error),
        people=await _people(page),
    )


class ContactPages(Controller):
    path = "/w/{slug:str}/contacts"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="contacts")
    async def contacts(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        """The full page, or with htmx only the table rows (search, "Load more")."""
        found = await list_contacts(page.tenant.id, q=q or None, cursor=cursor, limit=PAGE_SIZE)
        context = {"contacts": found.items, "next_cursor": found.next_cursor, "q": q}
        people = await _people(page)
        if _wants_fragment(request):
            return render_partial(
                page, "workspace/contacts/_rows.html", people=people, more=bool(cursor), **context
            )
        return render_page(
            page, "workspace/contacts/list.html", section="contacts", people=people, **context
        )

    @get("/new", name="contact-new")
    async def new_contact(self, page: NamedDependency[WorkspacePage]) -> Template:
        values = _values(None)
        values["owner_id"] = str(page.user.id)
        return render_page(
            page,
            "workspace/contacts/form.html",
            section="contacts",
            contact=None,
            values=values,
            errors={},
            people=await _people(page),
        )

    @post("/", name="contact-create")
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            contact = await create_contact(page.tenant.id, _fields(data), actor=page.actor)
        except ValidationFailed as error:
            return await _form_again(page, None, data, error)
        return see_other(f"{page.base}/contacts/{contact.id}", flash="contact_created")

    @get("/{contact_id:str}", name="contact")
    async def contact(
        self, page: NamedDependency[WorkspacePage], contact_id: FromPath[str]
    ) -> Template:
        contact = await get_contact(page.tenant.id, contact_id)
        return render_page(
            page,
            "workspace/contacts/form.html",
            section="contacts",
            contact=contact,
            values=_values(contact),
            errors={},
            people=await _people(page),
        )

    @post("/{contact_id:str}", name="contact-update")
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        contact_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        contact = await get_contact(page.tenant.id, contact_id)
        try:
            await update_contact(page.tenant.id, contact_id, _fields(data), actor=page.actor)
        except ValidationFailed as error:
            return await _form_again(page, contact, data, error)
        return see_other(f"{page.base}/contacts/{contact.id}", flash="contact_saved")

    @post("/{contact_id:str}/delete", name="contact-delete")
    async def delete(
        self, page: NamedDependency[WorkspacePage], contact_id: FromPath[str]
    ) -> Redirect:
        await delete_contact(page.tenant.id, contact_id, actor=page.actor)
        return see_other(f"{page.base}/contacts", flash="contact_deleted")
