"""Opportunities: named actions over the shared record rules, and their
moves between stages (status, won and lost dates, the lost reason, the
stage history and its events). The board's figures are in ``figures``,
what other records' pages show in ``related``.

The status is derived from the stage: a won stage makes the deal won (today),
a lost stage lost (with an active reason of the tenant), any other stage open
again (the won and lost fields cleared)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from comptoir.platform import events
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.records import RecordKind, create_record, delete_record, update_record
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities import totals
from comptoir.tenants.opportunities.schemas import (
    OpportunityFields,
    OpportunityOut,
    StageChangeOut,
)
from comptoir.tenants.opportunities.stages import all_stages, stage_kind
from comptoir.tenants.opportunities.tables import (
    LostReason,
    Opportunity,
    OpportunityStageChange,
    PipelineStage,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # numeric(14, 2)
DEFAULT_TZ = "Europe/Paris"


def money(value: Any) -> Decimal:
    """A sum as the database returns it (Decimal, or a float on SQLite), to the cent."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def local_today(timezone: str | None = None) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone or DEFAULT_TZ)).date()


async def _check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not str(values.get("name") or "").strip():
        errors["name"] = "an opportunity needs a name"
    amount = values.get("amount")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        errors["amount"] = "must be an amount in euros, e.g. 1234.50"
    elif amount < 0 or amount > MAX_AMOUNT:
        errors["amount"] = f"must be between 0 and {MAX_AMOUNT}"
    everyone = scope.unrestricted()
    links = {
        "account_id": (Account, "must be the id of an account of this workspace"),
        "contact_id": (Contact, "must be the id of a contact of this workspace"),
    }
    for name, (table, message) in links.items():
        if values.get(name) is not None and await everyone.find(table, values[name]) is None:
            errors[name] = message
    return errors


OPPORTUNITIES: RecordKind[Opportunity] = RecordKind(
    name="opportunity",
    plural="opportunities",
    table=Opportunity,
    fields=OpportunityFields,
    searched=("name",),
    check=_check,
)

OPPORTUNITY_LIST = ListSpec(
    table=Opportunity,
    columns=[*OpportunityOut.__struct_fields__],
    sorts={
        "created_at": ("id",),
        "updated_at": ("updated_at",),
        "name": ("name",),
        "amount": ("amount",),
        "expected_close_date": ("expected_close_date",),
    },
    filters={
        "stage_id": "stage_id",
        "status": "status",
        "owner_id": "owner_id",
        "account_id": "account_id",
        "contact_id": "contact_id",
    },
    search_function="opportunities_search_ids",
    search_page_function="opportunities_search_page",
)

STAGE_CHANGE_LIST = ListSpec(
    table=OpportunityStageChange,
    columns=[*StageChangeOut.__struct_fields__],
    sorts={"created_at": ("id",)},
    search_column=None,
)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if isinstance(cleaned.get("name"), str):
        cleaned["name"] = cleaned["name"].strip()
    amount = cleaned.get("amount")
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        amount = Decimal(str(amount))
    if isinstance(amount, Decimal) and amount.is_finite():
        cleaned["amount"] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return cleaned


@dataclass(frozen=True)
class Move:
    """What a write does to an opportunity's place in the pipeline."""

    values: dict[str, Any]  # the values to write, the derived ones included
    stage: PipelineStage
    from_stage_id: uuid.UUID | None
    from_status: str

    @property
    def status(self) -> str:
        return str(self.values.get("status", self.from_status))

    def changed(self) -> bool:
        return self.stage.id != self.from_stage_id or self.status != self.from_status


async def _first_open_stage(scope: TenantScope) -> PipelineStage | None:
    stages = await all_stages(scope)
    return next((s for s in stages if s.retired_at is None and stage_kind(s) == "open"), None)


