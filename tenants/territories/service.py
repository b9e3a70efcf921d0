"""Territory rules: their named actions (create, change, reorder, delete),
and the owner a new account gets from them.

Rules are tried by ``position``; the first that matches a new account
without an owner gives it to the rule's owner, or to the member of the
rule's team who owns the fewest accounts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.tenants.teams.tables import Team
from comptoir.tenants.territories.rules import (
    MAX_RULES,
    PREFIX,
    effective_rules,
    first_match,
    load_counts,
    ordered_territories,
    split_list,
)
from comptoir.tenants.territories.schemas import TerritoryOut
from comptoir.tenants.territories.tables import Territory

MAX_CRITERIA = 50
LISTED = ("postcode_prefixes", "industries")
EDITABLE = (
    "name",
    "postcode_prefixes",
    "industries",
    "min_employees",
    "max_employees",
    "owner_id",
    "team_id",
)

TERRITORY_LIST = ListSpec(
    table=Territory,
    columns=[*TerritoryOut.__struct_fields__],
    sorts={"position": ("position",), "name": ("name",), "created_at": ("id",)},
    default_sort="position",
    search_column=None,
    search_columns=("name",),
)


def territory_out(row: Territory | Mapping[str, Any]) -> TerritoryOut:
    """A rule (record or list row) as the API shows it: lists as lists."""
    values = dict(row) if isinstance(row, Mapping) else row.to_dict()
    for name in LISTED:
        values[name] = split_list(str(values.get(name) or ""))
    return TerritoryOut(**{name: values[name] for name in TerritoryOut.__struct_fields__})


def _prefixes(given: Any, errors: dict[str, str]) -> str:
    cleaned: list[str] = []
    for raw in given or []:
        prefix = str(raw).replace(" ", "").upper()
        if not PREFIX.match(prefix):
            errors["postcode_prefixes"] = (
                f"{raw!r} is not a postcode prefix: 1 to 5 digits, or 2A/2B followed by digits"
            )
            return ""
        if prefix not in cleaned:
            cleaned.append(prefix)
    if len(cleaned) > MAX_CRITERIA:
        errors["postcode_prefixes"] = f"at most {MAX_CRITERIA} prefixes"
    return ",".join(cleaned)


def _industries(given: Any, errors: dict[str, str]) -> str:
    cleaned: list[str] = []
    for raw in given or []:
        industry = " ".join(str(raw).split())
        if "," in industry:
            errors["industries"] = "an industry cannot contain a comma"
            return ""
        if industry and industry not in cleaned:
            cleaned.append(industry)
    if len(cleaned) > MAX_CRITERIA:
        errors["industries"] = f"at most {MAX_CRITERIA} industries"
    return ",".join(cleaned)


async def _checked(scope: TenantScope, merged: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's stored values from the merged input; 422 naming each problem."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"name": str(merged.get("name") or "").strip()}
    if not values["name"]:
        errors["name"] = "a rule needs a name"
    values["postcode_prefixes"] = _prefixes(merged.get("postcode_prefixes"), errors)
    values["industries"] = _industries(merged.get("industries"), errors)
    low, high = merged.get("min_employees"), merged.get("max_employees")
    if low is not None and high is not None and low > high:
        errors["max_employees"] = "must be at least the minimum headcount"
    values["min_employees"], values["max_employees"] = low, high
    owner_id, team_id = merged.get("owner_id"), merged.get("team_id")
    if owner_id is None and team_id is None:
        errors["owner_id"] = "a rule gives accounts to an owner or to a team"
    elif owner_id is not None and team_id is not None:
        errors["team_id"] = "give an owner or a team, not both"
    elif owner_id is not None:
        owner = await scope.find(User, owner_id)
        if owner is None or owner.status != "active":
            errors["owner_id"] = "must be the id of an active user of this workspace"
    elif team_id is not None and await scope.find(Team, team_id) is None:
        errors["team_id"] = "must be the id of a team of this workspace"
    values["owner_id"], values["team_id"] = owner_id, team_id
    if errors:
        raise ValidationFailed(errors)
    return values


def _event(verb: str, territory: Territory, actor: Actor) -> None:
    events.emit(
        events.DomainEvent(
            name=f"territory.{verb}",
            tenant_id=territory.tenant_id,
            actor_id=actor.id,
            actor_role=actor.role,
            object_type="territory",
            object_id=str(territory.id),
            module="sales",
        )
    )


async def list_territories(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, TERRITORY_LIST, query, limit=limit)


async def all_territories(tenant_id: uuid.UUID) -> list[Territory]:
    """Every rule, in the order they are tried (at most ``MAX_RULES``)."""
    async with tenant_scope(tenant_id) as scope:
        return await ordered_territories(scope)


async def get_territory(tenant_id: uuid.UUID, territory_id: uuid.UUID | str) -> Territory:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(Territory, territory_id)


async def create_territory(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> Territory:
    """A new rule, tried after the existing ones."""
    async with tenant_scope(tenant_id) as scope:
        checked = await _checked(scope, values)
        rules = await ordered_territories(scope)
        if len(rules) >= MAX_RULES:
            raise ValidationFailed({"name": f"a workspace has at most {MAX_RULES} rules"})
        position = max((rule.position for rule in rules), default=-1) + 1
        territory = await scope.insert(Territory(position=position, **checked))
        await audit.record(
            scope,
            actor,
            "territory.create",
            object_type="territory",
            object_id=territory.id,
            changes={k: v for k, v in checked.items() if v not in ("", None)},
        )
        _event("created", territory, actor)
        return territory


async def update_territory(
    tenant_id: uuid.UUID, territory_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> Territory:
    """Change the fields sent; the others keep their values."""
    async with tenant_scope(tenant_id) as scope:
        territory = await scope.get(Territory, territory_id)
        before = {name: getattr(territory, name) for name in EDITABLE}
        current = dict(before)
        for name in LISTED:
            current[name] = split_list(current[name])
        checked = await _checked(scope, current | dict(values))
        changes = {k: [before[k], v] for k, v in checked.items() if before[k] != v}
        if not changes:
            return territory
        for name, value in checked.items():
            setattr(territory, name, value)
        territory.updated_at = dt.datetime.now(dt.UTC)
        await scope.save(territory)
        await audit.record(
            scope,
            actor,
            "territory.update",
            object_type="territory",
            object_id=territory.id,
            changes=changes,
        )
        _event("updated", territory, actor)
        return territory


async def delete_territory(
    tenant_id: uuid.UUID, territory_id: uuid.UUID | str, *, actor: Actor
) -> None:
    async with tenant_scope(tenant_id) as scope:
        territory = await scope.get(Territory, territory_id)
        await scope.delete(Territory).where(Territory.id == territory.id)
        await audit.record(
            scope,
            actor,
            "territory.delete",
            object_type="territory",
            object_id=territory.id,
            changes={"name": territory.name},
        )
        _event("deleted", territory, actor)


async def reorder_territories(
    tenant_id: uuid.UUID, territory_ids: list[uuid.UUID], *, actor: Actor
) -> list[Territory]:
    """Try the rules in this order; every rule of the workspace, once."""
    async with tenant_scope(tenant_id) as scope:
        rules = await ordered_territories(scope)
        by_id = {rule.id: rule for rule in rules}
        if len(territory_ids) != len(set(territory_ids)) or set(territory_ids) != set(by_id):
            raise ValidationFailed(
                {"territory_ids": "must list every rule of the workspace once, in the new order"}
            )
        ordered = [by_id[i] for i in territory_ids]
        if ordered == rules and all(r.position == n for n, r in enumerate(rules)):
            return ordered
        for position, rule in enumerate(ordered):
            if rule.position != position:
                rule.position = position
                await scope.save(rule, columns=[Territory.position])
        await audit.record(
            scope,
            actor,
            "territory.reorder",
            object_type="territory",
            changes={"order": [rule.name for rule in ordered]},
        )
        return ordered


async def move_territory(
    tenant_id: uuid.UUID, territory_id: uuid.UUID | str, step: int, *, actor: Actor
) -> None:
    """Move a rule one place up (``step`` -1) or down (+1)."""
    async with tenant_scope(tenant_id) as scope:
        territory = await scope.get(Territory, territory_id)
        ids = [rule.id for rule in await ordered_territories(scope)]
        here = ids.index(territory.id)
        there = min(max(here + step, 0), len(ids) - 1)
        ids[here], ids[there] = ids[there], ids[here]
        await reorder_territories(tenant_id, ids, actor=actor)


@dataclass(frozen=True)
class Assignment:
    """The owner a rule gives a new account."""

    owner_id: uuid.UUID
    territory_id: uuid.UUID

    def announce(self, account: Any, actor: Actor) -> None:
        """The ``account.assigned`` event, in the account's transaction."""
        announce_assigned(account.tenant_id, account.id, self, actor)


def announce_assigned(
    tenant_id: uuid.UUID, account_id: uuid.UUID, assignment: Assignment, actor: Actor
) -> None:
    events.emit(
        events.DomainEvent(
            name="account.assigned",
            tenant_id=tenant_id,
            actor_id=actor.id,
            actor_role=actor.role,
            object_type="account",
            object_id=str(account_id),
            module="sales",
            data={
                "owner_id": str(assignment.owner_id),
                "territory_id": str(assignment.territory_id),
            },
        )
    )


async def owner_for(scope: TenantScope, values: Mapping[str, Any]) -> Assignment | None:
    """Who a new account with these values goes to under the workspace's
    rules, or None when no rule takes it (the creator keeps it then)."""
    rule = first_match(await effective_rules(scope, with_loads=False), values)
    if rule is None:
        return None
    await load_counts(scope, [rule])
    return Assignment(owner_id=rule.pick(), territory_id=rule.id)
