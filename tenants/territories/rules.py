"""Territory rules as the matcher sees them: which account a rule takes, in
Python (one new account) and as SQL (counting many), and who gets it.

A rule whose owner is no longer active, or whose team has no active member,
takes nothing: the next rule (or the creator) gets the account instead."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from comptoir.platform.auth.tables import User
from comptoir.platform.counters.tables import RecordCount
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.db.search import normalise
from comptoir.tenants.territories.tables import Territory

# A workspace's rules are a short ordered list: this bounds every read of them.
MAX_RULES = 200
MAX_TEAM_MEMBERS = 1000
PREFIX = re.compile(r"^(?:\d{1,5}|2[AB]\d{0,3})$")


def split_list(stored: str) -> list[str]:
    """A comma-separated column as a list (empty: no criterion)."""
    return [part for part in stored.split(",") if part]


def clean_postcode(postcode: str | None) -> str:
    return (postcode or "").replace(" ", "").upper()


def fold(text: str | None) -> str:
    """An industry as compared: no case, no accents, single spaces."""
    return " ".join(normalise(text or "").split())


@dataclass
class Rule:
    """One rule, ready to match, with whoever it may give accounts to."""

    id: uuid.UUID
    name: str
    prefixes: tuple[str, ...]
    industries: frozenset[str]  # folded
    min_employees: int | None
    max_employees: int | None
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    # The active users it gives accounts to: its owner, or its team's members.
    members: tuple[uuid.UUID, ...] = ()
    # Team rules: accounts each member owns now (kept up to date by callers).
    loads: dict[uuid.UUID, int] = field(default_factory=dict)

    @property
    def sized(self) -> bool:
        return self.min_employees is not None or self.max_employees is not None

    def matches(self, account: Mapping[str, Any]) -> bool:
        postcode = clean_postcode(account.get("postcode"))
        if self.prefixes and not postcode.startswith(self.prefixes):
            return False
        if self.industries and fold(account.get("industry")) not in self.industries:
            return False
        if self.sized:
            employees = account.get("employees")
            if employees is None:
                return False
            if self.min_employees is not None and employees < self.min_employees:
                return False
            if self.max_employees is not None and employees > self.max_employees:
                return False
        return True

    def keeps(self, owner_id: uuid.UUID | None) -> bool:
        """Whether an account it takes may stay with this owner (a team rule
        leaves an account with any of its active members)."""
        return owner_id is not None and owner_id in self.members

    def pick(self) -> uuid.UUID:
        """Who gets the next account: the owner, or the team's member who owns
        the fewest accounts now (ties: the smallest user id)."""
        if self.owner_id is not None:
            return self.owner_id
        return min(self.members, key=lambda member: (self.loads.get(member, 0), member))

    def condition(self, industry_values: Mapping[str, Sequence[str]]) -> tuple[str, list[Any]]:
        """The rule as an SQL condition on ``accounts`` (``{}`` placeholders).
        ``industry_values`` maps a folded industry to the spellings stored."""
        parts: list[str] = []
        args: list[Any] = []
        if self.prefixes:
            postcode = "UPPER(REPLACE(postcode, ' ', ''))"
            parts.append("(" + " OR ".join(f"{postcode} LIKE {{}}" for _ in self.prefixes) + ")")
            args += [f"{prefix}%" for prefix in self.prefixes]
        if self.industries:
            spellings = [s for folded in self.industries for s in industry_values.get(folded, ())]
            if not spellings:
                return "1 = 0", []
            parts.append("industry IN (" + ", ".join("{}" for _ in spellings) + ")")
            args += spellings
        if self.sized:
            parts.append("employees IS NOT NULL")
        if self.min_employees is not None:
            parts.append("employees >= {}")
            args.append(self.min_employees)
        if self.max_employees is not None:
            parts.append("employees <= {}")
            args.append(self.max_employees)
        return (" AND ".join(parts) or "1 = 1"), args

    def change_condition(self) -> tuple[str, list[Any]]:
        """SQL: the account's owner would change under this rule."""
        members = ", ".join("{}" for _ in self.members)
        return f"(owner_id IS NULL OR owner_id NOT IN ({members}))", list(self.members)


def rule_of(territory: Territory) -> Rule:
    return Rule(
        id=territory.id,
        name=territory.name,
        prefixes=tuple(split_list(territory.postcode_prefixes)),
        industries=frozenset(fold(i) for i in split_list(territory.industries)),
        min_employees=territory.min_employees,
        max_employees=territory.max_employees,
        owner_id=territory.owner_id,
        team_id=territory.team_id,
    )


async def ordered_territories(scope: TenantScope) -> list[Territory]:
    return list(
        await scope.objects(Territory)
        .order_by(Territory.position)
        .order_by(Territory.id)
        .limit(MAX_RULES)
    )


async def effective_rules(scope: TenantScope, *, with_loads: bool = True) -> list[Rule]:
    """The tenant's rules in order, each with its active assignees; rules
    with none are left out. Three queries at most, whatever the number of rules."""
    rules = [rule_of(t) for t in await ordered_territories(scope)]
    if not rules:
        return []
    owners = {r.owner_id for r in rules if r.owner_id is not None}
    teams = {r.team_id for r in rules if r.team_id is not None}
    users = scope.select(User, User.id, User.team_id).where(User.status == "active")
    condition: Any = None
    if owners:
        condition = User.id.is_in(list(owners))
    if teams:
        in_teams = User.team_id.is_in(list(teams))
        condition = in_teams if condition is None else condition | in_teams
    if condition is None:
        return []
    active = await users.where(condition).limit(MAX_RULES + MAX_TEAM_MEMBERS)
    active_ids = {row["id"] for row in active}
    by_team: dict[uuid.UUID, list[uuid.UUID]] = {}
    for row in active:
        if row["team_id"] is not None:
            by_team.setdefault(row["team_id"], []).append(row["id"])
    for rule in rules:
        if rule.owner_id is not None:
            rule.members = (rule.owner_id,) if rule.owner_id in active_ids else ()
        elif rule.team_id is not None:
            rule.members = tuple(sorted(by_team.get(rule.team_id, [])))
    effective = [rule for rule in rules if rule.members]
    if with_loads:
        await load_counts(scope, effective)
    return effective


async def load_counts(scope: TenantScope, rules: Sequence[Rule]) -> None:
    """Fill the team rules' ``loads`` from the maintained account counts."""
    team_rules = [rule for rule in rules if rule.team_id is not None]
    members = {member for rule in team_rules for member in rule.members}
    if not members:
        return
    rows = await (
        scope.select(RecordCount, RecordCount.owner_key, RecordCount.total)
        .where(RecordCount.object == "accounts")
        .where(RecordCount.owner_key.is_in([str(m) for m in members]))
    )
    counts = {row["owner_key"]: int(row["total"]) for row in rows}
    # One dict for every team rule: two rules of one team share their members' loads.
    loads = {member: counts.get(str(member), 0) for member in members}
    for rule in team_rules:
        rule.loads = loads


def first_match(rules: Sequence[Rule], account: Mapping[str, Any]) -> Rule | None:
    return next((rule for rule in rules if rule.matches(account)), None)
