"""Teams, and the workspace's sharing rule: who sees whose records."""

from __future__ import annotations

import uuid

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import SHARING_RULES, set_sharing_rule
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ValidationFailed
from comptoir.tenants.users.tables import Team


async def create_team(tenant_id: uuid.UUID, name: str, *, actor: Actor) -> Team:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": "must be between 1 and 100 characters"})
    async with tenant_scope(tenant_id) as scope:
        if await scope.objects(Team).where(Team.name == name).first() is not None:
            raise ValidationFailed({"name": "another team has this name"})
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


async def set_user_team(
    tenant_id: uuid.UUID, user_id: uuid.UUID | str, team_id: uuid.UUID | None, *, actor: Actor
) -> None:
    async with tenant_scope(tenant_id) as scope:
        user = await scope.get(User, user_id)
        if team_id is not None:
            await scope.get(Team, team_id)
        await scope.update(User, {User.team_id: team_id}).where(User.id == user.id)
        await audit.record(
            scope,
            actor,
            "user.update",
            object_type="user",
            object_id=user.id,
            changes={"team_id": [user.team_id, team_id]},
        )


async def change_sharing_rule(tenant: Tenant, rule: str, *, actor: Actor) -> None:
    if rule not in SHARING_RULES:
        raise ValidationFailed({"sharing_rule": f"must be one of {', '.join(SHARING_RULES)}"})
    previous = tenant.sharing_rule
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
