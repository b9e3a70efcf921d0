"""Administration: the territory rules (in order, with their forms), how
many accounts they would move, and "Reassign now"."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.platform.ids import parse_id
from comptoir.tenants.teams.service import list_teams
from comptoir.tenants.territories import reassign, service
from comptoir.tenants.territories.rules import split_list
from comptoir.tenants.territories.tables import Territory
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.records import people
from comptoir.tenants.workspace.rendering import (
    form_errors,
    person_name,
    render_page,
    see_other,
)

FORM_FIELDS = (
    "name",
    "postcode_prefixes",
    "industries",
    "min_employees",
    "max_employees",
    "owner_id",
    "team_id",
)


def _typed_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_rule_form(data: dict[str, str]) -> dict[str, Any]:
    """A rule's values from its form (lists typed comma-separated); the
    service checks the rest."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": data.get("name", ""),
        "postcode_prefixes": _typed_list(data.get("postcode_prefixes", "")),
        "industries": _typed_list(data.get("industries", "")),
    }
    for name in ("min_employees", "max_employees"):
        raw = data.get(name, "").strip()
        if not raw:
            values[name] = None
        elif raw.isdigit() and int(raw) <= 10_000_000:
            values[name] = int(raw)
        else:
            errors[name] = "must be a whole number of people"
    for name in ("owner_id", "team_id"):
        raw = data.get(name, "").strip()
        values[name] = parse_id(raw) if raw else None
        if raw and values[name] is None:
            errors[name] = "is not one of the choices"
    if errors:
        raise ValidationFailed(errors)
    return values


def _form_values(territory: Territory | None, data: dict[str, str] | None) -> dict[str, str]:
    if data is not None:
        return {name: data.get(name, "") for name in FORM_FIELDS}
    if territory is None:
        return dict.fromkeys(FORM_FIELDS, "")
    values = {name: getattr(territory, name) for name in FORM_FIELDS}
    for name in ("postcode_prefixes", "industries"):
        values[name] = ", ".join(split_list(values[name]))
    return {name: "" if value is None else str(value) for name, value in values.items()}


async def _settings(
    page: WorkspacePage,
    *,
    editing: Territory | None = None,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    manages = page.can("territories.manage")
    everyone = await people(page)
    teams = {team.id: team for team in await list_teams(page.tenant.id)}
    return render_page(
        page,
        "territories/settings.html",
        section="admin-territories",
        status=status,
        territories=await service.all_territories(page.tenant.id),
        editing=editing,
        values=_form_values(editing, data),
        errors=errors or {},
        people=everyone,
        teams=teams,
        owner_options=[("", "—")]
        + [(str(u.id), person_name(u)) for u in everyone.values() if u.status == "active"],
        team_options=[("", "—")] + [(str(t.id), t.name) for t in teams.values()],
        preview=await reassign.preview(page.tenant.id) if manages else None,
        latest=await reassign.latest_job(page.tenant.id) if manages else None,
    )


class TerritoryPages(Controller):
    path = "/w/{slug:str}/admin/territories"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="admin-territories", opt=requires("territories", "view"))
    async def settings(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _settings(page)

    @post("/", name="admin-territories-create", opt=requires("territories", "create"))
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            values = parse_rule_form(data)
            await service.create_territory(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _settings(page, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/admin/territories", flash="territory_created")

    @post("/reassign", name="admin-territories-reassign", opt=requires("territories", "manage"))
    async def reassign_now(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Redirect:
        only_unowned = data.get("scope", "unowned") != "all"
        await reassign.start(page.tenant.id, only_unowned=only_unowned, actor=page.actor)
        return see_other(f"{page.base}/admin/territories", flash="territory_reassign_queued")

    @get(
        "/{territory_id:str}/edit",
        name="admin-territories-edit",
        opt=requires("territories", "edit"),
    )
    async def edit(
        self, page: NamedDependency[WorkspacePage], territory_id: FromPath[str]
    ) -> Template:
        territory = await service.get_territory(page.tenant.id, territory_id)
        return await _settings(page, editing=territory)

    @post(
        "/{territory_id:str}",
        name="admin-territories-update",
        opt=requires("territories", "edit"),
    )
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        territory_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        territory = await service.get_territory(page.tenant.id, territory_id)
        try:
            values = parse_rule_form(data)
            await service.update_territory(page.tenant.id, territory.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _settings(
                page, editing=territory, data=data, errors=form_errors(error), status=422
            )
        return see_other(f"{page.base}/admin/territories", flash="territory_saved")

    @post(
        "/{territory_id:str}/move",
        name="admin-territories-move",
        opt=requires("territories", "manage"),
    )
    async def move(
        self,
        page: NamedDependency[WorkspacePage],
        territory_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Redirect:
        step = -1 if data.get("direction") == "up" else 1
        await service.move_territory(page.tenant.id, territory_id, step, actor=page.actor)
        return see_other(f"{page.base}/admin/territories")

    @post(
        "/{territory_id:str}/delete",
        name="admin-territories-delete",
        opt=requires("territories", "delete"),
    )
    async def delete(
        self, page: NamedDependency[WorkspacePage], territory_id: FromPath[str]
    ) -> Redirect:
        await service.delete_territory(page.tenant.id, territory_id, actor=page.actor)
        return see_other(f"{page.base}/admin/territories", flash="territory_deleted")
