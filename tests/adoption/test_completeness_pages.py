"""The completeness page: figures, settings saved as a new rule version,
stage requirements, and 403 for end-users."""

from __future__ import annotations

import httpx

from tests.adoption.records_support import member, post, stages
from tests.support.fixtures import Workspace
from tests.support.pages import post_form, sign_in, sign_in_as


async def test_page_shows_gaps_and_saves_rules(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await post(client, workspace, "/api/v1/contacts", last_name="Sans mail")
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/adoption/completeness"
    page = await client.get(url)
    assert page.status_code == 200, page.text
    assert "Worst filled fields" in page.text and "Who can fix them" in page.text
    assert 'data-stat="contacts">0 %' in page.text

    form = {"x.contacts.email": "1", "w.contacts.email": "3", "stale_days": "45"}
    saved = await post_form(client, url, f"{url}/rules", form)
    assert saved.status_code == 303, saved.text
    rules = (
        await client.get("/api/v1/adoption/completeness/rules", headers=workspace.headers)
    ).json()
    assert rules["version"] == 2 and rules["stale_days"] == 45
    assert rules["expected"]["contacts"] == {"email": 3}
    assert rules["expected"]["accounts"] == {}

    refused = await post_form(client, url, f"{url}/rules", {**form, "w.contacts.email": "99"})
    assert refused.status_code == 422
    assert "Must be from 1 to 10" in refused.text

    proposal = (await stages(client, workspace))["proposal"]["id"]
    stage = await post_form(client, url, f"{url}/stages/{proposal}", {"f.amount": "1"})
    assert stage.status_code == 303
    required = (
        await client.get("/api/v1/adoption/completeness/stages", headers=workspace.headers)
    ).json()
    assert [s["fields"] for s in required if s["stage_id"] == proposal] == [["amount"]]


async def test_end_users_get_403(client: httpx.AsyncClient, workspace: Workspace) -> None:
    lea = await member(client, workspace, "end_user")
    await sign_in_as(client, workspace, lea.admin_user_id)
    page = await client.get(f"/w/{workspace.slug}/adoption/completeness")
    assert page.status_code == 403
