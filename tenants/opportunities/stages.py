"""A tenant's pipeline settings: its stages (order, probability, won and lost
stages, retired ones) and the reasons a deal is lost.

A stage is retired rather than deleted once opportunities sit on it: a
retired stage takes no new opportunity, those already on it keep it. At
least one active open, one won and one lost stage always remain, so a deal
can always be added, won and lost."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.integrity import is_unique_violation
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.db.search import normalise
from comptoir.platform.errors import Conflict, ValidationFailed
from comptoir.tenants.opportunities.schemas import LostReasonOut, StageOut
from comptoir.tenants.opportunities.tables import LostReason, Opportunity, PipelineStage

# A pipeline is a handful of columns: these bound every read of them.
MAX_STAGES = 30
MAX_REASONS = 50
KEY_LENGTH = 40

STAGE_LIST = ListSpec(
    table=PipelineStage,
    columns=[*StageOut.__struct_fields__],
    sorts={"position": ("position",), "created_at": ("id",)},
    default_sort="position",
    search_column=None,
    search_columns=("name",),
)

REASON_LIST = ListSpec(
    table=LostReason,
    columns=[*LostReasonOut.__struct_fields__],
    sorts={"position": ("position",), "name": ("name",), "created_at": ("id",)},
    default_sort="position",
    search_column=None,
    search_columns=("name",),
)


def stage_kind(stage: PipelineStage | Mapping[str, Any]) -> str:
    """ "won", "lost" or "open": the status an opportunity on it gets."""
    won = stage["is_won"] if isinstance(stage, Mapping) else stage.is_won
    lost = stage["is_lost"] if isinstance(stage, Mapping) else stage.is_lost
    return "won" if won else "lost" if lost else "open"


def key_of(name: str) -> str:
    """A stage's key from its name: "Négociation" -> "negociation"."""
    key = re.sub(r"[^a-z0-9]+", "_", normalise(name)).strip("_")[:KEY_LENGTH].strip("_")
    return key or "stage"


async def all_stages(scope: TenantScope) -> list[PipelineStage]:
    """The tenant's stages in pipeline order, retired ones included."""
    return list(
        await scope.objects(PipelineStage)
        .order_by(PipelineStage.position)
        .order_by(PipelineStage.id)
        .limit(MAX_STAGES)
    )


async def tenant_stages(tenant_id: uuid.UUID) -> list[PipelineStage]:
    async with tenant_scope(tenant_id) as scope:
        return await all_stages(scope)


async def list_stages(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, STAGE_LIST, query, limit=limit)


async def get_stage(tenant_id: uuid.UUID, stage_id: uuid.UUID | str) -> PipelineStage:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(PipelineStage, stage_id)


def _unique_key(name: str, taken: set[str]) -> str:
    base = key_of(name)
    key, n = base, 2
    while key in taken:
        suffix = f"_{n}"
        key, n = base[: KEY_LENGTH - len(suffix)] + suffix, n + 1
    return key


async def _renumber(scope: TenantScope, ordered: list[PipelineStage]) -> None:
    for position, stage in enumerate(ordered):
        if stage.position != position:
            stage.position = position
            await scope.save(stage, columns=[PipelineStage.position])


