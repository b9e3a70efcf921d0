"""/api/v1/opportunities (the record API, plus moves, the stage history and
the forecast) and /api/v1/pipeline/... (the stages and the lost reasons).
No ``from __future__ import annotations``: Litestar reads the handlers'
annotations."""

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.platform.fields import sent_values
from comptoir.platform.ids import parse_id
from comptoir.platform.web.lists import Cursor, Limit, PageOf, Search, Sort, list_query, page_of
from comptoir.platform.web.record_api import RecordApi, record_controller
from comptoir.tenants.opportunities import figures, service, stages
from comptoir.tenants.opportunities.schemas import (
    ForecastOut,
    LostReasonFields,
    LostReasonOut,
    MoveIn,
    OpportunityFields,
    OpportunityOut,
    OpportunityUpdate,
    StageChangeOut,
    StageFields,
    StageOrderIn,
    StageOut,
    StageUpdate,
)

OPPORTUNITIES_API = RecordApi(
    feature="opportunities",
    singular="opportunity",
    tag="Opportunities",
    fields=OpportunityFields,
    update=OpportunityUpdate,
    out=OpportunityOut,
    spec=service.OPPORTUNITY_LIST,
    list_records=service.list_opportunities,
    get_record=service.get_opportunity,
    create_record=service.create_opportunity,
    update_record=service.update_opportunity,
    delete_record=service.delete_opportunity,
    searched="the name",
)


def shaped(opportunity: Any) -> OpportunityOut:
    return OpportunityOut(
        **{name: getattr(opportunity, name) for name in OpportunityOut.__struct_fields__}
    )


def stage_out(stage: Any) -> StageOut:
    return StageOut(**{name: getattr(stage, name) for name in StageOut.__struct_fields__})


def reason_out(reason: Any) -> LostReasonOut:
    return LostReasonOut(
        **{name: getattr(reason, name) for name in LostReasonOut.__struct_fields__}
    )


OwnerFilter = Annotated[
    str | None, Parameter(max_length=40, description="Only this owner's opportunities.")
]


