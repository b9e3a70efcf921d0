"""Rollups: hourly and daily counts per user and tenant, in the tenant's
calendar; a crashed or repeated run ends with exactly the rows of one clean
run; no zero rows; ``comptoir adoption rollup``."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from comptoir.adoption.rollups.service import purge_tenant, rollup_tenant
from comptoir.adoption.rollups.tables import RollupState, TenantUsageDay, UsageDay, UsageHour
from comptoir.adoption.telemetry.buffer import BUFFER
from comptoir.adoption.telemetry.clock import hour_of, late_hours
from comptoir.adoption.telemetry.tables import UsageEvent
from comptoir.platform.db.scope import tenant_scope
from tests.adoption.test_usage_support import at, event, record, roll
from tests.support.fixtures import Workspace
from tests.support.pages import add_person

TABLES: tuple[Any, ...] = (UsageHour, UsageDay, TenantUsageDay)


async def _seed(client: httpx.AsyncClient, ws: Workspace) -> dict[str, str]:
    BUFFER.clear()
    people = {"a": await add_person(client, ws), "c": await add_person(client, ws, "key_user")}
    t = ws.tenant_id
    await record(
        event(t, people["a"], "2026-01-30 10:00", "page.viewed", object_type="contacts"),
        # 23:30 UTC on 31 January is 00:30 on 1 February in Paris.
        event(t, people["a"], "2026-01-31 23:30"),
        event(t, people["a"], "2026-01-31 23:45", "contact.updated"),
        event(t, people["c"], "2026-02-01 10:00", "opportunity.stage_changed", role="key_user"),
        event(t, people["c"], "2026-02-02 08:00", "quote.sent", role="admin"),
        event(t, None, "2026-02-02 03:00", "quote.expired", object_type="quote"),
        event(
            t,
            ws.admin_user_id,
            "2026-02-02 08:10",
            "user.signed_in",
            role="admin",
            module="",
            object_type="user",
        ),
    )
    return people


async def _rows(tenant_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every rollup row without its id, sorted: what two runs must agree on."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with tenant_scope(uuid.UUID(tenant_id)) as scope:
        for table in TABLES:
            rows = await scope.select(table)
            found[table._meta.tablename] = sorted(
                tuple(str(v) for k, v in sorted(row.items()) if k not in ("id", "created_at"))
                for row in rows
            )
    return found


async def test_hours_and_local_days(client: httpx.AsyncClient, workspace: Workspace) -> None:
    people = await _seed(client, workspace)
    await roll(workspace.tenant_id, "2026-02-02 12:00")
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        days = await scope.select(UsageDay).order_by(UsageDay.day)
        hours = await scope.select(UsageHour)
        totals = await scope.select(TenantUsageDay)
        state = await scope.objects(RollupState).first()
    assert state is not None and state.last_hour == hour_of(at("2026-02-02 10:00"))
    a = uuid.UUID(people["a"])
    a_days = {
        (row["day"], row["events"], row["value_events"]) for row in days if row["user_id"] == a
    }
    # In UTC both contact events fall on 31 January; in Paris on 1 February.
    assert a_days == {(dt.date(2026, 1, 30), 1, 1), (dt.date(2026, 2, 1), 2, 2)}
    c = uuid.UUID(people["c"])
    assert {(row["day"], row["role"]) for row in days if row["user_id"] == c} == {
        (dt.date(2026, 2, 1), "key_user"),
        (dt.date(2026, 2, 2), "admin"),
    }
    login = [row for row in hours if row["event"] == "user.signed_in"]
    assert len(login) == 1 and not login[0]["value"]
    job = [row for row in days if row["user_id"] is None]
    assert job and job[0]["value_events"] == 0 and job[0]["events"] == 1
    assert all(row["events"] > 0 for row in [*days, *hours, *totals])  # no zero rows
    feb2 = {(r["event"], r["role"], r["value"]) for r in totals if r["day"] == dt.date(2026, 2, 2)}
    assert feb2 == {
        ("quote.sent", "admin", True),
        ("quote.expired", "", False),
        ("user.signed_in", "admin", False),
    }


async def test_a_crashed_or_repeated_run_ends_like_one_clean_run(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await _seed(client, workspace)
    tenant = uuid.UUID(workspace.tenant_id)

    class Crash(Exception):
        pass

    async def crash_after_first_day(day: dt.date) -> None:
        raise Crash(day)

    with pytest.raises(Crash):
        await rollup_tenant(
            tenant,
            "Europe/Paris",
            now=at("2026-02-02 12:00"),
            chunk_days=1,
            after_chunk=crash_after_first_day,
        )
    async with tenant_scope(tenant) as scope:
        state = await scope.objects(RollupState).first()
    assert state is not None and state.last_hour < hour_of(at("2026-02-02 10:00"))
    await roll(tenant, "2026-02-02 12:00")  # picks up where it stopped
    await roll(tenant, "2026-02-02 12:00")  # nothing left to do
    resumed = await _rows(workspace.tenant_id)

    async with tenant_scope(tenant) as scope:
        for table in (*TABLES, RollupState):
            await scope.delete(table)
    await roll(tenant, "2026-02-02 12:00")
    assert await _rows(workspace.tenant_id) == resumed


async def test_two_runs_at_once_end_like_one_clean_run(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """The worker's run and ``comptoir adoption rollup`` at the same moment
    take turns chunk by chunk: no hour is counted twice."""
    import asyncio

    from comptoir.adoption.rollups.tables import ActiveCounts, ActiveUserDay

    await _seed(client, workspace)
    tenant = uuid.UUID(workspace.tenant_id)
    now = at("2026-02-02 12:00")
    await asyncio.gather(
        *(rollup_tenant(tenant, "Europe/Paris", now=now, chunk_days=1) for _ in range(3))
    )
    together = await _rows(workspace.tenant_id)
    async with tenant_scope(tenant) as scope:
        kept = await scope.count(ActiveUserDay), await scope.count(ActiveCounts)
        for table in (*TABLES, RollupState, ActiveUserDay, ActiveCounts):
            await scope.delete(table).where(table.id.is_not_null())
    await roll(tenant, "2026-02-02 12:00")
    assert await _rows(workspace.tenant_id) == together
    async with tenant_scope(tenant) as scope:
        assert (await scope.count(ActiveUserDay), await scope.count(ActiveCounts)) == kept


async def test_later_hours_rebuild_the_day_and_unfinished_hours_wait(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    people = await _seed(client, workspace)
    await roll(workspace.tenant_id, "2026-02-02 12:00")
    await record(event(workspace.tenant_id, people["a"], "2026-02-02 12:30"))
    await roll(workspace.tenant_id, "2026-02-02 13:01")  # 12:00-13:00 not finished yet
    a = uuid.UUID(people["a"])
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        assert (
            not await scope.select(UsageDay)
            .where(UsageDay.user_id == a)
            .where(UsageDay.day == dt.date(2026, 2, 2))
        )
    await roll(workspace.tenant_id, "2026-02-02 13:05")
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        rows = await scope.select(UsageDay).where(UsageDay.day == dt.date(2026, 2, 2))
    assert {str(row["user_id"]) for row in rows} == {
        people["a"],
        people["c"],
        "None",
        workspace.admin_user_id,
    }


async def test_events_written_after_their_hour_was_rolled_up_are_counted(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """A transaction open across an hour's end commits after the rollup did
    that hour: the writer marks the hour, the next run rolls it up again
    (the day, the active user-days and the counts with it)."""
    import time_machine

    from comptoir.adoption.rollups.tables import ActiveUserDay
    from comptoir.adoption.telemetry.tables import LateHour

    people = await _seed(client, workspace)
    t = workspace.tenant_id
    with time_machine.travel(at("2026-02-02 10:30"), tick=False):
        await roll(t, "2026-02-02 10:30")  # hours up to 09:00-10:00 done
        # Emitted at 09:40, committed (and written) at 10:30.
        await record(event(t, people["a"], "2026-02-02 09:40", "contact.updated"))
        # An hour not rolled up yet: no mark; nor for one older than the late
        # window (a backfill of history, as the demo's).
        await record(event(t, people["a"], "2026-02-02 10:10", "contact.updated"))
        assert late_hours({hour_of(at("2026-02-02 03:00"))}, at("2026-02-02 10:30")) == set()
        async with tenant_scope(uuid.UUID(t)) as scope:
            marks = await scope.select(LateHour, LateHour.hour)
        assert [row["hour"] for row in marks] == [hour_of(at("2026-02-02 09:00"))]
        result = await rollup_tenant(uuid.UUID(t), "Europe/Paris", now=at("2026-02-02 10:35"))
    assert result.late_hours == 1
    a = uuid.UUID(people["a"])
    async with tenant_scope(uuid.UUID(t)) as scope:
        assert not await scope.select(LateHour)
        hour = await scope.select(UsageHour).where(
            UsageHour.hour == hour_of(at("2026-02-02 09:00"))
        )
        assert [(str(row["user_id"]), row["events"]) for row in hour] == [(people["a"], 1)]
        day = await scope.select(ActiveUserDay).where(ActiveUserDay.day == dt.date(2026, 2, 2))
        assert a in {
            row["user_id"] if isinstance(row["user_id"], uuid.UUID) else uuid.UUID(row["user_id"])
            for row in day
        }
    # Once the hours are all rolled up, one clean run from scratch agrees.
    await roll(t, "2026-02-03 12:00")
    after = await _rows(t)
    async with tenant_scope(uuid.UUID(t)) as scope:
        for table in (*TABLES, RollupState):
            await scope.delete(table).where(table.id.is_not_null())
    await roll(t, "2026-02-03 12:00")
    assert await _rows(t) == after


async def test_raw_events_are_purged_after_the_kept_days_once_rolled_up(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await _seed(client, workspace)
    tenant = uuid.UUID(workspace.tenant_id)
    async with tenant_scope(tenant) as scope:
        recorded = await scope.count(UsageEvent)
    await purge_tenant(tenant, now=at("2026-05-01 00:00"))  # never rolled up: kept
    async with tenant_scope(tenant) as scope:
        assert await scope.count(UsageEvent) == recorded
    await roll(tenant, "2026-02-02 12:00")
    await purge_tenant(tenant, now=at("2026-05-01 00:00"))  # 90 days after 31 January
    async with tenant_scope(tenant) as scope:
        left = await scope.select(UsageEvent, UsageEvent.occurred_at)
        assert await scope.count(UsageDay) > 0  # the counts stay
    assert left and min(row["occurred_at"] for row in left) >= at("2026-01-31 00:00")


def test_the_cli_brings_rollups_up_to_date(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "COMPTOIR_SECRET_KEY": "cli-test-secret",
    }
    env.pop("DATABASE_OWNER_URL", None)
    comptoir = str(Path(sys.executable).with_name("comptoir"))
    for args in (["db", "migrate"], ["adoption", "rollup"]):
        result = subprocess.run(
            [comptoir, *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert "Rollups up to date for 0 tenant(s)." in result.stdout
