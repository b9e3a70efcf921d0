"""Search boxes take % and _ literally (they are LIKE wildcards), on both engines:
users, contacts and accounts."""

from __future__ import annotations

import httpx

from tests.support.fixtures import Workspace


async def _names(client: httpx.AsyncClient, ws: Workspace, path: str, q: str, key: str) -> set[str]:
    response = await client.get(path, headers=ws.headers, params={"q": q, "limit": 100})
    assert response.status_code == 200, response.text
    return {item[key] for item in response.json()["items"]}


async def test_users_search_takes_percent_and_underscore_literally(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    for email in ("jean_dupont@exemple.fr", "jeanxdupont@exemple.fr", "cent%pour@exemple.fr"):
        created = await client.post(
            "/api/v1/users", headers=workspace.headers, json={"email": email, "role": "end_user"}
        )
        assert created.status_code == 201, created.text
    path = "/api/v1/users"
    assert await _names(client, workspace, path, "jean_d", "email") == {"jean_dupont@exemple.fr"}
    assert await _names(client, workspace, path, "JEAN_D", "email") == {"jean_dupont@exemple.fr"}
    assert await _names(client, workspace, path, "t%p", "email") == {"cent%pour@exemple.fr"}
    assert await _names(client, workspace, path, "%", "email") == {"cent%pour@exemple.fr"}
    assert await _names(client, workspace, path, "\\", "email") == set()
    assert len(await _names(client, workspace, path, "jean", "email")) == 2


async def test_contacts_and_accounts_search_take_wildcards_literally(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    for name in ("Dupont_Fils", "DupontXFils", "Cent%Pour"):
        for path, body in (
            ("/api/v1/contacts", {"last_name": name}),
            ("/api/v1/accounts", {"name": name}),
        ):
            created = await client.post(path, headers=workspace.headers, json=body)
            assert created.status_code == 201, created.text
    for path, key in (("/api/v1/contacts", "last_name"), ("/api/v1/accounts", "name")):
        assert await _names(client, workspace, path, "dupont_", key) == {"Dupont_Fils"}
        assert await _names(client, workspace, path, "t%p", key) == {"Cent%Pour"}