async def create_stage(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> PipelineStage:
    name = str(values.get("name") or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "a stage needs a name"
    if values.get("is_won") and values.get("is_lost"):
        errors["is_lost"] = "a stage cannot be both won and lost"
    if errors:
        raise ValidationFailed(errors)
    async with tenant_scope(tenant_id) as scope:
        stages = await all_stages(scope)
        if len(stages) >= MAX_STAGES:
            raise ValidationFailed({"name": f"a pipeline has at most {MAX_STAGES} stages"})
        stage = PipelineStage(
            key=_unique_key(name, {s.key for s in stages}),
            name=name,
            probability=int(values.get("probability") or 0),
            is_won=bool(values.get("is_won")),
            is_lost=bool(values.get("is_lost")),
            position=len(stages),
        )
        try:
            await scope.insert(stage)
        except Exception as error:
            if not is_unique_violation(error):
                raise
            # Another admin added a stage of the same name at the same moment.
            raise Conflict("A stage with this name was just added; reload the pipeline.") from error
        wanted = values.get("position")
        if wanted is not None:
            await _renumber(scope, _moved(stages, stage, int(wanted)))
        await audit.record(
            scope,
            actor,
            "pipeline_stage.create",
            object_type="pipeline_stage",
            object_id=stage.id,
            changes={"name": name, "key": stage.key, "probability": stage.probability},
        )
        return stage


def _moved(others: list[PipelineStage], stage: PipelineStage, position: int) -> list[PipelineStage]:
    rest = [s for s in others if s.id != stage.id]
    rest.insert(min(max(position, 0), len(rest)), stage)
    return rest


async def update_stage(
    tenant_id: uuid.UUID, stage_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> PipelineStage:
    """Rename a stage, change its probability (the default of new deals on
    it) or its place; its key stays what it was."""
    async with tenant_scope(tenant_id) as scope:
        stage = await scope.get(PipelineStage, stage_id)
        changes: dict[str, Any] = {}
        if "name" in values:
            name = str(values["name"] or "").strip()
            if not name:
                raise ValidationFailed({"name": "a stage needs a name"})
            if name != stage.name:
                changes["name"] = [stage.name, name]
                stage.name = name
        if "probability" in values and int(values["probability"]) != stage.probability:
            changes["probability"] = [stage.probability, int(values["probability"])]
            stage.probability = int(values["probability"])
        if changes:
            await scope.save(stage, columns=[PipelineStage.name, PipelineStage.probability])
        if "position" in values and int(values["position"]) != stage.position:
            changes["position"] = [stage.position, int(values["position"])]
            await _renumber(scope, _moved(await all_stages(scope), stage, int(values["position"])))
        if changes:
            await audit.record(
                scope,
                actor,
                "pipeline_stage.update",
                object_type="pipeline_stage",
                object_id=stage.id,
                changes=changes,
            )
        return stage


async def reorder_stages(
    tenant_id: uuid.UUID, stage_ids: list[uuid.UUID], *, actor: Actor
) -> list[PipelineStage]:
    """Put the stages in this order; every stage of the pipeline, once."""
    async with tenant_scope(tenant_id) as scope:
        stages = await all_stages(scope)
        by_id = {s.id: s for s in stages}
        if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(by_id):
            raise ValidationFailed(
                {"stage_ids": "must list every stage of the pipeline once, in the new order"}
            )
        ordered = [by_id[i] for i in stage_ids]
        await _renumber(scope, ordered)
        await audit.record(
            scope,
            actor,
            "pipeline_stage.reorder",
            object_type="pipeline_stage",
            changes={"order": [s.key for s in ordered]},
        )
        return ordered


def _last_of_kind(stages: list[PipelineStage], stage: PipelineStage) -> bool:
    kind = stage_kind(stage)
    return not any(
        s.id != stage.id and s.retired_at is None and stage_kind(s) == kind for s in stages
    )


async def retire_stage(
    tenant_id: uuid.UUID, stage_id: uuid.UUID | str, *, actor: Actor
) -> PipelineStage:
    async with tenant_scope(tenant_id) as scope:
        stage = await scope.get(PipelineStage, stage_id)
        if stage.retired_at is not None:
            return stage
        if _last_of_kind(await all_stages(scope), stage):
            raise ValidationFailed(
                {"stage_id": f"is the last active {stage_kind(stage)} stage: one must remain"}
            )
        stage.retired_at = dt.datetime.now(dt.UTC)
        await scope.save(stage, columns=[PipelineStage.retired_at])
        await _stage_audit(scope, actor, "pipeline_stage.retire", stage)
        return stage


async def restore_stage(
    tenant_id: uuid.UUID, stage_id: uuid.UUID | str, *, actor: Actor
) -> PipelineStage:
    async with tenant_scope(tenant_id) as scope:
        stage = await scope.get(PipelineStage, stage_id)
        if stage.retired_at is None:
            return stage
        stage.retired_at = None
        await scope.save(stage, columns=[PipelineStage.retired_at])
        await _stage_audit(scope, actor, "pipeline_stage.restore", stage)
        return stage


async def delete_stage(tenant_id: uuid.UUID, stage_id: uuid.UUID | str, *, actor: Actor) -> None:
    """Delete a stage nobody's deal sits on (else retire it)."""
    async with tenant_scope(tenant_id) as scope:
        stage = await scope.get(PipelineStage, stage_id)
        used = await (
            scope.unrestricted()
            .select(Opportunity, Opportunity.id)
            .where(Opportunity.stage_id == stage.id)
            .first()
        )
        if used is not None:
            raise Conflict("Opportunities are on this stage: retire it instead of deleting it.")
        stages = await all_stages(scope)
        if stage.retired_at is None and _last_of_kind(stages, stage):
            raise ValidationFailed(
                {"stage_id": f"is the last active {stage_kind(stage)} stage: one must remain"}
            )
        await scope.delete(PipelineStage).where(PipelineStage.id == stage.id)
        await _renumber(scope, [s for s in stages if s.id != stage.id])
        await _stage_audit(scope, actor, "pipeline_stage.delete", stage)


async def _stage_audit(scope: TenantScope, actor: Actor, action: str, stage: Any) -> None:
    await audit.record(
        scope,
        actor,
        action,
        object_type="pipeline_stage",
        object_id=stage.id,
        changes={"name": stage.name, "key": stage.key},
    )


# ---- lost reasons -------------------------------------------------------------------


async def list_reasons(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, REASON_LIST, query, limit=limit)


async def all_reasons(scope: TenantScope) -> list[LostReason]:
    """The tenant's lost reasons in order, retired ones included."""
    return list(
        await scope.objects(LostReason)
        .order_by(LostReason.position)
        .order_by(LostReason.id)
        .limit(MAX_REASONS)
    )


async def tenant_reasons(tenant_id: uuid.UUID) -> list[LostReason]:
    async with tenant_scope(tenant_id) as scope:
        return await all_reasons(scope)


async def get_reason(tenant_id: uuid.UUID, reason_id: uuid.UUID | str) -> LostReason:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(LostReason, reason_id)


def _reason_name(values: Mapping[str, Any]) -> str:
    name = str(values.get("name") or "").strip()
    if not name:
        raise ValidationFailed({"name": "a reason needs a name"})
    return name


async def create_reason(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> LostReason:
    name = _reason_name(values)
    async with tenant_scope(tenant_id) as scope:
        reasons = await all_reasons(scope)
        if len(reasons) >= MAX_REASONS:
            raise ValidationFailed({"name": f"at most {MAX_REASONS} reasons"})
        reason = LostReason(name=name, position=max((r.position for r in reasons), default=-1) + 1)
        await scope.insert(reason)
        await _reason_audit(scope, actor, "lost_reason.create", reason)
        return reason


async def rename_reason(
    tenant_id: uuid.UUID, reason_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> LostReason:
    name = _reason_name(values)
    async with tenant_scope(tenant_id) as scope:
        reason = await scope.get(LostReason, reason_id)
        if name != reason.name:
            before = reason.name
            reason.name = name
            await scope.save(reason, columns=[LostReason.name])
            await audit.record(
                scope,
                actor,
                "lost_reason.update",
                object_type="lost_reason",
                object_id=reason.id,
                changes={"name": [before, name]},
            )
        return reason


async def set_reason_retired(
    tenant_id: uuid.UUID, reason_id: uuid.UUID | str, retired: bool, *, actor: Actor
) -> LostReason:
    async with tenant_scope(tenant_id) as scope:
        reason = await scope.get(LostReason, reason_id)
        if (reason.retired_at is not None) == retired:
            return reason
        reason.retired_at = dt.datetime.now(dt.UTC) if retired else None
        await scope.save(reason, columns=[LostReason.retired_at])
        action = "lost_reason.retire" if retired else "lost_reason.restore"
        await _reason_audit(scope, actor, action, reason)
        return reason


async def _reason_audit(scope: TenantScope, actor: Actor, action: str, reason: Any) -> None:
    await audit.record(
        scope,
        actor,
        action,
        object_type="lost_reason",
        object_id=reason.id,
        changes={"name": reason.name},
    )