async def _placed(
    scope: TenantScope, current: Opportunity | None, values: Mapping[str, Any], today: dt.date
) -> Move:
    """The stage, status, probability, won and lost fields after this write;
    422 naming ``stage_id`` or ``lost_reason_id`` when the move is not allowed."""
    given = dict(values)
    from_stage = current.stage_id if current else None
    from_status = current.status if current else ""
    wanted = given.get("stage_id") or from_stage
    stage = await scope.find(PipelineStage, wanted) if wanted else await _first_open_stage(scope)
    if stage is None:
        message = "must be a stage of this pipeline" if wanted else "the pipeline has no open stage"
        raise ValidationFailed({"stage_id": message})
    given["stage_id"] = stage.id
    moved = stage.id != from_stage
    if moved and stage.retired_at is not None:
        raise ValidationFailed({"stage_id": "is retired: it takes no new opportunity"})
    status = stage_kind(stage)
    given["status"] = status
    if given.get("probability") is None:
        # Left empty (or not sent, on a move): the stage's own probability.
        if moved or "probability" in given:
            given["probability"] = stage.probability
        else:
            given.pop("probability", None)
    if status == "lost":
        reason_id = given.get("lost_reason_id")
        if "lost_reason_id" not in given and current is not None and current.status == "lost":
            reason_id = current.lost_reason_id
        reason = await scope.find(LostReason, reason_id) if reason_id else None
        keeps = current is not None and reason is not None and reason.id == current.lost_reason_id
        if reason is None or (reason.retired_at is not None and not keeps):
            raise ValidationFailed(
                {"lost_reason_id": "a lost opportunity needs one of the workspace's lost reasons"}
            )
        given["lost_reason_id"] = reason.id
    elif given.get("lost_reason_id") is not None:
        raise ValidationFailed({"lost_reason_id": "only a lost opportunity has a lost reason"})
    else:
        given["lost_reason_id"] = None
    if status != from_status:
        given["won_at"] = today if status == "won" else None
        given["closed_at"] = dt.datetime.now(dt.UTC) if status != "open" else None
    return Move(given, stage, from_stage, from_status)


async def _place(
    scope: TenantScope, current: Opportunity | None, values: Mapping[str, Any], today: dt.date
) -> Move:
    """``_placed``, but a refused move is told with the record's other
    problems (an unknown account…), every field at once."""
    try:
        return await _placed(scope, current, values, today)
    except ValidationFailed as refused:
        merged = {
            "name": current.name if current else "",
            "amount": current.amount if current else Decimal("0"),
            "account_id": current.account_id if current else None,
            "contact_id": current.contact_id if current else None,
            **values,
        }
        raise ValidationFailed({**await _check(scope, merged), **refused.errors}) from refused


async def _record_move(
    scope: TenantScope, opportunity: Opportunity, move: Move, actor: Actor
) -> None:
    """The stage history row and the events of a move (or of a creation)."""
    change = OpportunityStageChange(
        opportunity_id=opportunity.id,
        from_stage_id=move.from_stage_id,
        to_stage_id=move.stage.id,
        from_status=move.from_status,
        to_status=move.status,
        changed_by=actor.id if actor.kind == "user" else None,
        changed_at=dt.datetime.now(dt.UTC),
    )
    await scope.insert(change)
    names = []
    if move.from_stage_id is not None and move.stage.id != move.from_stage_id:
        names.append("opportunity.stage_changed")
    if move.status != move.from_status and move.status in ("won", "lost"):
        names.append(f"opportunity.{move.status}")
    if not names:
        return
    previous = await scope.find(PipelineStage, move.from_stage_id) if move.from_stage_id else None
    data = {
        "from": previous.key if previous else None,
        "to": move.stage.key,
        "from_status": move.from_status,
        "to_status": move.status,
        "amount": str(opportunity.amount),
    }
    for name in names:
        events.emit(
            events.DomainEvent(
                name=name,
                tenant_id=scope.tenant_id,
                actor_id=actor.id,
                actor_role=actor.role,
                object_type="opportunity",
                object_id=str(opportunity.id),
                module="sales",
                data=data,
            )
        )


