"""Usage figures against hand-computed values from known event sequences:
month ends, Paris days vs UTC days, a user changing role, a login-only user,
the current hour not rolled up yet; the summary API's shape and rights."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import time_machine

from comptoir.adoption.usage import metrics
from comptoir.adoption.usage.queries import daily_active_users, user_activity
from comptoir.adoption.usage.summary import usage_summary
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.service import create_api_token
from tests.adoption.test_usage_support import at, event, record, roll
from tests.support.fixtures import Workspace
from tests.support.pages import add_person

NOW = "2026-02-02 12:00"


async def _people(client: httpx.AsyncClient, ws: Workspace) -> dict[str, str]:
    """a (end user), b (end user who only signs in), c (key user, later
    admin), d (end user who never acts), and the workspace's admin."""
    people = {
        "a": await add_person(client, ws),
        "b": await add_person(client, ws),
        "c": await add_person(client, ws, "key_user"),
        "d": await add_person(client, ws),
    }
    t = ws.tenant_id
    await record(
        event(t, ws.admin_user_id, "2026-01-02 12:00", "contact.updated", role="admin"),
        event(t, people["a"], "2026-01-30 10:00", "page.viewed", object_type="contacts"),
        event(t, people["a"], "2026-01-31 23:30"),  # 1 February, 00:30 in Paris
        event(t, people["b"], "2026-02-01 09:00", "user.signed_in", module="", object_type="user"),
        event(
            t, people["b"], "2026-02-01 09:01", "page.viewed", module="", object_type="workspace"
        ),  # the home page after signing in: not use
        event(t, people["c"], "2026-02-01 10:00", "opportunity.stage_changed", role="key_user"),
        event(t, people["c"], "2026-02-02 08:00", "quote.sent", role="admin"),
        event(t, None, "2026-02-02 03:00", "quote.expired", object_type="quote"),
    )
    await roll(t, NOW)
    return people


