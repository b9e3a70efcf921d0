"""The whole tenant's summary reads what the rollups keep for it (one row per
active user and day, the active counts of each day); a narrowed summary
computes from the per-role and per-module day rows. Over random weeks of
events, rolled up at awkward moments (mid-hour, across a month end, live
hours on both sides of a Paris midnight), both must agree to the last
figure, and the migration's backfill must rebuild the same kept rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import random
import uuid

import httpx

from comptoir.adoption.rollups.tables import ActiveCounts, ActiveUserDay
from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.usage.queries import Filters
from comptoir.adoption.usage.summary import UsageSummary, usage_summary
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.events import DomainEvent
from tests.adoption.test_usage_support import at, event, record, roll
from tests.support.fixtures import Workspace
from tests.support.pages import add_person

EVERYONE = Filters(roles=frozenset(ROLES))  # narrowed (so computed), yet everybody
NAMES = ("contact.created", "opportunity.stage_changed", "quote.sent", "page.viewed")


def _events(
    tenant: str, people: list[tuple[str, str]], first: dt.datetime, last: dt.datetime, seed: int
) -> list[DomainEvent]:
    """Each person on about a third of the days: a sign-in, then one to three
    things at random minutes; the key user acts as an admin after 10 February."""
    rng = random.Random(seed)
    found: list[DomainEvent] = []
    day = first.replace(hour=0, minute=0)
    while day <= last:
        for person, role in people:
            if rng.random() > 0.35:
                continue
            moment = day + dt.timedelta(minutes=rng.randrange(0, 24 * 60 - 200))
            acting = "admin" if role == "key_user" and day >= dt.datetime(2026, 2, 10) else role
            when = moment.strftime("%Y-%m-%d %H:%M")
            found.append(
                event(
                    tenant, person, when, "user.signed_in", role=acting, module="", object_type="u"
                )
            )
            for _ in range(rng.randint(1, 3)):
                moment += dt.timedelta(minutes=rng.randrange(1, 60))
                found.append(
                    event(
                        tenant,
                        person,
                        moment.strftime("%Y-%m-%d %H:%M"),
                        rng.choice(NAMES),
                        role=acting,
                        module=rng.choice(MODULES),
                    )
                )
        day += dt.timedelta(days=1)
    return [e for e in found if first <= e.at.replace(tzinfo=None) <= last]


def _figures(summary: UsageSummary) -> dict[str, object]:
    figures = dataclasses.asdict(summary)
    figures["inactive"] = sorted((s.user_id, s.last_active_day) for s in summary.inactive)
    return figures


async def _assert_agree(tenant: uuid.UUID, now: str, ranges: list[tuple[str, str]]) -> None:
    for start, end in ranges:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        kept = await usage_summary(tenant, first, last, now=at(now))
        computed = await usage_summary(tenant, first, last, EVERYONE, now=at(now))
        assert _figures(kept) == _figures(computed), (now, start, end)


async def test_kept_summary_agrees_with_the_computed_one(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    roles = ("end_user", "end_user", "key_user", "end_user", "admin", "end_user", "key_user")
    people = [(await add_person(client, workspace, role), role) for role in roles]
    t = workspace.tenant_id
    tenant = uuid.UUID(t)
    ranges = [
        ("2026-01-01", "2026-01-31"),
        ("2026-01-20", "2026-02-15"),
        ("2026-02-01", "2026-02-28"),
        ("2026-02-10", "2026-03-02"),
        ("2026-02-28", "2026-03-01"),
        ("2026-03-02", "2026-03-02"),
    ]

    # Rolled up at 10:20, mid-hour: 09:xx and 10:xx are live.
    first = _events(t, people, dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 15, 10, 20), 1)
    await record(*first)
    await roll(t, "2026-02-15 10:20")
    await record(event(t, people[3][0], "2026-02-15 10:19", role="end_user"))
    await _assert_agree(tenant, "2026-02-15 10:20", ranges[:3])

    # Rolled up at 23:30 Paris on 1 March; the live hours reach 2 March.
    more = _events(t, people, dt.datetime(2026, 2, 15, 10, 21), dt.datetime(2026, 3, 1, 22, 29), 2)
    await record(*more)
    await roll(t, "2026-03-01 22:30")
    await record(
        event(t, people[0][0], "2026-03-01 22:40", role="end_user"),
        event(t, people[1][0], "2026-03-01 23:05", role="end_user", module="service"),
        event(t, people[6][0], "2026-03-01 23:10", role="key_user", module="marketing"),
    )
    await _assert_agree(tenant, "2026-03-01 23:20", ranges)

    # Everything rolled up: nothing live, the kept counts alone.
    await roll(t, "2026-03-03 12:00")
    await _assert_agree(tenant, "2026-03-03 12:00", ranges)
    async with tenant_scope(tenant) as scope:
        before = sorted(
            (r["day"], r["dau"], r["wau"], r["mau"])
            for r in await scope.select(ActiveCounts, *_count_columns())
        )
        users_before = await scope.count(ActiveUserDay)
        # Days after the last event keep their trailing counts (nobody writes them later).
        assert before[-1][0] == dt.date(2026, 3, 2) + dt.timedelta(days=29)
        assert all(row[3] > 0 for row in before)  # no zero rows

    # The migration's backfill rebuilds the same rows from usage_days.
    async with tenant_scope(tenant) as scope:
        await scope.raw(
            ActiveCounts, "DELETE FROM usage_active_counts WHERE tenant_id = {}", tenant
        )
        await scope.raw(
            ActiveUserDay, "DELETE FROM usage_active_user_days WHERE tenant_id = {}", tenant
        )
    migration = importlib.import_module(
        "comptoir.adoption.piccolo_migrations.adoption_2026_12_01t05_55_00_000000"
    )
    await migration.backfill()
    async with tenant_scope(tenant) as scope:
        after = sorted(
            (r["day"], r["dau"], r["wau"], r["mau"])
            for r in await scope.select(ActiveCounts, *_count_columns())
        )
        assert after == before
        assert await scope.count(ActiveUserDay) == users_before
    await _assert_agree(tenant, "2026-03-03 12:00", ranges)


def _count_columns() -> tuple[object, ...]:
    return (ActiveCounts.day, ActiveCounts.dau, ActiveCounts.wau, ActiveCounts.mau)
