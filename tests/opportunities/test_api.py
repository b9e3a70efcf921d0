"""/api/v1/opportunities and /api/v1/pipeline: the record API, stages and
their probabilities, won and lost (with its reason), retired stages, the
stage history, the forecast, and money as decimal strings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from comptoir.platform import i18n
from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.events import DomainEvent, subscribe, unsubscribe
from comptoir.tenants.opportunities.figures import forecast
from comptoir.tenants.opportunities.related import opportunities_of, stage_history
from comptoir.tenants.opportunities.service import win_opportunity
from tests.support.fixtures import Workspace, make_workspace
from tests.support.pages import add_person

API = "/api/v1/opportunities"
STAGES = "/api/v1/pipeline/stages"
REASONS = "/api/v1/pipeline/lost-reasons"


async def _stages(client: httpx.AsyncClient, ws: Workspace) -> dict[str, dict[str, Any]]:
    response = await client.get(STAGES, headers=ws.headers)
    assert response.status_code == 200, response.text
    return {stage["key"]: stage for stage in response.json()["items"]}


async def _reasons(client: httpx.AsyncClient, ws: Workspace) -> list[dict[str, Any]]:
    response = await client.get(REASONS, headers=ws.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _deal(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> dict[str, Any]:
    response = await client.post(API, headers=ws.headers, json={"name": "Affaire", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {error["field"] for error in response.json()["errors"]}


async def test_crud_defaults_from_the_stage_and_money_as_strings(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    stages = await _stages(client, workspace)
    assert [s["key"] for s in sorted(stages.values(), key=lambda s: s["position"])] == [
        "prospecting",
        "qualification",
        "proposal",
        "negotiation",
        "won",
        "lost",
    ]
    deal = await _deal(client, workspace, name="  Fours Lyon  ", amount="1234.565")
    assert deal["name"] == "Fours Lyon"
    assert deal["stage_id"] == stages["prospecting"]["id"]
    assert deal["probability"] == 10 and deal["status"] == "open"
    assert deal["amount"] == "1234.57"  # half-up to the cent, a string
    assert deal["owner_id"] == workspace.admin_user_id
    on_proposal = await _deal(
        client, workspace, stage_id=stages["proposal"]["id"], amount=99.5, probability=30
    )
    assert on_proposal["probability"] == 30 and on_proposal["amount"] == "99.50"
    url = f"{API}/{deal['id']}"
    changed = await client.patch(url, headers=h, json={"amount": "10.005", "notes": "Relancer"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["amount"] == "10.01" and changed.json()["notes"] == "Relancer"
    assert (await client.get(url, headers=h)).json() == changed.json()
    moved = await client.patch(url, headers=h, json={"stage_id": stages["negotiation"]["id"]})
    assert moved.json()["probability"] == 75  # a move takes the new stage's probability
    kept = await client.patch(url, headers=h, json={"probability": 60})
    assert kept.json()["probability"] == 60
    for bad in ({"amount": "-1"}, {"amount": "douze"}, {"probability": 101}, {"name": " "}):
        refused = await client.post(API, headers=h, json={"name": "X", **bad})
        assert refused.status_code in (400, 422), (bad, refused.text)
    assert (await client.delete(url, headers=h)).status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404


async def test_links_must_be_records_of_the_workspace(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    account = await client.post("/api/v1/accounts", headers=h, json={"name": "Garage Éric"})
    other = await make_workspace(client, "gamma")
    foreign = await client.post(
        "/api/v1/accounts", headers=other.headers, json={"name": "Ailleurs"}
    )
    linked = await _deal(client, workspace, account_id=account.json()["id"])
    assert linked["account_id"] == account.json()["id"]
    refused = await client.post(
        API,
        headers=h,
        json={"name": "X", "account_id": foreign.json()["id"], "contact_id": str(uuid.uuid4())},
    )
    assert _fields(refused) == {"account_id", "contact_id"}
    unknown_stage = await client.post(
        API, headers=h, json={"name": "X", "stage_id": str(uuid.uuid4())}
    )
    assert _fields(unknown_stage) == {"stage_id"}
    everything = await client.post(
        API,
        headers=h,
        json={"name": "X", "stage_id": str(uuid.uuid4()), "account_id": str(uuid.uuid4())},
    )
    assert _fields(everything) == {"stage_id", "account_id"}  # every problem at once


async def test_won_lost_and_open_again(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    stages = await _stages(client, workspace)
    reasons = await _reasons(client, workspace)
    seen: list[DomainEvent] = []

    async def listen(batch: Any) -> None:
        seen.extend(batch)

    subscribe(listen)
    try:
        deal = await _deal(client, workspace, amount="500")
        url = f"{API}/{deal['id']}"
        won = await client.post(f"{url}/move", headers=h, json={"stage_id": stages["won"]["id"]})
        assert won.status_code == 200, won.text
        assert won.json()["status"] == "won" and won.json()["won_at"] is not None
        assert won.json()["probability"] == 100 and won.json()["closed_at"] is not None
        no_reason = await client.post(
            f"{url}/move", headers=h, json={"stage_id": stages["lost"]["id"]}
        )
        assert _fields(no_reason) == {"lost_reason_id"}
        foreign_reason = await client.post(
            f"{url}/move",
            headers=h,
            json={"stage_id": stages["lost"]["id"], "lost_reason_id": str(uuid.uuid4())},
        )
        assert _fields(foreign_reason) == {"lost_reason_id"}
        lost = await client.post(
            f"{url}/move",
            headers=h,
            json={"stage_id": stages["lost"]["id"], "lost_reason_id": reasons[0]["id"]},
        )
        assert lost.status_code == 200, lost.text
        body = lost.json()
        assert body["status"] == "lost" and body["lost_reason_id"] == reasons[0]["id"]
        assert body["won_at"] is None
        reopened = await client.patch(url, headers=h, json={"stage_id": stages["proposal"]["id"]})
        body = reopened.json()
        assert body["status"] == "open" and body["lost_reason_id"] is None
        assert body["closed_at"] is None and body["won_at"] is None
        assert body["probability"] == 50
        reason_on_open = await client.patch(
            url, headers=h, json={"lost_reason_id": reasons[1]["id"]}
        )
        assert _fields(reason_on_open) == {"lost_reason_id"}
        history = await client.get(f"{url}/stage-changes", headers=h)
        changes = history.json()["items"]
        assert [(c["from_status"], c["to_status"]) for c in changes] == [
            ("lost", "open"),
            ("won", "lost"),
            ("open", "won"),
            ("", "open"),
        ]
        assert changes[0]["to_stage_id"] == stages["proposal"]["id"]
        assert changes[0]["changed_by"] == workspace.admin_user_id
        paged = await client.get(f"{url}/stage-changes", headers=h, params={"limit": 3})
        rest = await client.get(
            f"{url}/stage-changes",
            headers=h,
            params={"limit": 3, "cursor": paged.json()["next_cursor"]},
        )
        assert [c["id"] for c in paged.json()["items"] + rest.json()["items"]] == [
            c["id"] for c in changes
        ]
    finally:
        unsubscribe(listen)
    names = [e.name for e in seen if e.object_id == deal["id"]]
    for expected in ("opportunity.won", "opportunity.lost", "opportunity.stage_changed"):
        assert expected in names, names
    moves = [(e.data["from"], e.data["to"]) for e in seen if e.name == "opportunity.stage_changed"]
    assert moves == [("prospecting", "won"), ("won", "lost"), ("lost", "proposal")]
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        audited = await scope.select(AuditEntry, AuditEntry.action).where(
            AuditEntry.object_id == deal["id"]
        )
    assert [row["action"] for row in audited].count("opportunity.update") == 3


async def test_retired_stages_and_reasons(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    stages = await _stages(client, workspace)
    reasons = await _reasons(client, workspace)
    qualification = stages["qualification"]["id"]
    deal = await _deal(client, workspace, stage_id=qualification)
    retired = await client.post(f"{STAGES}/{qualification}/retire", headers=h)
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    refused = await client.post(API, headers=h, json={"name": "X", "stage_id": qualification})
    assert _fields(refused) == {"stage_id"}
    url = f"{API}/{deal['id']}"
    kept = await client.patch(url, headers=h, json={"name": "Toujours là"})
    assert kept.status_code == 200 and kept.json()["stage_id"] == qualification
    await client.patch(url, headers=h, json={"stage_id": stages["proposal"]["id"]})
    back = await client.patch(url, headers=h, json={"stage_id": qualification})
    assert _fields(back) == {"stage_id"}
    in_use = await client.delete(f"{STAGES}/{stages['proposal']['id']}", headers=h)
    assert in_use.status_code == 409
    assert (await client.delete(f"{STAGES}/{qualification}", headers=h)).status_code == 204
    assert (
        await client.post(f"{STAGES}/{stages['won']['id']}/retire", headers=h)
    ).status_code == 422
    await client.post(f"{REASONS}/{reasons[0]['id']}/retire", headers=h)
    lost = await client.post(
        f"{url}/move",
        headers=h,
        json={"stage_id": stages["lost"]["id"], "lost_reason_id": reasons[0]["id"]},
    )
    assert _fields(lost) == {"lost_reason_id"}
    restored = await client.post(f"{REASONS}/{reasons[0]['id']}/restore", headers=h)
    assert restored.json()["retired_at"] is None


async def test_stage_settings(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    added = await client.post(STAGES, headers=h, json={"name": "Démo produit", "probability": 40})
    assert added.status_code == 201, added.text
    assert added.json()["key"] == "demo_produit" and added.json()["position"] == 6
    twin = await client.post(STAGES, headers=h, json={"name": "Démo  produit!"})
    assert twin.json()["key"] == "demo_produit_2"
    both = await client.post(STAGES, headers=h, json={"name": "X", "is_won": True, "is_lost": True})
    assert _fields(both) == {"is_lost"}
    stage_id = added.json()["id"]
    placed = await client.patch(
        f"{STAGES}/{stage_id}",
        headers=h,
        json={"name": "Démonstration", "probability": 45, "position": 2},
    )
    assert placed.status_code == 200, placed.text
    assert placed.json()["key"] == "demo_produit" and placed.json()["name"] == "Démonstration"
    order = [s["key"] for s in (await client.get(STAGES, headers=h)).json()["items"]]
    assert order[:4] == ["prospecting", "qualification", "demo_produit", "proposal"]
    ids = [s["id"] for s in (await client.get(STAGES, headers=h)).json()["items"]]
    reordered = await client.put(f"{STAGES}/order", headers=h, json={"stage_ids": ids[::-1]})
    assert reordered.status_code == 200, reordered.text
    assert [s["id"] for s in (await client.get(STAGES, headers=h)).json()["items"]] == ids[::-1]
    partial = await client.put(f"{STAGES}/order", headers=h, json={"stage_ids": ids[:2]})
    assert _fields(partial) == {"stage_ids"}
    reason = await client.post(REASONS, headers=h, json={"name": "Délai trop long"})
    assert reason.status_code == 201 and reason.json()["position"] == 6
    renamed = await client.patch(
        f"{REASONS}/{reason.json()['id']}", headers=h, json={"name": "Délai"}
    )
    assert renamed.json()["name"] == "Délai"
    end_user = await add_person(client, workspace, "end_user")
    token = await client.post(
        "/api/v1/tokens", headers=h, json={"name": "Vendeur", "user_id": end_user}
    )
    if token.status_code == 201 and "token" in token.json():
        seller = {"Authorization": f"Bearer {token.json()['token']}"}
        assert (await client.get(STAGES, headers=seller)).status_code == 200
        assert (await client.post(STAGES, headers=seller, json={"name": "X"})).status_code == 403


async def test_lists_filter_sort_and_search(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    stages = await _stages(client, workspace)
    for i, name in enumerate(["Zinc", "Atelier Bois", "Œuvres d'Art", "Menuiserie"]):
        stage = stages["proposal"] if i % 2 else stages["prospecting"]
        await _deal(client, workspace, name=name, amount=str(100 * (i + 1)), stage_id=stage["id"])
    by_amount = await client.get(API, headers=h, params={"sort": "-amount"})
    assert [d["amount"] for d in by_amount.json()["items"]] == [
        "400.00",
        "300.00",
        "200.00",
        "100.00",
    ]
    proposal = await client.get(API, headers=h, params={"stage_id": stages["proposal"]["id"]})
    assert {d["name"] for d in proposal.json()["items"]} == {"Atelier Bois", "Menuiserie"}
    opened = await client.get(API, headers=h, params={"status": "open", "sort": "name", "limit": 3})
    assert [d["name"] for d in opened.json()["items"]] == ["Atelier Bois", "Menuiserie", "Zinc"]
    assert opened.json()["next_cursor"]
    accents = await client.get(API, headers=h, params={"q": "oeuvres"})
    assert [d["name"] for d in accents.json()["items"]] == ["Œuvres d'Art"]
    assert (await client.get(API, headers=h, params={"sort": "probability"})).status_code == 422


async def test_forecast_is_exact(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    stages = await _stages(client, workspace)
    today = dt.date.today()
    this_month = today.replace(day=1)
    next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
    far = (this_month + dt.timedelta(days=400)).replace(day=1)
    await _deal(
        client, workspace, amount="1000.00", probability=25, expected_close_date=str(this_month)
    )
    await _deal(
        client, workspace, amount="333.33", probability=15, expected_close_date=str(this_month)
    )
    await _deal(
        client, workspace, amount="200.10", probability=50, expected_close_date=str(next_month)
    )
    await _deal(client, workspace, amount="9999", probability=90, expected_close_date=str(far))
    won = await _deal(client, workspace, amount="5000", expected_close_date=str(next_month))
    await client.post(f"{API}/{won['id']}/move", headers=h, json={"stage_id": stages["won"]["id"]})
    response = await client.get(f"{API}/forecast", headers=h)
    assert response.status_code == 200, response.text
    months = response.json()["months"]
    assert len(months) == 12 and months[0]["month"] == this_month.strftime("%Y-%m")
    # 1000 * 25 % + 333.33 * 15 % = 250 + 49.9995 → 300.00 (half-up, once, on the sum)
    assert months[0] == {
        "month": months[0]["month"],
        "count": 2,
        "amount": "1333.33",
        "weighted": "300.00",
    }
    assert months[1]["amount"] == "200.10" and months[1]["weighted"] == "100.05"
    assert all(m["count"] == 0 and m["weighted"] == "0.00" for m in months[2:])
    assert response.json()["total_weighted"] == "400.05"
    assert response.json()["total_amount"] == "1533.43"
    figures = await forecast(uuid.UUID(workspace.tenant_id), today=today)
    assert str(figures.total_weighted) == "400.05" and figures.months[1].count == 1


async def test_win_opportunity_for_other_features(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    from comptoir.platform.auth.actor import Actor

    deal = await _deal(client, workspace, amount="10")
    actor = Actor(
        kind="user",
        id=uuid.UUID(workspace.admin_user_id),
        label="admin",
        tenant_id=uuid.UUID(workspace.tenant_id),
        role="admin",
    )
    tenant_id = uuid.UUID(workspace.tenant_id)
    won = await win_opportunity(tenant_id, deal["id"], actor=actor)
    assert won.status == "won" and won.probability == 100
    again = await win_opportunity(tenant_id, deal["id"], actor=actor)
    assert again.updated_at == won.updated_at
    history = await client.get(f"{API}/{deal['id']}/stage-changes", headers=workspace.headers)
    assert len(history.json()["items"]) == 2


async def test_panel_and_history_of_an_account(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    stages = await _stages(client, workspace)
    account = (await client.post("/api/v1/accounts", headers=h, json={"name": "Garage"})).json()
    later = await _deal(
        client, workspace, name="Later", account_id=account["id"], expected_close_date="2027-06-01"
    )
    won = await _deal(client, workspace, name="Won", account_id=account["id"], amount="99.9")
    await client.post(f"{API}/{won['id']}/move", headers=h, json={"stage_id": stages["won"]["id"]})
    sooner = await _deal(
        client, workspace, name="Sooner", account_id=account["id"], expected_close_date="2027-01-01"
    )
    await _deal(client, workspace, name="Elsewhere")
    tenant_id = uuid.UUID(workspace.tenant_id)
    rows = await opportunities_of(tenant_id, "account", uuid.UUID(account["id"]))
    assert [row["name"] for row in rows] == ["Sooner", "Later", "Won"]
    assert rows[0]["stage_name"] == "Prospection" and rows[2]["status"] == "won"
    assert str(rows[2]["amount"]) == "99.90"
    assert await opportunities_of(tenant_id, "ticket", uuid.UUID(account["id"])) == []
    i18n.current_locale.set("en")
    entries = await stage_history(tenant_id, "account", uuid.UUID(account["id"]), 10)
    assert len(entries) == 4  # three creations and one win
    assert entries[0].title.startswith("Sooner · ")
    assert any(e.title == "Won · Opportunity won" for e in entries)
    assert all(e.link.startswith("/opportunities/") for e in entries)
    assert len(await stage_history(tenant_id, "account", uuid.UUID(account["id"]), 2)) == 2
    own = await stage_history(tenant_id, "opportunity", uuid.UUID(later["id"]), 10)
    assert [e.title for e in own] == ["Opportunity created in Prospection"]
    assert sooner["id"] not in {e.link.rsplit("/", 1)[-1] for e in own}


async def test_stages_of_the_same_name_added_at_once_never_answer_500(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    import asyncio

    answers = await asyncio.gather(
        *(
            client.post(STAGES, headers=workspace.headers, json={"name": "Relance"})
            for _ in range(4)
        )
    )
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    keys = [s["key"] for s in (await client.get(STAGES, headers=workspace.headers)).json()["items"]]
    assert len(keys) == len(set(keys)) and "relance" in keys
