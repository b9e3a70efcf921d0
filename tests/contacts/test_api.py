"""/api/v1/contacts: CRUD, search, keyset pagination."""

from __future__ import annotations


async def test_contact_crud(client, workspace) -> None:
    h = workspace.headers
    created = await client.post(
        "/api/v1/contacts",
        headers=h,
        json={
            "first_name": "Hélène",
            "last_name": "Dupré",
            "email": "Helene.Dupre@exemple.fr",
            "phone": "+33 6 12 34 56 78",
            "company_name": "Boulangerie du Marché",
        },
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["email"] == "helene.dupre@exemple.fr"
    assert contact["owner_id"] == workspace.admin_user_id

    read = await client.get(f"/api/v1/contacts/{contact['id']}", headers=h)
    assert read.json() == contact

    changed = await client.patch(
        f"/api/v1/contacts/{contact['id']}", headers=h, json={"job_title": "Gérante"}
    )
    assert changed.status_code == 200
    assert changed.json()["job_title"] == "Gérante"
    assert changed.json()["first_name"] == "Hélène"

    deleted = await client.delete(f"/api/v1/contacts/{contact['id']}", headers=h)
    assert deleted.status_code == 204
    gone = await client.get(f"/api/v1/contacts/{contact['id']}", headers=h)
    assert gone.status_code == 404


async def test_search_is_case_and_accent_insensitive(client, workspace) -> None:
    h = workspace.headers
    for first, last, company in [
        ("Hélène", "Dupré", "Boulangerie"),
        ("Marc", "Durand", "Garage Éric"),
    ]:
        r = await client.post(
            "/api/v1/contacts",
            headers=h,
            json={"first_name": first, "last_name": last, "company_name": company},
        )
        assert r.status_code == 201
    names = lambda r: [c["last_name"] for c in r.json()["items"]]  # noqa: E731
    assert names(await client.get("/api/v1/contacts", params={"q": "HELENE"}, headers=h)) == [
        "Dupré"
    ]
    assert names(await client.get("/api/v1/contacts", params={"q": "eric"}, headers=h)) == [
        "Durand"
    ]
    assert names(await client.get("/api/v1/contacts", params={"q": "zzz"}, headers=h)) == []


async def test_keyset_pagination_walks_everything_once(client, workspace) -> None:
    h = workspace.headers
    for i in range(7):
        r = await client.post("/api/v1/contacts", headers=h, json={"last_name": f"Nom{i}"})
        assert r.status_code == 201
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/contacts", params=params, headers=h)).json()
        seen += [c["last_name"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"Nom{i}" for i in reversed(range(7))]


async def test_bad_contact_input_is_422(client, workspace) -> None:
    h = workspace.headers
    empty = await client.post("/api/v1/contacts", headers=h, json={})
    assert empty.status_code == 422
    bad_email = await client.post(
        "/api/v1/contacts", headers=h, json={"last_name": "X", "email": "nope"}
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["errors"][0]["field"] == "email"
    unknown = await client.post(
        "/api/v1/contacts", headers=h, json={"last_name": "X", "colour": "red"}
    )
    assert unknown.status_code in (400, 422)
    bad_cursor = await client.get("/api/v1/contacts", params={"cursor": "!!"}, headers=h)
    assert bad_cursor.status_code == 422
    bad_owner = await client.post(
        "/api/v1/contacts",
        headers=h,
        json={"last_name": "X", "owner_id": "0190a000-0000-7000-8000-000000000000"},
    )
    assert bad_owner.status_code == 422


async def test_api_needs_a_valid_token(client, workspace) -> None:
    missing = await client.get("/api/v1/contacts")
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith("application/problem+json")
    wrong = await client.get("/api/v1/contacts", headers={"Authorization": "Bearer cpt_x_y"})
    assert wrong.status_code == 401
    tampered = workspace.token[:-2] + "zz"
    assert (
        await client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {tampered}"})
    ).status_code == 401
