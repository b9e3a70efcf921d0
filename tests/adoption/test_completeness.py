"""Data completeness against hand-computed figures: conditions, weights,
owners, stale records, process conformance, and a rule change that leaves
past figures alone."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
import time_machine

from comptoir.adoption.completeness import service
from comptoir.adoption.completeness.scores import rules_in_force, tenant_completeness
from tests.adoption.records_support import lost_reason, member, post, stages
from tests.support.fixtures import Workspace

API = "/api/v1/adoption/completeness"


async def _records(client: httpx.AsyncClient, ws: Workspace) -> Workspace:
    """Four contacts (two each for the admin and Léa) and four opportunities."""
    lea = await member(client, ws, "end_user")
    await post(client, ws, "/api/v1/contacts", last_name="Un", email="un@x.fr", phone="0102")
    await post(client, ws, "/api/v1/contacts", last_name="Deux", email="deux@x.fr")
    await post(client, lea, "/api/v1/contacts", last_name="Trois")
    await post(client, lea, "/api/v1/contacts", last_name="Quatre", phone="0104")
    pipeline = await stages(client, ws)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=40), tick=True):
        await post(
            client,
            ws,
            "/api/v1/opportunities",
            name="Vieille",
            amount="1000",
            expected_close_date="2027-01-31",
        )
    await post(
        client,
        ws,
        "/api/v1/opportunities",
        name="Perdue",
        stage_id=pipeline["lost"]["id"],
        lost_reason_id=await lost_reason(client, ws),
    )
    await post(
        client,
        lea,
        "/api/v1/opportunities",
        name="Sans date",
        amount="500",
        stage_id=pipeline["proposal"]["id"],
    )
    await post(
        client,
        lea,
        "/api/v1/opportunities",
        name="Complète",
        amount="700",
        expected_close_date="2027-02-28",
        stage_id=pipeline["proposal"]["id"],
    )
    return lea


async def test_scores_follow_weights_conditions_and_owners(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    # Provisioned: e-mail and phone expected on contacts; amount, close date
    # and lost reason (only where lost) on opportunities.
    rules = (await client.get(f"{API}/rules", headers=workspace.headers)).json()
    assert rules["version"] == 1
    assert rules["expected"]["contacts"] == {"email": 1, "phone": 1}
    lost = [f for f in rules["available"]["opportunities"] if f["name"] == "lost_reason_id"]
    assert lost[0]["applies"] == "on lost opportunities"

    changed = await client.put(
        f"{API}/rules",
        headers=workspace.headers,
        json={"expected": {"contacts": {"email": 2, "phone": 1}}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    lea = await _records(client, workspace)

    body = (await client.get(API, headers=workspace.headers)).json()
    contacts = body["objects"]["contacts"]
    # Scores: Un 3/3, Deux 2/3, Trois 0, Quatre 1/3 -> mean 0.5.
    assert contacts["score"] == pytest.approx(0.5)
    assert contacts["fields"] == {"email": pytest.approx(0.5), "phone": pytest.approx(0.5)}
    assert contacts["records"] == 4 and contacts["incomplete"] == 3
    opportunities = body["objects"]["opportunities"]
    # Vieille 1, Perdue 1/3 (amount and date missing, reason given), Sans date
    # 1/2, Complète 1: the lost reason counts on the lost deal only.
    assert opportunities["score"] == pytest.approx((1 + 1 / 3 + 1 / 2 + 1) / 4)
    assert opportunities["fields"] == {
        "amount": pytest.approx(0.75),
        "expected_close_date": pytest.approx(0.5),
        "lost_reason_id": pytest.approx(1.0),
    }
    accounts = body["objects"]["accounts"]
    assert accounts["score"] is None and accounts["records"] == 0
    assert body["score"] == pytest.approx((0.5 + 17 / 24) / 2)
    assert await tenant_completeness(uuid.UUID(workspace.tenant_id)) == pytest.approx(
        (0.5 + 17 / 24) / 2
    )

    owners = {o["owner_id"]: o for o in body["owners"]}
    mine = owners[workspace.admin_user_id]["objects"]
    theirs = owners[lea.admin_user_id]["objects"]
    assert mine["contacts"]["score"] == pytest.approx((1 + 2 / 3) / 2)
    assert theirs["contacts"]["score"] == pytest.approx((0 + 1 / 3) / 2)
    assert theirs["opportunities"]["score"] == pytest.approx(0.75)
    assert owners[lea.admin_user_id]["name"] == "Léa Test"
    # Léa misses 2 e-mails, 1 phone and 1 close date; the admin 1 phone, 1 amount, 1 date.
    assert owners[lea.admin_user_id]["gaps"] == 4
    assert owners[workspace.admin_user_id]["gaps"] == 3
    assert body["owners"][0]["owner_id"] == lea.admin_user_id


async def test_stale_records_and_conformance(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    pipeline = await stages(client, workspace)
    proposal = pipeline["proposal"]["id"]
    refused = await client.put(
        f"{API}/stages/{proposal}", headers=workspace.headers, json={"fields": ["fax"]}
    )
    assert refused.status_code == 422
    answer = await client.put(
        f"{API}/stages/{proposal}",
        headers=workspace.headers,
        json={"fields": ["amount", "expected_close_date"]},
    )
    assert answer.status_code == 200, answer.text
    await _records(client, workspace)
    from comptoir.platform.db.scope import tenant_scope

    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        rules = await rules_in_force(scope)
        stale = await service.stale_records(scope, rules)
        checked = await service.conformance(scope)
    by_object = {s.object: s for s in stale}
    assert by_object["opportunities"].count == 1
    assert by_object["opportunities"].oldest[0].name == "Vieille"
    assert len(checked) == 1
    assert checked[0].moved == 2 and checked[0].missing == 1
    assert checked[0].examples[0].name == "Sans date"
    assert checked[0].examples[0].missing == ("expected_close_date",)


async def test_a_rule_change_leaves_past_figures_alone(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant_id = uuid.UUID(workspace.tenant_id)
    await _records(client, workspace)
    day1, day2 = dt.date(2026, 11, 20), dt.date(2026, 11, 21)
    await service.record_snapshot(tenant_id, day1)
    changed = await client.put(
        f"{API}/rules",
        headers=workspace.headers,
        json={"expected": {"contacts": {"email": 1, "mobile": 1}}, "stale_days": 10},
    )
    assert changed.json()["version"] == 2 and changed.json()["stale_days"] == 10
    await service.record_snapshot(tenant_id, day2)
    history = (
        await client.get(
            f"{API}/history",
            headers=workspace.headers,
            params={"from": "2026-11-19", "to": "2026-11-22"},
        )
    ).json()
    days = {d["day"]: d for d in history["days"]}
    assert days["2026-11-20"]["version"] == 1
    assert days["2026-11-20"]["objects"]["contacts"] == pytest.approx(0.5)
    # Nobody has a mobile number: half of the e-mails, none of the mobiles.
    assert days["2026-11-21"]["version"] == 2
    assert days["2026-11-21"]["objects"]["contacts"] == pytest.approx(0.25)
    assert [c["version"] for c in history["rule_changes"]] == [1, 2]


async def test_each_workspace_keeps_its_figures_at_the_end_of_its_own_day(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    """The hourly job keeps a workspace's figures in its day's last hour,
    dated by its own calendar: Paris at 22:50 UTC, New York at 04:50 UTC the
    next morning (still the evening before there)."""
    from comptoir.adoption.completeness.tables import CompletenessSnapshot
    from comptoir.platform.db.scope import tenant_scope
    from comptoir.platform.directory.tables import Tenant

    paris, new_york = uuid.UUID(workspace.tenant_id), uuid.UUID(other_workspace.tenant_id)
    await Tenant.update({Tenant.timezone: "America/New_York"}).where(Tenant.id == new_york)
    await post(client, workspace, "/api/v1/contacts", last_name="Un", email="un@x.fr")
    await post(client, other_workspace, "/api/v1/contacts", last_name="Deux")

    async def days(tenant_id: uuid.UUID) -> set[dt.date]:
        async with tenant_scope(tenant_id) as scope:
            rows = await scope.unrestricted().select(CompletenessSnapshot, CompletenessSnapshot.day)
        return {row["day"] for row in rows}

    utc = dt.UTC
    assert await service.snapshot_everywhere(dt.datetime(2026, 11, 20, 12, 50, tzinfo=utc)) == 0
    await service.snapshot_everywhere(dt.datetime(2026, 11, 20, 22, 50, tzinfo=utc))
    assert await days(paris) == {dt.date(2026, 11, 20)} and await days(new_york) == set()
    await service.snapshot_everywhere(dt.datetime(2026, 11, 21, 4, 50, tzinfo=utc))
    assert await days(new_york) == {dt.date(2026, 11, 20)}
    assert await days(paris) == {dt.date(2026, 11, 20)}  # not again: its day is young


async def test_bad_rules_are_refused_field_by_field(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    answer = await client.put(
        f"{API}/rules",
        headers=workspace.headers,
        json={"expected": {"contacts": {"fax": 1}, "planets": {}}, "stale_days": 0},
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"expected.contacts.fax", "expected.planets", "stale_days"}
    weights = await client.put(
        f"{API}/rules",
        headers=workspace.headers,
        json={"expected": {"contacts": {"email": 11}}},
    )
    assert weights.status_code in (400, 422)
    rules = (await client.get(f"{API}/rules", headers=workspace.headers)).json()
    assert rules["version"] == 1


async def test_end_users_cannot_read_the_scores(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lea = await member(client, workspace, "end_user")
    assert (await client.get(API, headers=lea.headers)).status_code == 403
    key_user = await member(client, workspace, "key_user", "Karim")
    assert (await client.get(API, headers=key_user.headers)).status_code == 200
    refused = await client.put(f"{API}/rules", headers=key_user.headers, json={})
    assert refused.status_code == 403


async def test_kept_figures_follow_every_write_when_cheap(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """A small workspace's figures are kept, and computed again on the first
    read after any write: a read right after a write sees it."""
    from comptoir.adoption.completeness.scores import completeness_report

    tenant_id = uuid.UUID(workspace.tenant_id)
    await post(client, workspace, "/api/v1/contacts", last_name="Un", email="un@x.fr")
    assert (await completeness_report(tenant_id)).objects["contacts"].records == 1
    assert (await client.get(API, headers=workspace.headers)).json()["objects"]["contacts"][
        "records"
    ] == 1
    await post(client, workspace, "/api/v1/contacts", last_name="Deux")
    body = (await client.get(API, headers=workspace.headers)).json()
    assert body["objects"]["contacts"]["records"] == 2
    assert body["objects"]["contacts"]["fields"]["email"] == pytest.approx(0.5)


async def test_slow_figures_may_be_a_minute_behind_writes(
    client: httpx.AsyncClient, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures that take long to compute are read for a minute after a
    write, then computed again; figures computed while a write commits are
    never taken for newer than it."""
    from comptoir.adoption.completeness import scores

    monkeypatch.setattr(scores, "CHEAP_MS", 0)  # every computation counts as slow
    tenant_id = uuid.UUID(workspace.tenant_id)
    await post(client, workspace, "/api/v1/contacts", last_name="Un", email="un@x.fr")
    assert (await scores.completeness_report(tenant_id)).objects["contacts"].records == 1
    await post(client, workspace, "/api/v1/contacts", last_name="Deux")
    assert (await scores.completeness_report(tenant_id)).objects["contacts"].records == 1
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        again = await scores.completeness_report(tenant_id)
    assert again.objects["contacts"].records == 2
    assert again.objects["contacts"].fill_rates()["email"] == pytest.approx(0.5)


async def test_a_write_during_a_computation_outdates_it(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """Figures are stamped with when their computation began: a change
    stamped after that (a write that committed while they were computed) is
    not in them, so the next read computes them again."""
    from comptoir.adoption.completeness import scores
    from comptoir.adoption.completeness.tables import CompletenessFigures
    from comptoir.platform.db.scope import tenant_scope

    tenant_id = uuid.UUID(workspace.tenant_id)
    await post(client, workspace, "/api/v1/contacts", last_name="Un")

    async def began() -> dt.datetime:
        async with tenant_scope(tenant_id) as scope:
            rows = await scope.select(CompletenessFigures, CompletenessFigures.computed_at)
        return min(scores._aware(row["computed_at"]) for row in rows)

    await scores.completeness_report(tenant_id)
    first = await began()
    await scores.completeness_report(tenant_id)
    assert await began() == first  # nothing changed: read from the kept figures
    await scores.forget_figures(tenant_id, now=first + dt.timedelta(milliseconds=1))
    await scores.completeness_report(tenant_id)
    assert await began() > first
