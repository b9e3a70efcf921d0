"""/api/v1/contacts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.fields import sent_values
from comptoir.platform.web.lists import Cursor, Limit, PageOf, Search, Sort, list_query, page_of
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.contacts import service
from comptoir.tenants.contacts.schemas import ContactFields, ContactOut, ContactUpdate


def _out(contact: Any) -> ContactOut:
    return ContactOut(**{name: getattr(contact, name) for name in ContactOut.__struct_fields__})


class ContactController(Controller):
    path = "/api/v1/contacts"
    tags = ["Contacts"]

    @get(
        "/",
        summary="List contacts",
        description="Newest first (`sort`: `name`, `updated_at`, `created_at`, `-` for "
        "descending); keyset pagination with `cursor`; `q` searches names, e-mail, phone "
        "and company; filters: `owner_id`, `account_id`.",
        opt=requires("contacts", "view"),
    )
    async def list_contacts(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
    ) -> PageOf[ContactOut]:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        return page_of(await service.list_contacts(caller.tenant.id, query), ContactOut)

    @post("/", summary="Create a contact", opt=requires("contacts", "create"))
    async def create_contact(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[ContactFields]
    ) -> ContactOut:
        contact = await service.create_contact(
            caller.tenant.id, sent_values(data), actor=caller.actor
        )
        return _out(contact)

    @get("/{contact_id:str}", summary="Read a contact", opt=requires("contacts", "view"))
    async def get_contact(
        self, caller: NamedDependency[ApiCaller], contact_id: FromPath[str]
    ) -> ContactOut:
        return _out(await service.get_contact(caller.tenant.id, contact_id))

    @patch(
        "/{contact_id:str}",
        summary="Change a contact",
        description="Only the fields sent change; `owner_id: null` clears the owner.",
        opt=requires("contacts", "edit"),
    )
    async def update_contact(
        self,
        caller: NamedDependency[ApiCaller],
        contact_id: FromPath[str],
        data: JSONBody[ContactUpdate],  # type: ignore[valid-type]
    ) -> ContactOut:
        contact = await service.update_contact(
            caller.tenant.id, contact_id, sent_values(data), actor=caller.actor
        )
        return _out(contact)

    @delete("/{contact_id:str}", summary="Delete a contact", opt=requires("contacts", "delete"))
    async def delete_contact(
        self, caller: NamedDependency[ApiCaller], contact_id: FromPath[str]
    ) -> None:
        await service.delete_contact(caller.tenant.id, contact_id, actor=caller.actor)


