"""The data completeness page: the worst fields first and the people who can
fix them, stale records, process conformance, the score over time (rule
changes shown as markers) and, for admins, the expected fields and the
fields each pipeline stage requires."""

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.adoption.completeness import service
from comptoir.adoption.completeness.objects import (
    MAX_WEIGHT,
    completeness_objects,
    object_named,
)
from comptoir.adoption.completeness.scores import people_by_id, person_label, report_in
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.tenants.opportunities.tables import PipelineStage
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other

HISTORY_DAYS = 90


def rules_from_form(data: dict[str, str]) -> tuple[dict[str, dict[str, int]], Any]:
    """The expected fields ticked on the form (``x.<object>.<field>``) with
    their weights (``w.<object>.<field>``), and the stale delay as typed."""
    expected: dict[str, dict[str, int]] = {}
    errors: dict[str, str] = {}
    for obj in completeness_objects():
        expected[obj.key] = {}
        for spec in obj.fields:
            if not data.get(f"x.{obj.key}.{spec.name}"):
                continue
            raw = (data.get(f"w.{obj.key}.{spec.name}") or "1").strip()
            if not raw.isdigit() or not 1 <= int(raw) <= MAX_WEIGHT:
                errors[f"w.{obj.key}.{spec.name}"] = f"must be from 1 to {MAX_WEIGHT}"
                continue
            expected[obj.key][spec.name] = int(raw)
    stale = (data.get("stale_days") or "").strip()
    if errors:
        raise ValidationFailed(errors)
    return expected, int(stale) if stale.isdigit() else stale


async def _history(page: WorkspacePage, today: dt.date, live: float | None) -> dict[str, Any]:
    """Points of the score chart: the kept days, then today as it is now;
    the rule versions' dates as markers."""
    days = await service.score_history(
        page.tenant.id, today - dt.timedelta(days=HISTORY_DAYS), today
    )
    points = [
        {"day": d.day.isoformat(), "score": d.score, "version": d.version}
        for d in days
        if d.day != today
    ]
    points.append({"day": today.isoformat(), "score": live, "version": None})
    versions = await service.rule_versions(page.tenant.id)
    markers = [
        {"day": v.changed_at.date().isoformat(), "version": v.version}
        for v in versions
        if v.changed_at is not None and v.version > 1
    ]
    return {"points": points, "markers": markers}


async def _page(
    page: WorkspacePage,
    *,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    async with tenant_scope(page.tenant.id) as scope:
        report = await report_in(scope)
        stale = await service.stale_records(scope, report.rules)
        conformance = await service.conformance(scope)
        requirements = await service.stage_requirements(scope)
        stages = await scope.select(PipelineStage).order_by(PipelineStage.position)
        people = await people_by_id(scope)
    today = dt.datetime.now(dt.UTC).date()
    history = await _history(page, today, report.score)
    teams: list[tuple[str, dict[str, Any]]] = []
    team_rows = report.teams()
    if len(team_rows) > 1 or None not in team_rows:
        from comptoir.tenants.teams.tables import Team

        async with tenant_scope(page.tenant.id) as scope:
            names = {t["id"]: t["name"] for t in await scope.select(Team, Team.id, Team.name)}
        for team_id, objects in team_rows.items():
            teams.append((names.get(team_id, "") if team_id else "", objects))
    return render_page(
        page,
        "adoption/completeness.html",
        section="adoption-completeness",
        status=status,
        report=report,
        objects={obj.key: obj for obj in completeness_objects()},
        worst=report.worst_fields(),
        owners=report.owners[:15],
        teams=teams,
        stale=stale,
        conformance=conformance,
        stages=stages,
        requirements=requirements,
        stage_fields=service.stage_object().fields,
        people={key: person_label(value) for key, value in people.items()},
        history=history,
        editable=page.can("completeness.manage"),
        values=data,
        errors=errors or {},
        max_weight=MAX_WEIGHT,
    )


class CompletenessPages(Controller):
    path = "/w/{slug:str}/adoption/completeness"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="adoption-completeness", opt=requires("completeness", "view"))
    async def overview(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _page(page)

    @post("/rules", name="adoption-completeness-rules", opt=requires("completeness", "manage"))
    async def save_rules(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            expected, stale = rules_from_form(data)
            await service.change_rules(page.tenant.id, expected, stale, actor=page.actor)
        except ValidationFailed as error:
            return await _page(page, data=data, errors=form_errors(error), status=422)
        return see_other(
            f"{page.base}/adoption/completeness#settings", flash="completeness_rules_saved"
        )

    @post(
        "/stages/{stage_id:str}",
        name="adoption-completeness-stage",
        opt=requires("completeness", "manage"),
    )
    async def save_stage(
        self,
        page: NamedDependency[WorkspacePage],
        stage_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        obj = object_named(service.STAGE_OBJECT)
        assert obj is not None
        fields = [spec.name for spec in obj.fields if data.get(f"f.{spec.name}")]
        try:
            await service.set_stage_requirements(page.tenant.id, stage_id, fields, actor=page.actor)
        except ValidationFailed as error:
            return await _page(page, errors=form_errors(error), status=422)
        return see_other(
            f"{page.base}/adoption/completeness#stages", flash="completeness_stage_saved"
        )


def owner_link(base: str, path: str, owner_id: uuid.UUID | None) -> str:
    return f"{base}{path}?owner_id={owner_id}" if owner_id else f"{base}{path}"