async def create_opportunity(
    tenant_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    async with tenant_scope(tenant_id) as scope:
        move = await _place(scope, None, _clean(values), today or local_today())
        opportunity = await create_record(scope, OPPORTUNITIES, move.values, actor=actor)
        await _record_move(scope, opportunity, move, actor)
        await totals.changed(scope, None, opportunity)
        return _in_cents(opportunity)


async def update_opportunity(
    tenant_id: uuid.UUID,
    opportunity_id: uuid.UUID | str,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    """Change the fields sent; a new ``stage_id`` is a move like ``move_opportunity``."""
    async with tenant_scope(tenant_id) as scope:
        current = await scope.get(Opportunity, opportunity_id)
        before = totals.snapshot(current)
        cleaned = _clean(values)
        placed = {"stage_id", "lost_reason_id", "probability"} & set(cleaned)
        if not placed:
            changed = await update_record(scope, OPPORTUNITIES, current.id, cleaned, actor=actor)
            await totals.changed(scope, before, changed)
            return _in_cents(changed)
        move = await _place(scope, current, cleaned, today or local_today())
        opportunity = await update_record(
            scope, OPPORTUNITIES, current.id, move.values, actor=actor
        )
        if move.changed():
            await _record_move(scope, opportunity, move, actor)
        await totals.changed(scope, before, opportunity)
        return _in_cents(opportunity)


async def move_opportunity(
    tenant_id: uuid.UUID,
    opportunity_id: uuid.UUID | str,
    stage_id: uuid.UUID | str,
    *,
    lost_reason_id: uuid.UUID | str | None = None,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    """Put an opportunity on a stage (a lost one needs ``lost_reason_id``)."""
    values: dict[str, Any] = {"stage_id": stage_id}
    if lost_reason_id:
        values["lost_reason_id"] = lost_reason_id
    async with tenant_scope(tenant_id) as scope:
        current = await scope.get(Opportunity, opportunity_id)
        if str(current.stage_id) == str(stage_id) and not lost_reason_id:
            return _in_cents(current)
        return await update_opportunity(tenant_id, current.id, values, actor=actor, today=today)


async def win_opportunity(
    tenant_id: uuid.UUID,
    opportunity_id: uuid.UUID | str,
    *,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    """Move an opportunity to the tenant's first active won stage (an
    accepted quote wins its deal); one already won is left as it is."""
    async with tenant_scope(tenant_id) as scope:
        opportunity = await scope.get(Opportunity, opportunity_id)
        if opportunity.status == "won":
            return _in_cents(opportunity)
        stages = await all_stages(scope)
        won = next((s for s in stages if s.is_won and s.retired_at is None), None)
        if won is None:
            raise ValidationFailed({"stage_id": "the pipeline has no active won stage"})
        return await update_opportunity(
            tenant_id, opportunity.id, {"stage_id": won.id}, actor=actor, today=today
        )


async def delete_opportunity(
    tenant_id: uuid.UUID, opportunity_id: uuid.UUID | str, *, actor: Actor
) -> None:
    """Delete an opportunity and its stage history; its activities stay, unlinked."""
    from comptoir.tenants.activities.tables import Activity

    async with tenant_scope(tenant_id) as scope:
        opportunity = await delete_record(scope, OPPORTUNITIES, opportunity_id, actor=actor)
        await totals.changed(scope, opportunity, None)
        everyone = scope.unrestricted()
        await everyone.delete(OpportunityStageChange).where(
            OpportunityStageChange.opportunity_id == opportunity.id
        )
        await everyone.update(Activity, {Activity.opportunity_id: None}).where(
            Activity.opportunity_id == opportunity.id
        )


def _in_cents(opportunity: Opportunity) -> Opportunity:
    """Amounts always have their cents ("400.00"; SQLite hands back 400)."""
    opportunity.amount = money(opportunity.amount)
    return opportunity


async def get_opportunity(tenant_id: uuid.UUID, opportunity_id: uuid.UUID | str) -> Opportunity:
    async with tenant_scope(tenant_id) as scope:
        return _in_cents(await scope.get(Opportunity, opportunity_id))


async def list_opportunities(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        found = await list_page(scope, OPPORTUNITY_LIST, query, limit=limit)
    for row in found.items:
        row["amount"] = money(row["amount"])
    return found


async def stage_changes(
    tenant_id: uuid.UUID, opportunity_id: uuid.UUID | str, query: ListQuery
) -> Page[dict[str, Any]]:
    """An opportunity's moves, newest first (404 for an opportunity not seen)."""
    async with tenant_scope(tenant_id) as scope:
        opportunity = await scope.get(Opportunity, opportunity_id)
        return await list_page(
            scope,
            STAGE_CHANGE_LIST,
            query,
            where=[OpportunityStageChange.opportunity_id == opportunity.id],
        )
