"""/api/v1/contacts."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from comptoir.platform.auth.callers import ApiCaller
from comptoir.tenants.contacts import service
from comptoir.tenants.contacts.schemas import ContactCreate, ContactList, ContactOut, ContactUpdate


class ContactController(Controller):
    path = "/api/v1/contacts"
    tags = ["Contacts"]

    @get(
        "/",
        summary="List contacts",
        description="Newest first; keyset pagination with "
        "`cursor`, search with `q` over names, e-mail, phone and company (case- and "
        "accent-insensitive).",
    )
    async def list_contacts(
        self,
        caller: NamedDependency[ApiCaller],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> ContactList:
        page = await service.list_contacts(caller.tenant.id, q=q, cursor=cursor, limit=limit)
        return ContactList(
            items=[ContactOut.of(c) for c in page.items], next_cursor=page.next_cursor
        )

    @post("/", summary="Create a contact")
    async def create_contact(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[ContactCreate]
    ) -> ContactOut:
        contact = await service.create_contact(
            caller.tenant.id, data.to_fields(), actor=caller.actor
        )
        return ContactOut.of(contact)

    @get("/{contact_id:str}", summary="Read a contact")
    async def get_contact(
        self, caller: NamedDependency[ApiCaller], contact_id: FromPath[str]
    ) -> ContactOut:
        return ContactOut.of(await service.get_contact(caller.tenant.id, contact_id))

    @patch("/{contact_id:str}", summary="Change a contact")
    async def update_contact(
        self,
        caller: NamedDependency[ApiCaller],
        contact_id: FromPath[str],
        data: JSONBody[ContactUpdate],
    ) -> ContactOut:
        contact = await service.update_contact(
            caller.tenant.id, contact_id, data.to_fields(), actor=caller.actor
        )
        return ContactOut.of(contact)

    @delete("/{contact_id:str}", summary="Delete a contact")
    async def delete_contact(
        self, caller: NamedDependency[ApiCaller], contact_id: FromPath[str]
    ) -> None:
        await service.delete_contact(caller.tenant.id, contact_id, actor=caller.actor)
