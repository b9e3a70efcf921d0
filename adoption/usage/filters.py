"""Reading a range of days and the dashboard's filters from a request."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.usage.queries import NO_FILTERS, Filters
from comptoir.adoption.usage.summary import MAX_RANGE_DAYS
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.tenants.teams.tables import Team

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class DayRange:
    start: dt.date
    end: dt.date


def read_range(
    start: str | None, end: str | None, today: dt.date
) -> tuple[DayRange, dict[str, str]]:
    """``from`` and ``to`` (YYYY-MM-DD, both included; by default the 30 days
    ending today), and a message per field that cannot be used."""
    errors: dict[str, str] = {}
    parsed: dict[str, dt.date | None] = {}
    for name, value in (("from", start), ("to", end)):
        parsed[name] = None
        if value:
            try:
                parsed[name] = dt.date.fromisoformat(value)
            except ValueError:
                errors[name] = "must be a date written YYYY-MM-DD"
    last = parsed["to"] or today
    first = parsed["from"] or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if not errors:
        if first > last:
            errors["from"] = "must not come after to"
        elif (last - first).days + 1 > MAX_RANGE_DAYS:
            errors["to"] = f"the range may span {MAX_RANGE_DAYS} days at most"
    return DayRange(first, last), errors


async def read_filters(
    tenant_id: uuid.UUID, role: str | None, module: str | None, team: str | None
) -> tuple[Filters, dict[str, str]]:
    errors: dict[str, str] = {}
    roles = modules = users = None
    if role:
        if role in ROLES:
            roles = frozenset({role})
        else:
            errors["role"] = "must be admin, key_user or end_user"
    if module:
        if module in MODULES:
            modules = frozenset({module})
        else:
            errors["module"] = "must be sales, marketing, service, admin or training"
    if team:
        try:
            team_id = uuid.UUID(team)
        except ValueError:
            team_id = None
        async with tenant_scope(tenant_id) as scope:
            found = await scope.find(Team, team_id) if team_id else None
            if found is None:
                errors["team"] = "must be the id of a team of this workspace"
            else:
                members = await scope.select(User, User.id).where(User.team_id == found.id)
                users = frozenset(row["id"] for row in members)
    if errors:
        return NO_FILTERS, errors
    return Filters(roles=roles, modules=modules, user_ids=users), errors