class OpportunityController(record_controller(OPPORTUNITIES_API, "/api/v1/opportunities")):  # type: ignore[misc]
    @get(
        "/forecast",
        summary="Forecast of the open opportunities",
        description="Per month of expected close date, this month and the next 11: the count, "
        "the amount and the weighted amount (amount * probability, rounded half-up to the "
        "cent) of the open opportunities you see; `owner_id` narrows it to one owner.",
        opt=requires("opportunities", "view"),
    )
    async def forecast(
        self, caller: NamedDependency[ApiCaller], owner_id: OwnerFilter = None
    ) -> ForecastOut:
        owner = parse_id(owner_id) if owner_id else None
        if owner_id and owner is None:
            raise ValidationFailed({"owner_id": "must be an id"})
        today = service.local_today(caller.tenant.timezone)
        return await figures.forecast(caller.tenant.id, today=today, owner_id=owner)

    @post(
        "/{record_id:str}/move",
        summary="Move an opportunity to a stage",
        description="A won stage makes it won (today), a lost stage lost: `lost_reason_id`, "
        "one of the workspace's active lost reasons, is required then. Another stage opens "
        "it again. A retired stage takes no opportunity.",
        opt=requires("opportunities", "edit"),
        status_code=200,
    )
    async def move(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str], data: JSONBody[MoveIn]
    ) -> OpportunityOut:
        moved = await service.move_opportunity(
            caller.tenant.id,
            record_id,
            data.stage_id,
            lost_reason_id=data.lost_reason_id,
            actor=caller.actor,
            today=service.local_today(caller.tenant.timezone),
        )
        return shaped(moved)

    @get(
        "/{record_id:str}/stage-changes",
        summary="An opportunity's moves between stages",
        description="Newest first, keyset pagination with `cursor`.",
        opt=requires("opportunities", "view"),
    )
    async def stage_changes(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        record_id: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> PageOf[StageChangeOut]:
        query = list_query(request, q=None, cursor=cursor, limit=limit)
        found = await service.stage_changes(caller.tenant.id, record_id, query)
        return page_of(found, StageChangeOut)


class StageController(Controller):
    """The tenant's pipeline stages: read them with ``opportunities.view``,
    change them with ``opportunities.manage``."""

    path = "/api/v1/pipeline/stages"
    tags = ["Pipeline"]

    @get(
        "/",
        summary="List the pipeline's stages",
        description="In pipeline order (`sort=position`), retired ones included.",
        opt=requires("opportunities", "view"),
    )
    async def list_stages(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
    ) -> PageOf[StageOut]:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        return page_of(await stages.list_stages(caller.tenant.id, query), StageOut)

    @post(
        "/",
        summary="Add a stage",
        description="Its key is made from its name, unique in the workspace. Last unless "
        "`position` is given.",
        opt=requires("opportunities", "manage"),
    )
    async def create_stage(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[StageFields]
    ) -> StageOut:
        values = sent_values(data)
        return stage_out(await stages.create_stage(caller.tenant.id, values, actor=caller.actor))

    @put(
        "/order",
        summary="Reorder the stages",
        description="`stage_ids`: every stage's id once, in the new order.",
        opt=requires("opportunities", "manage"),
    )
    async def reorder(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[StageOrderIn]
    ) -> list[StageOut]:
        ordered = await stages.reorder_stages(caller.tenant.id, data.stage_ids, actor=caller.actor)
        return [stage_out(s) for s in ordered]

    @get("/{record_id:str}", summary="Read a stage", opt=requires("opportunities", "view"))
    async def read_stage(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> StageOut:
        return stage_out(await stages.get_stage(caller.tenant.id, record_id))

    @patch(
        "/{record_id:str}",
        summary="Rename a stage, change its probability or its position",
        opt=requires("opportunities", "manage"),
    )
    async def update_stage(
        self,
        caller: NamedDependency[ApiCaller],
        record_id: FromPath[str],
        data: JSONBody[StageUpdate],
    ) -> StageOut:
        values = sent_values(data)
        changed = await stages.update_stage(caller.tenant.id, record_id, values, actor=caller.actor)
        return stage_out(changed)

    @post(
        "/{record_id:str}/retire",
        summary="Retire a stage",
        description="It takes no new opportunity; those on it keep it.",
        opt=requires("opportunities", "manage"),
        status_code=200,
    )
    async def retire(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> StageOut:
        return stage_out(await stages.retire_stage(caller.tenant.id, record_id, actor=caller.actor))

    @post(
        "/{record_id:str}/restore",
        summary="Restore a retired stage",
        opt=requires("opportunities", "manage"),
        status_code=200,
    )
    async def restore(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> StageOut:
        restored = await stages.restore_stage(caller.tenant.id, record_id, actor=caller.actor)
        return stage_out(restored)

    @delete(
        "/{record_id:str}",
        summary="Delete a stage",
        description="Only a stage no opportunity is on (409 otherwise: retire it).",
        opt=requires("opportunities", "manage"),
    )
    async def delete_stage(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> None:
        await stages.delete_stage(caller.tenant.id, record_id, actor=caller.actor)


class LostReasonController(Controller):
    """Why deals are lost: a list each workspace keeps."""

    path = "/api/v1/pipeline/lost-reasons"
    tags = ["Pipeline"]

    @get(
        "/",
        summary="List the lost reasons",
        description="In their order, retired ones included.",
        opt=requires("opportunities", "view"),
    )
    async def list_reasons(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
    ) -> PageOf[LostReasonOut]:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        return page_of(await stages.list_reasons(caller.tenant.id, query), LostReasonOut)

    @post("/", summary="Add a lost reason", opt=requires("opportunities", "manage"))
    async def create_reason(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[LostReasonFields]
    ) -> LostReasonOut:
        values = sent_values(data)
        return reason_out(await stages.create_reason(caller.tenant.id, values, actor=caller.actor))

    @get("/{record_id:str}", summary="Read a lost reason", opt=requires("opportunities", "view"))
    async def read_reason(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> LostReasonOut:
        return reason_out(await stages.get_reason(caller.tenant.id, record_id))

    @patch(
        "/{record_id:str}", summary="Rename a lost reason", opt=requires("opportunities", "manage")
    )
    async def rename_reason(
        self,
        caller: NamedDependency[ApiCaller],
        record_id: FromPath[str],
        data: JSONBody[LostReasonFields],
    ) -> LostReasonOut:
        values = sent_values(data)
        renamed = await stages.rename_reason(
            caller.tenant.id, record_id, values, actor=caller.actor
        )
        return reason_out(renamed)

    @post(
        "/{record_id:str}/retire",
        summary="Retire a lost reason",
        description="It is no longer offered; the deals lost for it keep it.",
        opt=requires("opportunities", "manage"),
        status_code=200,
    )
    async def retire(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> LostReasonOut:
        retired = await stages.set_reason_retired(
            caller.tenant.id, record_id, True, actor=caller.actor
        )
        return reason_out(retired)

    @post(
        "/{record_id:str}/restore",
        summary="Offer a retired lost reason again",
        opt=requires("opportunities", "manage"),
        status_code=200,
    )
    async def restore(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> LostReasonOut:
        restored = await stages.set_reason_retired(
            caller.tenant.id, record_id, False, actor=caller.actor
        )
        return reason_out(restored)


__all__ = ["LostReasonController", "OpportunityController", "StageController"]
