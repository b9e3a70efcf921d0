"""/api/v1/contacts: the record API made from the contacts' declaration.

The service's records are shaped by ``contact_out`` (interests as a list)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.db.listing import ListQuery
from comptoir.platform.db.pagination import Page
from comptoir.platform.features import requires
from comptoir.platform.web.lists import PageOf
from comptoir.platform.web.record_api import RecordApi, record_controller
from comptoir.tenants.contacts import service
from comptoir.tenants.contacts.schemas import ContactFields, ContactOut, ContactUpdate
from comptoir.tenants.workspace.record_page import (
    TimelineItemOut,
    people_by_id,
    record_history,
    timeline_out,
)


async def _list(tenant_id: uuid.UUID, query: ListQuery) -> Page[dict[str, Any]]:
    found = await service.list_contacts(tenant_id, query)
    rows = [
        {**row, "interests": service.interests_of(str(row.get("interests") or ""))}
        for row in found.items
    ]
    return Page(items=rows, next_cursor=found.next_cursor)


async def _read(tenant_id: uuid.UUID, contact_id: str) -> ContactOut:
    return service.contact_out(await service.get_contact(tenant_id, contact_id))


async def _create(tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor) -> ContactOut:
    return service.contact_out(await service.create_contact(tenant_id, values, actor=actor))


async def _update(
    tenant_id: uuid.UUID, contact_id: str, values: Mapping[str, Any], *, actor: Actor
) -> ContactOut:
    updated = await service.update_contact(tenant_id, contact_id, values, actor=actor)
    return service.contact_out(updated)


CONTACTS_API = RecordApi(
    feature="contacts",
    singular="contact",
    tag="Contacts",
    fields=ContactFields,
    update=ContactUpdate,
    out=ContactOut,
    spec=service.CONTACT_LIST,
    list_records=_list,
    get_record=_read,
    create_record=_create,
    update_record=_update,
    delete_record=service.delete_contact,
    searched="names, e-mail, phones, company and city; `marketing_consent=true|false` "
    "filters by marketing consent",
)

ContactController = record_controller(CONTACTS_API, "/api/v1/contacts")


class ContactTimelineController(Controller):
    """A contact's history: its changes and what the features record about it."""

    path = "/api/v1/contacts"
    tags = ["Contacts"]

    @get(
        "/{record_id:str}/timeline",
        summary="A contact's history",
        description="Newest first, the last 30 entries: its changes (field by field) and "
        "the entries of the features the caller may see (activities, …).",
        opt=requires("contacts", "view"),
    )
    async def timeline(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> PageOf[TimelineItemOut]:
        contact = await service.get_contact(caller.tenant.id, record_id)
        items = await record_history(
            caller,
            "contact",
            contact.id,
            fields=ContactFields,
            people=await people_by_id(caller.tenant.id),
        )
        return PageOf(items=[timeline_out(item) for item in items], next_cursor=None)
