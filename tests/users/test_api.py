"""/api/v1/users and invitations, with e-mail over real SMTP."""

from __future__ import annotations

import re

from tests.support.jobs import deliver_mail
from tests.support.smtp import Mailbox


async def test_admin_adds_a_user_who_gets_a_password_link(
    client, workspace, mailbox: Mailbox
) -> None:
    response = await client.post(
        "/api/v1/users",
        headers=workspace.headers,
        json={
            "email": "Julie.Martin@exemple.fr",
            "first_name": "Julie",
            "last_name": "Martin",
            "role": "key_user",
        },
    )
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["status"] == "active" and user["role"] == "key_user"
    await deliver_mail()
    [message] = mailbox.to("julie.martin@exemple.fr")
    text = Mailbox.text_of(message)
    assert re.search(rf"/w/{workspace.slug}/invitations/\S+", text)

    duplicate = await client.post(
        "/api/v1/users", headers=workspace.headers, json={"email": "julie.martin@exemple.fr"}
    )
    assert duplicate.status_code == 409


async def test_only_admins_add_users(client, workspace) -> None:
    created = await client.post(
        "/api/v1/users",
        headers=workspace.headers,
        json={"email": "eu@exemple.fr", "role": "end_user"},
    )
    assert created.status_code == 201
    token = await client.post(
        "/api/v1/tokens",
        headers=workspace.headers,
        json={"name": "eu", "user_id": created.json()["id"]},
    )
    assert token.status_code == 201
    end_user = {"Authorization": f"Bearer {token.json()['token']}"}
    refused = await client.post("/api/v1/users", headers=end_user, json={"email": "x@exemple.fr"})
    assert refused.status_code == 403
    assert refused.json()["status"] == 403


async def test_invitation_is_sent_and_revocable(client, workspace, mailbox: Mailbox) -> None:
    response = await client.post(
        "/api/v1/invitations",
        headers=workspace.headers,
        json={"email": "paul@exemple.fr", "role": "end_user"},
    )
    assert response.status_code == 201, response.text
    invitation = response.json()
    assert invitation["status"] == "pending"
    await deliver_mail()
    assert mailbox.to("paul@exemple.fr")
    revoked = await client.delete(
        f"/api/v1/invitations/{invitation['id']}", headers=workspace.headers
    )
    assert revoked.status_code == 204
    listed = await client.get("/api/v1/invitations", headers=workspace.headers)
    assert listed.json()["items"][0]["status"] == "revoked"


async def test_bad_role_is_422(client, workspace) -> None:
    response = await client.post(
        "/api/v1/users", headers=workspace.headers, json={"email": "a@b.fr", "role": "boss"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_users_list_pages_and_searches(client, workspace) -> None:
    for name in ("Zoé", "Yann", "Xavier"):
        r = await client.post(
            "/api/v1/users",
            headers=workspace.headers,
            json={"email": f"{name.lower()}@exemple.fr", "first_name": name},
        )
        assert r.status_code == 201
    first = (
        await client.get("/api/v1/users", params={"limit": 2}, headers=workspace.headers)
    ).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (
        await client.get(
            "/api/v1/users",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=workspace.headers,
        )
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    found = (
        await client.get("/api/v1/users", params={"q": "YANN"}, headers=workspace.headers)
    ).json()
    assert [u["first_name"] for u in found["items"]] == ["Yann"]


async def test_users_list_sorts_filters_and_pages(client, workspace) -> None:
    h = workspace.headers
    for first, role in (("Zoé", "key_user"), ("Aurélien", "end_user"), ("Maëlle", "end_user")):
        made = await client.post(
            "/api/v1/users",
            headers=h,
            json={
                "email": f"{role}.{len(first)}@equipe.fr",
                "first_name": first,
                "last_name": first,
                "role": role,
            },
        )
        assert made.status_code == 201, made.text
    ends = await client.get("/api/v1/users", headers=h, params={"role": "end_user", "sort": "name"})
    assert [u["first_name"] for u in ends.json()["items"]] == ["Aurélien", "Maëlle"]
    first = await client.get("/api/v1/users", headers=h, params={"sort": "-name", "limit": 2})
    rest = await client.get(
        "/api/v1/users",
        headers=h,
        params={"sort": "-name", "limit": 2, "cursor": first.json()["next_cursor"]},
    )
    names = [u["last_name"] for u in first.json()["items"] + rest.json()["items"]]
    assert names == sorted(names, reverse=True) and len(names) == 4
    bad = await client.get("/api/v1/users", headers=h, params={"shoe_size": "42"})
    assert bad.status_code == 422
