"""Teams, and the workspace's sharing rule: who sees whose records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.service import SHARING_RULES, set_sharing_rule
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id
from comptoir.tenants.teams.tables import Team

MAX_TEAMS = 200


async def _check_name(scope: TenantScope, name: str, *, other_than: uuid.UUID | None = None) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": "must be between 1 and 100 characters"})
    same = scope.objects(Team).where(Team.name == name)
    if other_than is not None:
        same = same.where(Team.id != other_than)
    if await same.first() is not None:
        raise ValidationFailed({"name": "another team has this name"})
    return name


async def create_team(tenant_id: uuid.UUID, name: str, *, actor: Actor) -> Team:
    async with tenant_scope(tenant_id) as scope:
        name = await _check_name(scope, name)
        team = await scope.insert(Team(name=name))
        await audit.record(
            scope,
            actor,
            "team.create",
            object_type="team",
            object_id=team.id,
            changes={"name": name},
        )
    return team


async def rename_team(
    tenant_id: uuid.UUID, team_id: uuid.UUID | str, name: str, *, actor: Actor
) -> Team:
    async with tenant_scope(tenant_id) as scope:
        team = await scope.get(Team, team_id)
        name = await _check_name(scope, name, other_than=team.id)
        changes = {"name": [team.name, name]}
        team.name = name
        await scope.save(team, columns=[Team.name])
        await audit.record(
            scope, actor, "team.update", object_type="team", object_id=team.id, changes=changes
        )
    return team


async def delete_team(tenant_id: uuid.UUID, team_id: uuid.UUID | str, *, actor: Actor) -> None:
    """Delete a team; its members stay, without a team."""
    async with tenant_scope(tenant_id) as scope:
        team = await scope.get(Team, team_id)
        await scope.update(User, {User.team_id: None}).where(User.team_id == team.id)
        await scope.delete(Team).where(Team.id == team.id)
        await audit.record(
            scope,
            actor,
            "team.delete",
            object_type="team",
            object_id=team.id,
            changes={"name": team.name},
        )


async def set_user_team(
    tenant_id: uuid.UUID, user_id: uuid.UUID | str, team_id: uuid.UUID | None, *, actor: Actor
) -> None:
    async with tenant_scope(tenant_id) as scope:
        user = await scope.get(User, user_id)
        if team_id is not None:
            await scope.get(Team, team_id)
        if user.team_id == team_id:
            return
        await scope.update(User, {User.team_id: team_id}).where(User.id == user.id)
        await audit.record(
            scope,
            actor,
            "user.update",
            object_type="user",
            object_id=user.id,
            changes={"team_id": [user.team_id, team_id]},
        )


def parse_team(value: str | None) -> uuid.UUID | None:
    """A team id from a form or payload ('' or None: no team); 422 otherwise."""
    if not value:
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise ValidationFailed({"team_id": "must be the id of a team of this workspace"})
    return parsed


async def change_sharing_rule(tenant: Tenant, rule: str, *, actor: Actor) -> None:
    if rule not in SHARING_RULES:
        raise ValidationFailed({"sharing_rule": f"must be one of {', '.join(SHARING_RULES)}"})
    previous = tenant.sharing_rule
    if previous == rule:
        return

    async def write() -> None:
        await set_sharing_rule(tenant, rule)

    async with tenant_scope(tenant.id) as scope:
        await audit.record(
            scope,
            actor,
            "tenant.sharing_rule",
            object_type="tenant",
            object_id=tenant.id,
            changes={"sharing_rule": [previous, rule]},
        )
        # The rule is the directory's (control plane): written once the
        # tenant's transaction has committed, never inside it.
        scope.after_commit(write)


@dataclass(frozen=True)
class TeamRoster:
    """The teams of a workspace and who is in each (for the settings page)."""

    teams: list[Team]
    members: dict[uuid.UUID | None, list[User]]


async def list_teams(tenant_id: uuid.UUID) -> list[Team]:
    async with tenant_scope(tenant_id) as scope:
        return await scope.objects(Team).order_by(Team.name).limit(MAX_TEAMS)


async def team_roster(tenant_id: uuid.UUID) -> TeamRoster:
    async with tenant_scope(tenant_id) as scope:
        teams = await scope.objects(Team).order_by(Team.name).limit(MAX_TEAMS)
        users = await (
            scope.objects(User)
            .where(User.status == "active")
            .order_by(User.last_name)
            .order_by(User.first_name)
            .limit(1000)
        )
    members: dict[uuid.UUID | None, list[User]] = {}
    for user in users:
        members.setdefault(user.team_id, []).append(user)
    return TeamRoster(teams=list(teams), members=members)
