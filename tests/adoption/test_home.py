"""Home-page boxes: an end-user's training progress and the records they
left incomplete, with links."""

from __future__ import annotations

import httpx

from tests.adoption.records_support import member, post
from tests.support.fixtures import Workspace
from tests.support.pages import sign_in_as


async def test_end_user_home_shows_training_and_incomplete_records(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lea = await member(client, workspace, "end_user")
    contact = await post(client, lea, "/api/v1/contacts", last_name="Dupont", email="d@x.fr")
    await post(client, workspace, "/api/v1/contacts", last_name="Pas à elle")
    await sign_in_as(client, workspace, lea.admin_user_id)
    home = await client.get(f"/w/{workspace.slug}/")
    assert home.status_code == 200, home.text
    assert 'id="home-training"' in home.text
    assert 'data-stat="home-training">16 %' in home.text  # the contact step, 1 of 6
    assert 'id="home-incomplete"' in home.text
    assert f"/contacts/{contact['id']}" in home.text
    assert "Work phone" in home.text
    assert "Pas à elle" not in home.text


async def test_nothing_to_show_hides_the_boxes(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lea = await member(client, workspace, "end_user")
    await post(client, lea, "/api/v1/contacts", last_name="Complet", email="c@x.fr", phone="01")
    await client.put(
        "/api/v1/adoption/completeness/rules",
        headers=workspace.headers,
        json={"expected": {"opportunities": {}, "accounts": {}}},
    )
    programs = (
        await client.get("/api/v1/adoption/training/programs", headers=workspace.headers)
    ).json()
    for program in programs:
        await client.delete(
            f"/api/v1/adoption/training/programs/{program['id']}", headers=workspace.headers
        )
    await sign_in_as(client, workspace, lea.admin_user_id)
    home = await client.get(f"/w/{workspace.slug}/")
    assert 'id="home-training"' not in home.text
    assert 'id="home-incomplete"' not in home.text
