"""The pipeline's pages: the board (columns, totals, moves, the lost reason
asked for), the list, the form, the record page, the picker, the settings,
and the opportunities panel on an account's page."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import httpx

from comptoir.tenants.opportunities.board import CARDS_PER_COLUMN as CARDS
from tests.support.fixtures import Workspace
from tests.support.pages import EN, post_form, sign_in

API = "/api/v1/opportunities"
HTMX = {**EN, "HX-Request": "true"}


async def _stages(client: httpx.AsyncClient, ws: Workspace) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/v1/pipeline/stages", headers=ws.headers)
    return {stage["key"]: stage for stage in response.json()["items"]}


async def _deal(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> dict[str, Any]:
    response = await client.post(API, headers=ws.headers, json={"name": "Affaire", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_board_columns_totals_and_moves(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    stages = await _stages(client, workspace)
    proposal = stages["proposal"]["id"]
    first = await _deal(client, workspace, name="Fours Lyon", amount="1000", stage_id=proposal)
    await _deal(client, workspace, name="Pétrin Nantes", amount="500.50", stage_id=proposal)
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}"
    board = await client.get(f"{base}/pipeline", headers=EN)
    assert board.status_code == 200, board.text
    page = board.text
    for stage in stages.values():
        assert f'data-stage="{stage["id"]}"' in page
    assert "Fours Lyon" in page and "Pétrin Nantes" in page
    assert "€1,501" in page  # the column total in whole euros, half-up
    assert "weighted €750" in page  # 1500.50 x 50 % = 750.25
    assert 'id="forecast"' in page and "/static/pipeline.js" in page
    searched = await client.get(f"{base}/pipeline", params={"q": "petrin"}, headers=HTMX)
    assert "Pétrin Nantes" in searched.text and "Fours Lyon" not in searched.text
    assert searched.text.lstrip().startswith('<div class="board"')
    moved = await post_form(
        client,
        f"{base}/pipeline",
        f"{base}/pipeline/move",
        {"opportunity_id": first["id"], "stage_id": stages["negotiation"]["id"]},
    )
    assert moved.status_code == 303, moved.text
    after = (await client.get(f"{API}/{first['id']}", headers=workspace.headers)).json()
    assert after["stage_id"] == stages["negotiation"]["id"] and after["probability"] == 75
    asked = await post_form(
        client,
        f"{base}/pipeline",
        f"{base}/pipeline/move",
        {"opportunity_id": first["id"], "stage_id": stages["lost"]["id"]},
    )
    assert asked.status_code == 422
    assert "Why was it lost?" in asked.text and 'id="lost-dialog"' in asked.text
    assert "open data-show" in asked.text
    reasons = await client.get("/api/v1/pipeline/lost-reasons", headers=workspace.headers)
    lost = await post_form(
        client,
        f"{base}/pipeline",
        f"{base}/pipeline/move",
        {
            "opportunity_id": first["id"],
            "stage_id": stages["lost"]["id"],
            "lost_reason_id": reasons.json()["items"][0]["id"],
        },
    )
    assert lost.status_code == 303
    after = (await client.get(f"{API}/{first['id']}", headers=workspace.headers)).json()
    assert after["status"] == "lost"


async def test_form_record_page_and_list(client: httpx.AsyncClient, workspace: Workspace) -> None:
    account = await client.post(
        "/api/v1/accounts", headers=workspace.headers, json={"name": "Boulangerie Émile"}
    )
    account_id = account.json()["id"]
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}"
    new_form = f"{base}/opportunities/new?account_id={account_id}"
    shown = await client.get(new_form, headers=EN)
    assert shown.status_code == 200 and "Boulangerie Émile" in shown.text
    refused = await post_form(
        client,
        new_form,
        f"{base}/opportunities",
        {"name": "Four à sole", "amount": "douze", "account_id": account_id},
    )
    assert refused.status_code == 422
    assert 'value="douze"' in refused.text and 'value="Four à sole"' in refused.text
    created = await post_form(
        client,
        new_form,
        f"{base}/opportunities",
        {"name": "Four à sole", "amount": "12 500,50", "account_id": account_id, "probability": ""},
    )
    assert created.status_code == 303, created.text
    record_url = created.headers["location"]
    deal_id = record_url.rsplit("/", 1)[-1]
    body = (await client.get(f"{API}/{deal_id}", headers=workspace.headers)).json()
    assert body["amount"] == "12500.50" and body["probability"] == 10
    record = await client.get(record_url, headers=EN)
    assert record.status_code == 200, record.text
    for expected in ("Four à sole", "€12,500.50", "Stage history", "Prospection", "History"):
        assert expected in record.text, expected
    edited = await post_form(
        client, f"{record_url}/edit", record_url, {"name": "Four à sole XL", "amount": "13000"}
    )
    assert edited.status_code == 303
    listed = await client.get(f"{base}/opportunities", headers=EN)
    assert listed.status_code == 200 and "Four à sole XL" in listed.text
    rows = await client.get(f"{base}/opportunities", params={"status": "won"}, headers=HTMX)
    assert "Four à sole XL" not in rows.text and "<html" not in rows.text
    picker = await client.get(
        f"{base}/opportunities/options", params={"opportunity_q": "four"}, headers=HTMX
    )
    assert f'value="{deal_id}" selected' in picker.text and "Boulangerie Émile" in picker.text
    account_page = await client.get(f"{base}/accounts/{account_id}", headers=EN)
    if 'id="panel-opportunities"' in account_page.text:
        assert "Four à sole XL" in account_page.text
    deleted = await post_form(client, record_url, f"{record_url}/delete", {})
    assert deleted.status_code == 303
    assert (await client.get(record_url, headers=EN)).status_code == 404


async def test_settings_page(client: httpx.AsyncClient, workspace: Workspace) -> None:
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/admin/pipeline"
    page = await client.get(url, headers=EN)
    assert page.status_code == 200 and "Négociation" in page.text and "Prix trop élevé" in page.text
    added = await post_form(
        client, url, f"{url}/stages", {"name": "Démo", "probability": "40", "kind": "open"}
    )
    assert added.status_code == 303, added.text
    stages = await _stages(client, workspace)
    assert stages["demo"]["probability"] == 40 and stages["demo"]["position"] == 6
    up = await post_form(
        client, url, f"{url}/stages/{stages['demo']['id']}/position", {"direction": "up"}
    )
    assert up.status_code == 303
    assert (await _stages(client, workspace))["demo"]["position"] == 5
    bad = await post_form(
        client, url, f"{url}/stages/{stages['demo']['id']}", {"name": "Démo", "probability": "140"}
    )
    assert bad.status_code == 422 and "100" in bad.text
    last_won = await post_form(client, url, f"{url}/stages/{stages['won']['id']}/retire", {})
    assert last_won.status_code == 422
    reason = await post_form(client, url, f"{url}/reasons", {"name": "Délai trop long"})
    assert reason.status_code == 303
    assert "Délai trop long" in (await client.get(url, headers=EN)).text


async def test_columns_load_more_and_retired_stages(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    stages = await _stages(client, workspace)
    qualification = stages["qualification"]["id"]
    for n in range(CARDS + 2):
        await _deal(client, workspace, name=f"Affaire {n:02d}", amount="10", stage_id=qualification)
    retired = await _deal(
        client, workspace, name="Sur une étape retirée", stage_id=stages["proposal"]["id"]
    )
    await client.post(
        f"/api/v1/pipeline/stages/{stages['proposal']['id']}/retire", headers=workspace.headers
    )
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}"
    board = (await client.get(f"{base}/pipeline", headers=EN)).text
    assert board.count('class="deal-card') == CARDS + 1  # 50 of the 52, and the retired stage's
    assert "Retired" in board and retired["id"] in board
    assert "€520" in board  # the column's total counts every card, not only those shown
    more = re.search(r'hx-get="(/w/[^"]*/pipeline/cards\?[^"]*)"', board)
    assert more is not None
    rest = await client.get(html.unescape(more.group(1)), headers=HTMX)
    assert rest.status_code == 200 and rest.text.count('class="deal-card') == 2
    assert "Affaire 00" in rest.text and "Affaire 01" in rest.text  # the oldest come last
    assert "hx-get" not in rest.text
    await client.post(
        f"/api/v1/pipeline/stages/{stages['proposal']['id']}/restore", headers=workspace.headers
    )
    await client.delete(f"{API}/{retired['id']}", headers=workspace.headers)
    await client.post(
        f"/api/v1/pipeline/stages/{stages['proposal']['id']}/retire", headers=workspace.headers
    )
    empty = (await client.get(f"{base}/pipeline", headers=EN)).text
    assert f'data-stage="{stages["proposal"]["id"]}"' not in empty  # retired and empty: no column


async def test_board_of_one_owner(client: httpx.AsyncClient, workspace: Workspace) -> None:
    from tests.support.pages import add_person

    seller = await add_person(client, workspace, "end_user")
    await _deal(client, workspace, name="Chez moi", amount="100")
    await _deal(client, workspace, name="Chez Paul", amount="300", owner_id=seller)
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}"
    mine = (await client.get(f"{base}/pipeline", params={"owner": "mine"}, headers=HTMX)).text
    assert "Chez moi" in mine and "Chez Paul" not in mine
    assert "€100" in mine and "€400" not in mine
    everyone = (await client.get(f"{base}/pipeline", headers=HTMX)).text
    assert "€400" in everyone
    forecast = await client.get(
        f"{API}/forecast", params={"owner_id": seller}, headers=workspace.headers
    )
    assert forecast.status_code == 200 and forecast.json()["total_amount"] == "0.00"
    bad = await client.get(f"{API}/forecast", params={"owner_id": "x"}, headers=workspace.headers)
    assert bad.status_code == 422


async def test_a_seller_under_own_and_team_sees_own_deals_and_totals(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    from tests.support.pages import add_person, sign_in_as

    seller = await add_person(client, workspace, "end_user")
    soon = str(dt.date.today().replace(day=28))
    await _deal(
        client, workspace, name="Chez Paul", amount="300", owner_id=seller, expected_close_date=soon
    )
    await _deal(client, workspace, name="Chez l'admin", amount="1000", expected_close_date=soon)
    shared = await client.put(
        "/api/v1/settings/sharing", headers=workspace.headers, json={"sharing_rule": "own_and_team"}
    )
    assert shared.status_code == 200, shared.text
    await sign_in_as(client, workspace, seller)
    base = f"/w/{workspace.slug}"
    board = (await client.get(f"{base}/pipeline", headers=EN)).text
    assert "Chez Paul" in board and "Chez l&#39;admin" not in board
    assert "€300" in board and "€1,300" not in board and "€1,000" not in board
    assert "of €300 in play" in board  # the forecast is the seller's too


async def test_a_refused_move_says_why(client: httpx.AsyncClient, workspace: Workspace) -> None:
    stages = await _stages(client, workspace)
    deal = await _deal(client, workspace, name="Pressoir")
    await client.post(
        f"/api/v1/pipeline/stages/{stages['proposal']['id']}/retire", headers=workspace.headers
    )
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}"
    refused = await post_form(
        client,
        f"{base}/pipeline",
        f"{base}/pipeline/move",
        {"opportunity_id": deal["id"], "stage_id": stages["proposal"]["id"]},
    )
    assert refused.status_code == 422
    assert "This move is not possible" in refused.text and "is retired" in refused.text.lower()
    after = (await client.get(f"{API}/{deal['id']}", headers=workspace.headers)).json()
    assert after["stage_id"] == stages["prospecting"]["id"]
