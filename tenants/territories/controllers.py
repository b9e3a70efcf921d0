"""/api/v1/territories: the rules (in the order they are tried), their
order, and applying them to existing accounts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import requires
from comptoir.platform.fields import sent_values
from comptoir.platform.web.lists import Cursor, Limit, PageOf, Search, Sort, list_query
from comptoir.tenants.territories import reassign, service
from comptoir.tenants.territories.schemas import (
    ReassignOptions,
    ReassignPreview,
    ReassignQueued,
    ReassignStatus,
    TerritoryFields,
    TerritoryOrder,
    TerritoryOut,
    TerritoryUpdate,
)


class TerritoryController(Controller):
    path = "/api/v1/territories"
    tags = ["Territories"]

    @get(
        "/",
        summary="List the territory rules",
        description="In the order they are tried (`sort=position`, the default); also "
        "`name` or `created_at`; `q` searches the names; keyset pagination with `cursor`.",
        opt=requires("territories", "view"),
    )
    async def list_territories(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
    ) -> PageOf[TerritoryOut]:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        found = await service.list_territories(caller.tenant.id, query)
        items = [service.territory_out(row) for row in found.items]
        return PageOf(items=items, next_cursor=found.next_cursor)

    @post(
        "/",
        summary="Create a territory rule",
        description="Tried after the existing rules. Give exactly one of `owner_id` "
        "(an active user) and `team_id` (a team: its active member who owns the fewest "
        "accounts gets each one). An empty criterion matches every account.",
        opt=requires("territories", "create"),
    )
    async def create_territory(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[TerritoryFields]
    ) -> TerritoryOut:
        territory = await service.create_territory(
            caller.tenant.id, sent_values(data), actor=caller.actor
        )
        return service.territory_out(territory)

    @post(
        "/reorder",
        summary="Put the rules in a new order",
        description="`territory_ids`: every rule of the workspace once, first tried first.",
        opt=requires("territories", "manage"),
        status_code=200,
    )
    async def reorder(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[TerritoryOrder]
    ) -> PageOf[TerritoryOut]:
        ordered = await service.reorder_territories(
            caller.tenant.id, data.territory_ids, actor=caller.actor
        )
        return PageOf(items=[service.territory_out(t) for t in ordered])

    @post(
        "/reassign/preview",
        summary="How many accounts the rules would give a new owner",
        description="`only_unowned` (default true): only accounts without an owner.",
        opt=requires("territories", "manage"),
        status_code=200,
    )
    async def preview(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[ReassignOptions | None] = None
    ) -> ReassignPreview:
        only_unowned = data.only_unowned if data is not None else True
        count = await reassign.preview(caller.tenant.id, only_unowned=only_unowned)
        return ReassignPreview(accounts=count, only_unowned=only_unowned)

    @post(
        "/reassign",
        summary="Apply the rules to existing accounts",
        description="Queues a background job (one per workspace at a time: while one is "
        "pending, its id is answered) and answers 202 with its id; follow it with "
        "`GET /api/v1/territories/reassign/{job_id}`.",
        opt=requires("territories", "manage"),
        status_code=202,
    )
    async def start_reassign(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[ReassignOptions | None] = None
    ) -> ReassignQueued:
        only_unowned = data.only_unowned if data is not None else True
        job_id = await reassign.start(
            caller.tenant.id, only_unowned=only_unowned, actor=caller.actor
        )
        return ReassignQueued(job_id=job_id)

    @get(
        "/reassign/{job_id:str}",
        summary="A reassignment's progress and result",
        opt=requires("territories", "manage"),
    )
    async def reassign_status(
        self, caller: NamedDependency[ApiCaller], job_id: FromPath[str]
    ) -> ReassignStatus:
        return await reassign.status(caller.tenant.id, job_id)

    @get("/{record_id:str}", summary="Read a territory rule", opt=requires("territories", "view"))
    async def read_territory(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> TerritoryOut:
        return service.territory_out(await service.get_territory(caller.tenant.id, record_id))

    @patch(
        "/{record_id:str}",
        summary="Change a territory rule",
        description="Only the fields sent change (send `owner_id: null` with a `team_id` "
        "to give the rule to a team).",
        opt=requires("territories", "edit"),
    )
    async def update_territory(
        self,
        caller: NamedDependency[ApiCaller],
        record_id: FromPath[str],
        data: JSONBody[TerritoryUpdate],  # type: ignore[valid-type]
    ) -> TerritoryOut:
        territory = await service.update_territory(
            caller.tenant.id, record_id, sent_values(data), actor=caller.actor
        )
        return service.territory_out(territory)

    @delete(
        "/{record_id:str}",
        summary="Delete a territory rule",
        opt=requires("territories", "delete"),
    )
    async def delete_territory(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> None:
        await service.delete_territory(caller.tenant.id, record_id, actor=caller.actor)
