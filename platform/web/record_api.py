"""The API of a CRM record kind, made from its declaration: list (search,
sort, filters, keyset cursor), create, read, change, delete.

A feature declares a ``RecordApi`` (its path, permission name, schemas and
named service actions) and gets a Litestar controller whose routes declare
their permissions, so the permission, isolation and query-count suites walk
it like any other. No ``from __future__ import annotations`` here: the
handlers' annotations name the feature's own structs, which Litestar reads
from the function objects."""

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.db.listing import ListQuery, ListSpec
from comptoir.platform.db.pagination import Page
from comptoir.platform.features import requires
from comptoir.platform.fields import sent_values
from comptoir.platform.web.lists import Cursor, Limit, PageOf, Search, Sort, list_query, page_of


@dataclass(frozen=True)
class RecordApi:
    feature: str  # the permission's feature, e.g. "contacts"
    singular: str  # "contact", for summaries
    tag: str  # the OpenAPI tag
    fields: type[msgspec.Struct]  # the create payload (declared fields)
    update: type[msgspec.Struct]  # the same, every field optional
    out: type[msgspec.Struct]
    spec: ListSpec
    list_records: Callable[[uuid.UUID, ListQuery], Awaitable[Page[dict[str, Any]]]]
    get_record: Callable[[uuid.UUID, str], Awaitable[Any]]
    create_record: Callable[..., Awaitable[Any]]  # (tenant_id, values, *, actor)
    update_record: Callable[..., Awaitable[Any]]  # (tenant_id, id, values, *, actor)
    delete_record: Callable[..., Awaitable[None]]  # (tenant_id, id, *, actor)
    searched: str = ""  # what ``q`` looks in, for the documentation

    def list_description(self) -> str:
        sorts = ", ".join(f"`{name}`" for name in self.spec.sorts)
        filters = ", ".join(f"`{name}`" for name in self.spec.filters) or "none"
        return (
            f"Newest first; `sort` by {sorts} (`-` first for descending); keyset pagination "
            f"with `cursor`; `q` searches {self.searched or 'the record'} (case- and "
            f"accent-insensitive, `%` and `_` literal); filters: {filters}."
        )


def record_controller(api: RecordApi, path: str) -> type[Controller]:
    """A controller at ``path`` serving ``api``'s records."""
    out = api.out
    fields = api.fields
    update_fields = api.update

    def shaped(record: Any) -> msgspec.Struct:
        return out(**{name: getattr(record, name) for name in out.__struct_fields__})

    @get(
        "/",
        summary=f"List {api.feature}",
        description=api.list_description(),
        opt=requires(api.feature, "view"),
    )
    async def list_records(
        self: Controller,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
    ) -> PageOf[out]:  # type: ignore[valid-type]
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        return page_of(await api.list_records(caller.tenant.id, query), out)

    @post("/", summary=f"Create a {api.singular}", opt=requires(api.feature, "create"))
    async def create_record(
        self: Controller,
        caller: NamedDependency[ApiCaller],
        data: JSONBody[fields],  # type: ignore[valid-type]
    ) -> out:  # type: ignore[valid-type]
        values = sent_values(data)
        return shaped(await api.create_record(caller.tenant.id, values, actor=caller.actor))

    @get("/{record_id:str}", summary=f"Read a {api.singular}", opt=requires(api.feature, "view"))
    async def read_record(
        self: Controller, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> out:  # type: ignore[valid-type]
        return shaped(await api.get_record(caller.tenant.id, record_id))

    @patch(
        "/{record_id:str}",
        summary=f"Change a {api.singular}",
        description="Only the fields sent change; `owner_id: null` clears the owner.",
        opt=requires(api.feature, "edit"),
    )
    async def update_record(
        self: Controller,
        caller: NamedDependency[ApiCaller],
        record_id: FromPath[str],
        data: JSONBody[update_fields],  # type: ignore[valid-type]
    ) -> out:  # type: ignore[valid-type]
        values = sent_values(data)
        actor: Actor = caller.actor
        return shaped(await api.update_record(caller.tenant.id, record_id, values, actor=actor))

    @delete(
        "/{record_id:str}",
        summary=f"Delete a {api.singular}",
        opt=requires(api.feature, "delete"),
    )
    async def delete_record(
        self: Controller, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> None:
        await api.delete_record(caller.tenant.id, record_id, actor=caller.actor)

    members: Mapping[str, Any] = {
        "path": path,
        "tags": [api.tag],
        "list_records": list_records,
        "create_record": create_record,
        "read_record": read_record,
        "update_record": update_record,
        "delete_record": delete_record,
    }
    return type(f"{api.tag.replace(' ', '')}Controller", (Controller,), dict(members))