async def test_daily_active_users_follow_the_tenant_calendar(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    p = await _people(client, workspace)
    tenant = uuid.UUID(workspace.tenant_id)
    active = await daily_active_users(tenant, dt.date(2026, 1, 30), dt.date(2026, 2, 2))
    a, c = uuid.UUID(p["a"]), uuid.UUID(p["c"])
    assert active == {
        dt.date(2026, 1, 30): {a},
        dt.date(2026, 1, 31): set(),  # 23:30 UTC on the 31st is the 1st in Paris
        dt.date(2026, 2, 1): {a, c},
        dt.date(2026, 2, 2): {c},
    }
    activity = await user_activity(tenant, dt.date(2026, 1, 1), dt.date(2026, 2, 2))
    assert activity[a].active_days == 2 and activity[a].value_events == 2
    assert activity[a].first_active_day == dt.date(2026, 1, 30)
    assert activity[a].last_active_day == dt.date(2026, 2, 1)
    b = uuid.UUID(p["b"])
    assert activity[b].active_days == 0 and activity[b].events == 2  # signed in only
    assert activity[b].first_active_day is None


async def test_summary_matches_hand_computed_figures(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    p = await _people(client, workspace)
    tenant = uuid.UUID(workspace.tenant_id)
    summary = await usage_summary(tenant, dt.date(2026, 2, 1), dt.date(2026, 2, 2), now=at(NOW))
    # DAU: 2 on the 1st (a, c), 1 on the 2nd (c). MAU: a and c both days (the
    # admin's 2 January is 30 days before the 1st: out of its window).
    assert summary.dau == 1.5
    assert (summary.wau, summary.mau) == (2, 2)
    assert summary.stickiness == (2 / 2 + 1 / 2) / 2
    assert summary.active_users == 2
    assert summary.seats == 5 and summary.seat_activation == 2 / 5
    assert {seat.user_id for seat in summary.inactive} == {
        uuid.UUID(workspace.admin_user_id),
        uuid.UUID(p["b"]),
        uuid.UUID(p["d"]),
    }
    # c counts under the role they had each time: key user on the 1st, admin on the 2nd.
    assert {k: (v.active_users, v.events) for k, v in summary.by_role.items()} == {
        "end_user": (1, 1),
        "key_user": (1, 1),
        "admin": (1, 1),
    }
    assert (summary.by_module["sales"].active_users, summary.by_module["sales"].events) == (2, 3)
    assert summary.by_module["admin"].active_users == 0  # b's sign-in is not use

    # A day ending the month: on 31 January nobody was active in Paris.
    january = await usage_summary(tenant, dt.date(2026, 1, 31), dt.date(2026, 1, 31), now=at(NOW))
    assert (january.dau, january.wau, january.mau) == (0.0, 1, 2)  # a (30th), admin (2nd)

    # A range still to come: nothing counted, the range as asked.
    future = await usage_summary(tenant, dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=at(NOW))
    assert (future.start, future.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (future.active_users, future.days, future.inactive_seats) == (0, [], 5)

    # The hour not rolled up yet counts: d acts at 11:30, rolled up at 12:00 + grace.
    await record(event(workspace.tenant_id, p["d"], "2026-02-02 11:30"))
    live = await usage_summary(tenant, dt.date(2026, 2, 1), dt.date(2026, 2, 2), now=at(NOW))
    assert live.active_users == 3 and live.days[-1].dau == 2
    assert uuid.UUID(p["d"]) not in {seat.user_id for seat in live.inactive}


async def test_summary_api_shape_filters_and_errors(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await _people(client, workspace)
    url = "/api/v1/adoption/summary"
    with time_machine.travel(at(NOW), tick=False):
        response = await client.get(
            url, params={"from": "2026-02-01", "to": "2026-02-02"}, headers=workspace.headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["dau"] == 1.5 and body["wau"] == 2 and body["mau"] == 2
        assert body["stickiness"] == 0.75 and body["active_users"] == 2
        assert body["inactive_seats"] == 3 and body["seat_activation"] == 0.4
        assert body["from"] == "2026-02-01" and body["to"] == "2026-02-02"
        assert body["by_role"]["key_user"] == {"active_users": 1, "events": 1}
        assert set(body["by_module"]) == {"sales", "marketing", "service", "admin", "training"}
        narrowed = await client.get(
            url,
            params={"from": "2026-02-01", "to": "2026-02-02", "role": "end_user"},
            headers=workspace.headers,
        )
        assert narrowed.json()["active_users"] == 1
    for params in (
        {"from": "2026-02-31"},
        {"from": "2026-02-03", "to": "2026-02-01"},
        {"from": "2024-01-01", "to": "2026-01-01"},
        {"module": "golf"},
    ):
        refused = await client.get(url, params=params, headers=workspace.headers)
        assert refused.status_code == 422, params
        assert refused.headers["content-type"].startswith("application/problem+json")


async def test_end_users_may_not_read_the_summary(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    for role, allowed in (("end_user", False), ("key_user", True)):
        person = await add_person(client, workspace, role)
        created = await create_api_token(
            uuid.UUID(workspace.tenant_id), uuid.UUID(person), name="t", actor=Actor.system()
        )
        headers = {"Authorization": f"Bearer {created.token}"}
        status = (await client.get("/api/v1/adoption/summary", headers=headers)).status_code
        assert status == (200 if allowed else 403), role


def test_lifecycle_and_retention_by_hand() -> None:
    u1, u2, u3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    d = dt.date
    # Weeks start on Mondays: 5, 12, 19 and 26 January 2026.
    active = {
        d(2026, 1, 6): {u1},  # week of the 5th: u1 new
        d(2026, 1, 13): {u1, u2},  # week of the 12th: u1 returning, u2 new
        d(2026, 1, 21): {u2},  # week of the 19th: u2 returning, u1 dormant
        d(2026, 1, 27): {u1, u3},  # week of the 26th: u1 resurrecting, u3 new, u2 dormant
    }
    first = {u1: d(2026, 1, 6), u2: d(2026, 1, 13), u3: d(2026, 1, 27)}
    weeks = metrics.lifecycle(active, first, d(2026, 1, 5), d(2026, 2, 1))
    assert [(w.new, w.returning, w.resurrecting, w.dormant) for w in weeks] == [
        (1, 0, 0, 0),
        (1, 1, 0, 0),
        (0, 1, 0, 1),
        (1, 0, 1, 1),
    ]
    cohorts = metrics.retention(active, first, d(2026, 1, 5), d(2026, 2, 1))
    assert [(c.week, c.size, c.retained) for c in cohorts] == [
        (d(2026, 1, 5), 1, [1.0, 1.0, 0.0, 1.0]),
        (d(2026, 1, 12), 1, [1.0, 1.0, 0.0]),
        (d(2026, 1, 26), 1, [1.0]),
    ]
    figures = metrics.trailing(active, d(2026, 1, 27), d(2026, 1, 27))
    assert (figures[0].dau, figures[0].wau, figures[0].mau) == (2, 3, 3)
