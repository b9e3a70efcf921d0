"""Demo usage history: ``comptoir demo`` gives each demo company 60 days of
believable activity (weekday work, a few people drifting away, one coming
back, a newcomer), rolled up, so its dashboard and the console's health
pages have something to show. Deterministic per tenant."""

from __future__ import annotations

import datetime as dt
import random

from comptoir.adoption.health.service import compute_health
from comptoir.adoption.rollups.service import rollup_tenant
from comptoir.adoption.telemetry.buffer import COLUMNS, Row, event_row
from comptoir.adoption.telemetry.store import insert_for_tenants
from comptoir.adoption.telemetry.tables import UsageEvent
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.events import DomainEvent

DAYS = 60
WORK: tuple[tuple[str, str, str], ...] = (
    ("page.viewed", "sales", "contacts"),
    ("page.viewed", "sales", "opportunities"),
    ("contact.updated", "sales", "contact"),
    ("contact.created", "sales", "contact"),
    ("activity.created", "sales", "activity"),
    ("opportunity.stage_changed", "sales", "opportunity"),
    ("quote.sent", "sales", "quote"),
    ("training.step_completed", "training", "training_step"),
)
WEIGHTS = (25, 20, 14, 6, 14, 8, 3, 2)


def _habit(rng: random.Random, index: int, role: str) -> tuple[float, int, int]:
    """(chance of working a weekday, first day back, last day back) of one person."""
    if role == "admin":
        return 0.8, DAYS, 0
    kind = index % 6
    if kind == 3:
        return 0.6, DAYS, 25  # drifted away 25 days ago
    if kind == 4:
        return 0.5, 14, 0  # joined two weeks ago
    if kind == 5:
        return 0.3, DAYS, 0  # comes now and then
    return 0.75 + rng.random() * 0.2, DAYS, 0


async def seed_usage(tenant: Tenant) -> None:
    rng = random.Random(tenant.slug)  # noqa: S311 (demo data, not a secret)
    now = dt.datetime.now(dt.UTC)
    async with tenant_scope(tenant.id) as scope:
        users = await scope.select(User, User.id, User.role).where(User.status == "active")
    rows: list[Row] = []
    for index, user in enumerate(users):
        chance, first, last = _habit(rng, index, user["role"])
        for back in range(first, last, -1):
            day = (now - dt.timedelta(days=back)).replace(hour=7, minute=0, second=0)
            if day.weekday() >= 5 or rng.random() > chance:
                continue
            start = day + dt.timedelta(minutes=rng.randrange(0, 150))
            events = [
                DomainEvent(
                    "user.signed_in",
                    tenant.id,
                    user["id"],
                    user["role"],
                    "user",
                    str(user["id"]),
                    "",
                    start,
                )
            ]
            for n in range(rng.randrange(3, 14)):
                name, module, kind = rng.choices(WORK, WEIGHTS)[0]
                at = start + dt.timedelta(minutes=25 * n + rng.randrange(0, 25))
                events.append(
                    DomainEvent(name, tenant.id, user["id"], user["role"], kind, "demo", module, at)
                )
            rows.extend(event_row(event) for event in events)
    await insert_for_tenants(UsageEvent, COLUMNS, {tenant.id: rows})
    await rollup_tenant(tenant.id, tenant.timezone, now=now)
    await compute_health(tenant.id, tenant.timezone, now=now)
