"""/api/v1/adoption/completeness: the scores, the expected fields (a new rule
version on each change), the fields each pipeline stage requires, and the
figures kept per day. No ``from __future__ import annotations``: Litestar
reads the handlers' annotations."""

import datetime as dt
from typing import Annotated

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from comptoir.adoption.completeness import service
from comptoir.adoption.completeness.objects import Rules, completeness_objects
from comptoir.adoption.completeness.schemas import (
    CompletenessOut,
    DailyScoreOut,
    ExpectableFieldOut,
    HistoryOut,
    ObjectScoreOut,
    OwnerScoreOut,
    RuleChangeOut,
    RulesIn,
    RulesOut,
    StageRequirementIn,
    StageRequirementOut,
)
from comptoir.adoption.completeness.scores import (
    CompletenessReport,
    ObjectFigures,
    completeness_report,
)
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.tenants.opportunities.tables import PipelineStage


def object_out(figures: ObjectFigures) -> ObjectScoreOut:
    return ObjectScoreOut(
        score=figures.score,
        fields=figures.fill_rates(),
        records=figures.records,
        incomplete=figures.incomplete,
    )


def report_out(report: CompletenessReport) -> CompletenessOut:
    return CompletenessOut(
        objects={key: object_out(f) for key, f in report.objects.items()},
        owners=[
            OwnerScoreOut(
                owner_id=owner.owner_id,
                name=owner.name,
                team_id=owner.team_id,
                score=owner.score,
                gaps=owner.gaps,
                objects={key: object_out(f) for key, f in owner.objects.items()},
            )
            for owner in report.owners
        ],
        score=report.score,
        rules_version=report.rules.version,
    )


def rules_out(rules: Rules) -> RulesOut:
    return RulesOut(
        version=rules.version,
        changed_at=rules.changed_at,
        stale_days=rules.stale_days,
        expected={obj.key: rules.weights(obj) for obj in completeness_objects()},
        available={
            obj.key: [
                ExpectableFieldOut(
                    name=f.name, label=f.label, applies=f.applies.label if f.applies else ""
                )
                for f in obj.fields
            ]
            for obj in completeness_objects()
        },
    )


def _day(value: str | None, name: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: "must be a date, YYYY-MM-DD"}) from None


class CompletenessController(Controller):
    path = "/api/v1/adoption/completeness"
    tags = ["Adoption"]

    @get(
        "/",
        summary="Data completeness scores",
        description="Per object its score (0 to 1, the mean of its records' scores: the "
        "weighted share of the expected fields that apply to a record and that it fills) and "
        "each expected field's fill rate; then the same per owner, most missing values first.",
        opt=requires("completeness", "view"),
    )
    async def scores(self, caller: NamedDependency[ApiCaller]) -> CompletenessOut:
        return report_out(await completeness_report(caller.tenant.id))

    @get(
        "/rules",
        summary="Expected fields",
        description="The rule version in force, its expected fields and weights, the stale "
        "delay, and every field an admin may expect per object (with when it applies).",
        opt=requires("completeness", "view"),
    )
    async def rules(self, caller: NamedDependency[ApiCaller]) -> RulesOut:
        return rules_out(await service.current_rules(caller.tenant.id))

    @put(
        "/rules",
        summary="Change the expected fields",
        description="Writes a new rule version from now on; figures kept for past days keep "
        "the version they were computed with.",
        opt=requires("completeness", "manage"),
    )
    async def change_rules(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[RulesIn]
    ) -> RulesOut:
        current = await service.current_rules(caller.tenant.id)
        stale = data.stale_days if data.stale_days is not None else current.stale_days
        rules = await service.change_rules(
            caller.tenant.id, data.expected, stale, actor=caller.actor
        )
        return rules_out(rules)

    @get(
        "/stages",
        summary="Fields each pipeline stage requires",
        opt=requires("completeness", "view"),
    )
    async def stages(self, caller: NamedDependency[ApiCaller]) -> list[StageRequirementOut]:
        async with tenant_scope(caller.tenant.id) as scope:
            required = await service.stage_requirements(scope)
            stages = await scope.select(PipelineStage).order_by(PipelineStage.position)
        return [
            StageRequirementOut(stage_id=s["id"], name=s["name"], fields=required.get(s["id"], []))
            for s in stages
        ]

    @put(
        "/stages/{stage_id:str}",
        summary="Set the fields a pipeline stage requires",
        description="Opportunities that move to the stage without them are shown as not "
        "conforming to the sales process.",
        opt=requires("completeness", "manage"),
    )
    async def set_stage(
        self,
        caller: NamedDependency[ApiCaller],
        stage_id: FromPath[str],
        data: JSONBody[StageRequirementIn],
    ) -> StageRequirementOut:
        fields = await service.set_stage_requirements(
            caller.tenant.id, stage_id, data.fields, actor=caller.actor
        )
        async with tenant_scope(caller.tenant.id) as scope:
            stage = await scope.get(PipelineStage, stage_id)
        return StageRequirementOut(stage_id=stage.id, name=stage.name, fields=fields)

    @get(
        "/history",
        summary="Completeness per day",
        description="The figures kept each day with the rule version in force then "
        "(`from`, `to`: YYYY-MM-DD, by default the last 90 days), and the rule changes, to "
        "show as markers rather than as changes of quality.",
        opt=requires("completeness", "view"),
    )
    async def history(
        self,
        caller: NamedDependency[ApiCaller],
        start: Annotated[
            str | None, QueryParameter(name="from", max_length=10, description="YYYY-MM-DD")
        ] = None,
        end: Annotated[
            str | None, QueryParameter(name="to", max_length=10, description="YYYY-MM-DD")
        ] = None,
    ) -> HistoryOut:
        today = dt.datetime.now(dt.UTC).date()
        first = _day(start, "from", today - dt.timedelta(days=90))
        last = _day(end, "to", today)
        if first > last:
            raise ValidationFailed({"from": "must be on or before to"})
        days = await service.score_history(caller.tenant.id, first, last)
        versions = await service.rule_versions(caller.tenant.id)
        return HistoryOut(
            days=[
                DailyScoreOut(day=d.day, version=d.version, score=d.score, objects=d.objects)
                for d in days
            ],
            rule_changes=[
                RuleChangeOut(version=r.version, changed_at=r.changed_at) for r in versions
            ],
        )
