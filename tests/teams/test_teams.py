"""Teams and the sharing rule, through the API and the administration page."""

from __future__ import annotations

import httpx

from comptoir.platform.directory.service import tenant_by_slug
from tests.support.fixtures import Workspace
from tests.support.pages import add_person, post_form, sign_in

EN = {"Accept-Language": "en"}


async def test_teams_through_the_api(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    member = await add_person(client, workspace, "end_user")
    made = await client.post("/api/v1/teams", headers=h, json={"name": "Nord"})
    assert made.status_code == 201, made.text
    team_id = made.json()["id"]
    again = await client.post("/api/v1/teams", headers=h, json={"name": "Nord"})
    assert again.status_code == 422
    put = await client.put(f"/api/v1/teams/{team_id}/members/{member}", headers=h)
    assert put.status_code == 204, put.text
    listed = (await client.get("/api/v1/teams", headers=h)).json()["items"]
    assert listed == [{"id": team_id, "name": "Nord", "member_ids": [member]}]
    renamed = await client.patch(f"/api/v1/teams/{team_id}", headers=h, json={"name": "Nord-Est"})
    assert renamed.json()["name"] == "Nord-Est"
    removed = await client.delete(f"/api/v1/teams/{team_id}/members/{member}", headers=h)
    assert removed.status_code == 204
    gone = await client.delete(f"/api/v1/teams/{team_id}/members/{member}", headers=h)
    assert gone.status_code == 404
    assert (await client.delete(f"/api/v1/teams/{team_id}", headers=h)).status_code == 204
    assert (await client.get(f"/api/v1/teams/{team_id}", headers=h)).status_code == 404


async def test_sharing_rule_through_the_api(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    assert (await client.get("/api/v1/settings/sharing", headers=h)).json() == {
        "sharing_rule": "all"
    }
    bad = await client.put("/api/v1/settings/sharing", headers=h, json={"sharing_rule": "some"})
    assert bad.status_code == 400 or bad.status_code == 422
    changed = await client.put(
        "/api/v1/settings/sharing", headers=h, json={"sharing_rule": "own_and_team"}
    )
    assert changed.status_code == 200, changed.text
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None and tenant.sharing_rule == "own_and_team"
    audit = await client.get("/api/v1/settings/sharing", headers=h)
    assert audit.json() == {"sharing_rule": "own_and_team"}


async def test_the_administration_page_manages_teams_and_the_rule(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    member = await add_person(client, workspace, "end_user")
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/admin/teams"
    page = await client.get(base, headers=EN)
    assert page.status_code == 200 and "Own and team records" in page.text
    created = await post_form(client, base, base, {"name": "Ventes Sud"})
    assert created.status_code == 303
    empty = await post_form(client, base, base, {"name": "   "})
    assert empty.status_code == 422
    teams = (await client.get("/api/v1/teams", headers=workspace.headers)).json()["items"]
    team_id = teams[0]["id"]
    moved = await post_form(client, base, f"{base}/members/{member}", {"team_id": team_id})
    assert moved.status_code == 303
    rule = await post_form(client, base, f"{base}/sharing", {"sharing_rule": "own_and_team"})
    assert rule.status_code == 303
    shown = await client.get(base, headers=EN)
    assert "Ventes Sud" in shown.text
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None and tenant.sharing_rule == "own_and_team"
    teams = (await client.get("/api/v1/teams", headers=workspace.headers)).json()["items"]
    assert teams[0]["member_ids"] == [member]
