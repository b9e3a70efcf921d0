"""Insights: one person's timeline (training, use, completeness, before and
after training) and outcomes by adoption quartile, from known events."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
import time_machine

from comptoir.adoption.insights.service import person_timeline, quartiles_of
from comptoir.adoption.telemetry.buffer import BUFFER
from tests.adoption.records_support import lost_reason, member, post, stages
from tests.adoption.test_usage_support import event, record
from tests.support.fixtures import Workspace


def test_quartiles_cut_users_in_four_near_equal_groups() -> None:
    ids = [uuid.UUID(int=n) for n in range(5)]
    groups = quartiles_of(list(zip(ids, [10, 0, 3, 1, 2], strict=True)))
    assert [q.users for q in groups] == [1, 1, 1, 2]
    assert groups[0].user_ids == [ids[1]]  # 0 events: the least active
    assert groups[3].value_events == [3, 10]
    assert [q.users for q in quartiles_of([])] == [0, 0, 0, 0]


async def _many(tenant_id: str, user_id: str, count: int, day: str) -> None:
    await record(*(event(tenant_id, user_id, f"{day} 09:{n % 60:02d}") for n in range(count)))


async def test_outcomes_by_adoption_quartile(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    ana = await member(client, workspace, "end_user", "Ana")
    ben = await member(client, workspace, "end_user", "Ben")
    cleo = await member(client, workspace, "end_user", "Cleo")
    pipeline = await stages(client, workspace)
    reason = await lost_reason(client, workspace)
    ten_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    deals: list[tuple[str, str]] = []
    for owner, outcome in ((cleo, "won"), (cleo, "won"), (cleo, "lost"), (ana, "lost")):
        with time_machine.travel(ten_days_ago, tick=False):
            deal = await post(
                client,
                workspace,
                "/api/v1/opportunities",
                name=f"Affaire {len(deals)}",
                amount="100",
                owner_id=owner.admin_user_id,
            )
        deals.append((deal["id"], outcome))
    for deal_id, outcome in deals:
        body = {"stage_id": pipeline[outcome]["id"]}
        if outcome == "lost":
            body["lost_reason_id"] = reason
        moved = await client.post(
            f"/api/v1/opportunities/{deal_id}/move", headers=workspace.headers, json=body
        )
        assert moved.status_code == 200, moved.text
    BUFFER.clear()
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    await _many(workspace.tenant_id, ana.admin_user_id, 2, yesterday)
    await _many(workspace.tenant_id, ben.admin_user_id, 4, yesterday)
    await _many(workspace.tenant_id, cleo.admin_user_id, 8, yesterday)

    answer = await client.get("/api/v1/adoption/quartiles", headers=workspace.headers)
    assert answer.status_code == 200, answer.text
    quartiles = answer.json()["quartiles"]
    assert [q["users"] for q in quartiles] == [1, 1, 1, 1]
    # Q1 the admin (no use), Q2 Ana, Q3 Ben, Q4 Cleo.
    assert [q["mean_value_events"] for q in quartiles] == [0, 2, 4, 8]
    assert quartiles[3]["win_rate"] == pytest.approx(2 / 3)
    assert quartiles[3]["mean_days_to_close"] == pytest.approx(10, abs=0.01)
    assert quartiles[1]["win_rate"] == 0
    assert quartiles[1]["mean_days_to_close"] is None
    assert quartiles[0]["win_rate"] is None
    assert all(q["ticket_resolution_hours"] is None for q in quartiles)
    lea = await member(client, workspace, "end_user", "Lea")
    assert (await client.get("/api/v1/adoption/quartiles", headers=lea.headers)).status_code == 403


async def test_a_persons_timeline_before_and_after_training(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    programs = (
        await client.get("/api/v1/adoption/training/programs", headers=workspace.headers)
    ).json()
    for program in programs:
        await client.delete(
            f"/api/v1/adoption/training/programs/{program['id']}", headers=workspace.headers
        )
    program = await post(
        client, workspace, "/api/v1/adoption/training/programs", name="Court", role="end_user"
    )
    step = await post(
        client,
        workspace,
        f"/api/v1/adoption/training/programs/{program['id']}/steps",
        kind="lesson",
        title="Lire la charte",
    )
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC), tick=False):
        lea = await member(client, workspace, "end_user", "Lea")
        # Before training: a contact without e-mail or phone (score 0).
        await post(client, lea, "/api/v1/contacts", last_name="Avant")
    with time_machine.travel(dt.datetime(2026, 11, 12, 10, tzinfo=dt.UTC), tick=False):
        done = await client.post(
            f"/api/v1/adoption/training/steps/{step['id']}/complete", headers=lea.headers
        )
        assert done.status_code == 200
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC), tick=False):
        await post(client, lea, "/api/v1/contacts", last_name="Après", email="a@x.fr", phone="01")
    BUFFER.clear()
    tenant = workspace.tenant_id
    await record(
        event(tenant, lea.admin_user_id, "2026-11-03 09:00"),
        event(tenant, lea.admin_user_id, "2026-11-04 09:00"),
        event(tenant, lea.admin_user_id, "2026-11-04 10:00"),
        event(tenant, lea.admin_user_id, "2026-11-17 09:00"),
        event(tenant, lea.admin_user_id, "2026-11-18 09:00"),
        event(tenant, lea.admin_user_id, "2026-11-19 09:00"),
        event(tenant, lea.admin_user_id, "2026-11-19 10:00"),
    )
    timeline = await person_timeline(
        uuid.UUID(tenant), lea.admin_user_id, today=dt.date(2026, 11, 26)
    )
    weeks = {w.start.isoformat(): w for w in timeline.weeks}
    assert len(timeline.weeks) == 12 and timeline.weeks[-1].start == dt.date(2026, 11, 23)
    assert (weeks["2026-11-02"].active_days, weeks["2026-11-02"].value_events) == (2, 3)
    assert (weeks["2026-11-16"].active_days, weeks["2026-11-16"].value_events) == (3, 4)
    assert weeks["2026-11-09"].steps_completed == 1
    assert weeks["2026-11-02"].records_created == 1
    assert weeks["2026-11-02"].completeness == 0
    assert weeks["2026-11-16"].completeness == 1
    assert timeline.completeness_now == pytest.approx(0.5)
    split = timeline.before_after
    assert split is not None
    assert split.completeness_before == 0 and split.completeness_after == 1
    # Nine weeks before the training week (one active: 2 days), two after (one: 3 days).
    assert split.weeks_before == 9 and split.weeks_after == 2
    assert split.active_days_before == pytest.approx(2 / 9)
    assert split.active_days_after == pytest.approx(3 / 2)
    api = await client.get(
        f"/api/v1/adoption/people/{lea.admin_user_id}", headers=workspace.headers
    )
    assert api.status_code == 200, api.text
    assert api.json()["training_status"] == "completed"


async def test_insights_pages_render(client: httpx.AsyncClient, workspace: Workspace) -> None:
    from tests.support.pages import sign_in

    lea = await member(client, workspace, "end_user", "Lea")
    await sign_in(client, workspace)
    people = await client.get(f"/w/{workspace.slug}/adoption/people")
    assert people.status_code == 200, people.text
    assert "Outcomes by adoption quartile" in people.text
    person = await client.get(f"/w/{workspace.slug}/adoption/people/{lea.admin_user_id}")
    assert person.status_code == 200, person.text
    assert "Lea Test" in person.text and "Before and after training" in person.text
    missing = await client.get(f"/w/{workspace.slug}/adoption/people/{uuid.uuid4()}")
    assert missing.status_code == 404
