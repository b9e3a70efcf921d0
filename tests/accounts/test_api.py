"""/api/v1/accounts and the account pages: fields, SIREN, lists, links to contacts."""

from __future__ import annotations

import httpx

from tests.support.fixtures import Workspace, make_workspace
from tests.support.pages import post_form, sign_in

EN = {"Accept-Language": "en"}


async def _account(client: httpx.AsyncClient, ws: Workspace, **fields: str) -> dict:
    response = await client.post("/api/v1/accounts", headers=ws.headers, json=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_account_crud_and_siren(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    account = await _account(
        client, workspace, name="Boulangerie Émile", siren="732 829 320", city="Lyon"
    )
    assert account["siren"] == "732829320"
    assert account["owner_id"] == workspace.admin_user_id
    for bad in ("732829321", "12345", "abcdefghi"):
        refused = await client.post("/api/v1/accounts", headers=h, json={"name": "X", "siren": bad})
        assert refused.status_code in (400, 422), (bad, refused.text)
    nameless = await client.post("/api/v1/accounts", headers=h, json={"name": "  "})
    assert nameless.status_code == 422
    url = f"/api/v1/accounts/{account['id']}"
    changed = await client.patch(url, headers=h, json={"industry": "Boulangerie"})
    assert changed.json()["industry"] == "Boulangerie" and changed.json()["city"] == "Lyon"
    assert (await client.get(url, headers=h)).json() == changed.json()
    assert (await client.delete(url, headers=h)).status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404


async def test_lists_sort_filter_search_and_page(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    names = ["Zinc & Co", "Atelier_Bois", "Atelier Bois", "Mercerie Lefèvre", "Œuvres d'Art"]
    for i, name in enumerate(names):
        await _account(client, workspace, name=name, city="Lyon" if i % 2 else "Paris")
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"sort": "name", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/accounts", headers=h, params=params)).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(names)
    lyon = await client.get("/api/v1/accounts", headers=h, params={"city": "Lyon"})
    assert {a["name"] for a in lyon.json()["items"]} == {names[1], names[3]}
    literal = await client.get("/api/v1/accounts", headers=h, params={"q": "atelier_"})
    assert [a["name"] for a in literal.json()["items"]] == ["Atelier_Bois"]
    accents = await client.get("/api/v1/accounts", headers=h, params={"q": "oeuvres"})
    assert [a["name"] for a in accents.json()["items"]] == ["Œuvres d'Art"]
    wrong_sort = await client.get("/api/v1/accounts", headers=h, params={"sort": "siren"})
    assert wrong_sort.status_code == 422
    unknown = await client.get("/api/v1/accounts", headers=h, params={"colour": "blue"})
    assert unknown.status_code == 422
    foreign_cursor = await client.get(
        "/api/v1/accounts", headers=h, params={"sort": "-name", "cursor": cursor or "x"}
    )
    assert foreign_cursor.status_code == 422


async def test_contacts_belong_to_accounts_of_their_workspace(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    account = await _account(client, workspace, name="Garage Éric")
    other = await make_workspace(client, "gamma")
    foreign = await _account(client, other, name="Ailleurs")
    linked = await client.post(
        "/api/v1/contacts", headers=h, json={"last_name": "Roux", "account_id": account["id"]}
    )
    assert linked.status_code == 201
    refused = await client.post(
        "/api/v1/contacts", headers=h, json={"last_name": "Roux", "account_id": foreign["id"]}
    )
    assert refused.status_code == 422
    listed = await client.get("/api/v1/contacts", headers=h, params={"account_id": account["id"]})
    assert [c["last_name"] for c in listed.json()["items"]] == ["Roux"]
    await client.delete(f"/api/v1/accounts/{account['id']}", headers=h)
    contact = await client.get(f"/api/v1/contacts/{linked.json()['id']}", headers=h)
    assert contact.json()["account_id"] is None


async def test_account_pages(client: httpx.AsyncClient, workspace: Workspace) -> None:
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/accounts"
    refused = await post_form(client, f"{base}/new", base, {"name": "", "siren": "123"})
    assert refused.status_code == 422
    assert "valid SIREN" in refused.text or "expected format" in refused.text
    created = await post_form(client, f"{base}/new", base, {"name": "Fromagerie Laurent"})
    assert created.status_code == 303
    record = created.headers["location"]
    await client.post(
        "/api/v1/contacts",
        headers=workspace.headers,
        json={"last_name": "Laurent", "account_id": record.rsplit("/", 1)[-1]},
    )
    page = await client.get(record, headers=EN)
    assert page.status_code == 200 and "Fromagerie Laurent" in page.text and "Laurent" in page.text
    found = await client.get(base, params={"q": "fromag"}, headers=EN)
    assert "Fromagerie Laurent" in found.text
    options = await client.get(f"{base}/options", params={"account_q": "fromag"}, headers=EN)
    assert "Fromagerie Laurent" in options.text


async def test_search_pages_in_creation_order(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """A search read page by page, newest or oldest first, finds every match once
    (on PostgreSQL through the paged search function)."""
    h = workspace.headers
    made = []
    for i in range(7):
        made.append((await _account(client, workspace, name=f"Atelier n°{i}"))["id"])
        await _account(client, workspace, name=f"Garage {i}")
    for sort, expected in (("-created_at", made[::-1]), ("created_at", made)):
        seen, cursor = [], None
        while True:
            params: dict[str, str | int] = {"q": "atelier", "sort": sort, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get("/api/v1/accounts", headers=h, params=params)).json()
            seen += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == expected, sort
    lyon = await client.get("/api/v1/accounts", headers=h, params={"q": "atelier", "city": "Lyon"})
    assert lyon.json()["items"] == []
