"""An account's record page (facts, history, its contacts, bounded), its edit
form with the headcount, and the headcount through the API."""

from __future__ import annotations

import httpx

from tests.support.fixtures import Workspace
from tests.support.pages import EN, add_person, post_form, sign_in, sign_in_as


async def _account(client: httpx.AsyncClient, ws: Workspace, **fields: object) -> str:
    created = await client.post(
        "/api/v1/accounts", headers=ws.headers, json={"name": "Cave Dumont", **fields}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_headcount_through_the_api(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    created = await client.post(
        "/api/v1/accounts", headers=h, json={"name": "Atelier Roux", "employees": 12}
    )
    assert created.status_code == 201 and created.json()["employees"] == 12
    url = f"/api/v1/accounts/{created.json()['id']}"
    for bad in (-1, "douze", 1.5):
        refused = await client.patch(url, headers=h, json={"employees": bad})
        assert refused.status_code in (400, 422), bad
        assert "employees" in refused.text
    cleared = await client.patch(url, headers=h, json={"employees": None})
    assert cleared.json()["employees"] is None
    unset = await client.post("/api/v1/accounts", headers=h, json={"name": "Sans effectif"})
    assert unset.json()["employees"] is None


async def test_record_page_lists_a_few_contacts_and_the_history(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    account_id = await _account(
        client, workspace, phone="04 78 00 00 00", website="cave-dumont.fr", employees=8
    )
    for i in range(12):
        await client.post(
            "/api/v1/contacts",
            headers=workspace.headers,
            json={"last_name": f"Dumont{i:02d}", "account_id": account_id},
        )
    await client.patch(
        f"/api/v1/accounts/{account_id}", headers=workspace.headers, json={"employees": 9}
    )
    await sign_in(client, workspace)
    page = await client.get(f"/w/{workspace.slug}/accounts/{account_id}", headers=EN)
    assert page.status_code == 200
    text = page.text
    assert 'href="tel:0478000000"' in text and 'href="https://cave-dumont.fr"' in text
    start = text.index('id="account-contacts"')
    contacts = text[start : text.index("</section>", start)]
    assert contacts.count('class="list-item"') == 10
    assert f"/contacts?account_id={account_id}" in contacts
    history = text[text.index('id="record-history"') : start]
    assert (
        '<span class="change-key">Headcount</span> <span class="change-old">8</span> → '
        '<span class="change-new">9</span>'
    ) in history
    assert history.index("Changed an account") < history.index("Created an account")
    # The link to every contact of the account filters the contacts list.
    listed = await client.get(
        f"/w/{workspace.slug}/contacts", params={"account_id": account_id}, headers=EN
    )
    assert listed.status_code == 200 and listed.text.count("Dumont") >= 12


async def test_edit_form(client: httpx.AsyncClient, workspace: Workspace) -> None:
    account_id = await _account(client, workspace)
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/accounts/{account_id}"
    form = await client.get(f"{base}/edit", headers=EN)
    assert form.status_code == 200 and 'id="f-employees"' in form.text
    bad = await post_form(client, f"{base}/edit", base, {"name": "Cave Dumont", "employees": "-3"})
    assert bad.status_code == 422 and "Must be at least 0" in bad.text
    fields = {"name": "Cave Dumont", "employees": "40"}
    saved = await post_form(client, f"{base}/edit", base, fields)
    assert saved.status_code == 303 and saved.headers["location"] == base
    api = await client.get(f"/api/v1/accounts/{account_id}", headers=workspace.headers)
    assert api.json()["employees"] == 40


async def test_an_end_user_does_not_see_others_accounts(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    shared = await client.put(
        "/api/v1/settings/sharing", headers=workspace.headers, json={"sharing_rule": "own_and_team"}
    )
    assert shared.status_code == 200
    theirs = await _account(client, workspace)
    end_user = await add_person(client, workspace, "end_user")
    await sign_in_as(client, workspace, end_user)
    for path in (f"/accounts/{theirs}", f"/accounts/{theirs}/edit"):
        response = await client.get(f"/w/{workspace.slug}{path}", headers=EN)
        assert response.status_code == 404, path


async def test_list_filters_by_city_and_owner_and_shows_headcount(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    colleague = await add_person(client, workspace, "end_user")
    await _account(client, workspace, name="Brasserie Lyonnaise", city="Lyon", employees=1200)
    await _account(client, workspace, name="Chantier Nantais", city="Nantes", owner_id=colleague)
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/accounts"
    lyon = await client.get(base, params={"city": "Lyon"}, headers=EN)
    assert "Brasserie Lyonnaise" in lyon.text and "Chantier Nantais" not in lyon.text
    assert "1,200" in lyon.text
    theirs = await client.get(base, params={"owner_id": colleague}, headers=EN)
    assert "Chantier Nantais" in theirs.text and "Brasserie Lyonnaise" not in theirs.text
    rows = await client.get(base, params={"city": "Nantes"}, headers={**EN, "HX-Request": "true"})
    assert "Chantier Nantais" in rows.text and "<html" not in rows.text
