"""Administration: the sharing rule, teams and who is in which."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.tenants.teams import service
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other


async def _settings(
    page: WorkspacePage,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return render_page(
        page,
        "teams/settings.html",
        section="admin-teams",
        status=status,
        sharing_rule=page.tenant.sharing_rule,
        roster=await service.team_roster(page.tenant.id),
        values=values or {"name": ""},
        errors=errors or {},
    )


class TeamPages(Controller):
    path = "/w/{slug:str}/admin/teams"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="admin-teams", opt=requires("teams", "manage"))
    async def settings(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _settings(page)

    @post("/", name="admin-teams-create", opt=requires("teams", "manage"))
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        name = data.get("name", "")
        try:
            await service.create_team(page.tenant.id, name, actor=page.actor)
        except ValidationFailed as error:
            return await _settings(
                page, values={"name": name}, errors=form_errors(error), status=422
            )
        return see_other(f"{page.base}/admin/teams", flash="team_created")

    @post("/sharing", name="admin-teams-sharing", opt=requires("teams", "manage"))
    async def sharing(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            await service.change_sharing_rule(
                page.tenant, data.get("sharing_rule", ""), actor=page.actor
            )
        except ValidationFailed as error:
            return await _settings(page, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/admin/teams", flash="sharing_saved")

    @post("/members/{user_id:str}", name="admin-teams-member", opt=requires("teams", "manage"))
    async def member(
        self,
        page: NamedDependency[WorkspacePage],
        user_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        try:
            team_id = service.parse_team(data.get("team_id"))
            await service.set_user_team(page.tenant.id, user_id, team_id, actor=page.actor)
        except ValidationFailed as error:
            return await _settings(page, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/admin/teams", flash="team_member_saved")

    @post("/{team_id:str}/delete", name="admin-teams-delete", opt=requires("teams", "manage"))
    async def delete(
        self, page: NamedDependency[WorkspacePage], team_id: FromPath[str]
    ) -> Redirect:
        await service.delete_team(page.tenant.id, team_id, actor=page.actor)
        return see_other(f"{page.base}/admin/teams", flash="team_deleted")
