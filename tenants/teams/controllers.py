"""/api/v1/teams and /api/v1/settings/sharing."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import NotFound
from comptoir.platform.features import requires
from comptoir.platform.ids import parse_id
from comptoir.platform.web.lists import PageOf
from comptoir.tenants.teams import service
from comptoir.tenants.teams.schemas import SharingRule, TeamFields, TeamOut
from comptoir.tenants.teams.tables import Team


async def _out(tenant_id: uuid.UUID, team: Team) -> TeamOut:
    async with tenant_scope(tenant_id) as scope:
        rows = await scope.select(User, User.id).where(User.team_id == team.id).limit(1000)
    return TeamOut(id=team.id, name=team.name, member_ids=[row["id"] for row in rows])


def _user_id(value: str) -> uuid.UUID:
    parsed = parse_id(value)
    if parsed is None:
        raise NotFound("No such user.")
    return parsed


class TeamController(Controller):
    path = "/api/v1/teams"
    tags = ["Users"]

    @get("/", summary="List the workspace's teams", opt=requires("teams", "view"))
    async def list_teams(self, caller: NamedDependency[ApiCaller]) -> PageOf[TeamOut]:
        roster = await service.team_roster(caller.tenant.id)
        return PageOf(
            items=[
                TeamOut(
                    id=team.id,
                    name=team.name,
                    member_ids=[user.id for user in roster.members.get(team.id, [])],
                )
                for team in roster.teams
            ]
        )

    @post("/", summary="Create a team (admin)", opt=requires("teams", "manage"))
    async def create_team(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[TeamFields]
    ) -> TeamOut:
        team = await service.create_team(caller.tenant.id, data.name, actor=caller.actor)
        return TeamOut(id=team.id, name=team.name, member_ids=[])

    @get("/{team_id:str}", summary="Read a team", opt=requires("teams", "view"))
    async def get_team(self, caller: NamedDependency[ApiCaller], team_id: FromPath[str]) -> TeamOut:
        async with tenant_scope(caller.tenant.id) as scope:
            team = await scope.get(Team, team_id)
        return await _out(caller.tenant.id, team)

    @patch("/{team_id:str}", summary="Rename a team (admin)", opt=requires("teams", "manage"))
    async def rename_team(
        self, caller: NamedDependency[ApiCaller], team_id: FromPath[str], data: JSONBody[TeamFields]
    ) -> TeamOut:
        team = await service.rename_team(caller.tenant.id, team_id, data.name, actor=caller.actor)
        return await _out(caller.tenant.id, team)

    @delete(
        "/{team_id:str}",
        summary="Delete a team (admin); its members stay, without a team",
        opt=requires("teams", "manage"),
    )
    async def delete_team(self, caller: NamedDependency[ApiCaller], team_id: FromPath[str]) -> None:
        await service.delete_team(caller.tenant.id, team_id, actor=caller.actor)

    @put(
        "/{team_id:str}/members/{user_id:str}",
        summary="Put a user in this team (admin); a user is in one team at most",
        opt=requires("teams", "manage"),
        status_code=204,
    )
    async def add_member(
        self, caller: NamedDependency[ApiCaller], team_id: FromPath[str], user_id: FromPath[str]
    ) -> None:
        async with tenant_scope(caller.tenant.id) as scope:
            team = await scope.get(Team, team_id)
        await service.set_user_team(
            caller.tenant.id, _user_id(user_id), team.id, actor=caller.actor
        )

    @delete(
        "/{team_id:str}/members/{user_id:str}",
        summary="Take a user out of this team (admin)",
        opt=requires("teams", "manage"),
    )
    async def remove_member(
        self, caller: NamedDependency[ApiCaller], team_id: FromPath[str], user_id: FromPath[str]
    ) -> None:
        async with tenant_scope(caller.tenant.id) as scope:
            team = await scope.get(Team, team_id)
            user = await scope.get(User, _user_id(user_id))
        if user.team_id != team.id:
            raise NotFound("This user is not in this team.")
        await service.set_user_team(caller.tenant.id, user.id, None, actor=caller.actor)


class SharingController(Controller):
    path = "/api/v1/settings/sharing"
    tags = ["Users"]

    @get("/", summary="Who sees which records", opt=requires("teams", "view"))
    async def get_rule(self, caller: NamedDependency[ApiCaller]) -> SharingRule:
        return SharingRule(sharing_rule=caller.tenant.sharing_rule)  # type: ignore[arg-type]

    @put("/", summary="Change who sees which records (admin)", opt=requires("teams", "manage"))
    async def set_rule(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[SharingRule]
    ) -> SharingRule:
        await service.change_sharing_rule(caller.tenant, data.sharing_rule, actor=caller.actor)
        return SharingRule(sharing_rule=data.sharing_rule)
