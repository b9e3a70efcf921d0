"""API tokens and sessions: shown once, stored hashed, revocable; suspension."""

from __future__ import annotations

from comptoir.platform.auth.credentials import digest
from comptoir.platform.auth.tables import ApiToken
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import set_status, tenant_by_slug
from comptoir.platform.ids import parse_id


async def test_token_is_shown_once_and_stored_hashed(client, workspace) -> None:
    created = await client.post("/api/v1/tokens", headers=workspace.headers, json={"name": "ERP"})
    assert created.status_code == 201, created.text
    body = created.json()
    token = body["token"]
    assert token.startswith("cpt_")
    listed = (await client.get("/api/v1/tokens", headers=workspace.headers)).json()["items"]
    assert all("token" not in item for item in listed)
    assert body["id"] in [item["id"] for item in listed]

    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        stored = await scope.get(ApiToken, body["id"])
    assert stored.token_hash == digest(token)
    assert token not in stored.token_hash


async def test_revoked_token_is_refused(client, workspace) -> None:
    created = (
        await client.post("/api/v1/tokens", headers=workspace.headers, json={"name": "short-lived"})
    ).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/api/v1/contacts", headers=headers)).status_code == 200
    revoked = await client.delete(f"/api/v1/tokens/{created['id']}", headers=workspace.headers)
    assert revoked.status_code == 204
    refused = await client.get("/api/v1/contacts", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.headers["www-authenticate"].startswith("Bearer")


async def test_token_of_one_tenant_is_useless_with_another_tenants_prefix(
    client, workspace, other_workspace
) -> None:
    """A token is bound to the tenant in its prefix: grafting B's secret onto A's id fails."""
    secret = other_workspace.token.split("_", 2)[2]
    forged = f"cpt_{parse_id(workspace.tenant_id).hex}_{secret}"  # type: ignore[union-attr]
    response = await client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_suspended_tenant_gets_a_clear_403_and_keeps_its_data(client, workspace) -> None:
    made = await client.post(
        "/api/v1/contacts", headers=workspace.headers, json={"last_name": "Conservé"}
    )
    assert made.status_code == 201
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    await set_status(tenant, "suspended", reason="impayé", actor_label="test")

    refused = await client.get("/api/v1/contacts", headers=workspace.headers)
    assert refused.status_code == 403
    problem = refused.json()
    assert problem["type"] == "/problems/tenant-suspended"
    assert "suspended" in problem["detail"]

    await set_status(tenant, "active", actor_label="test")
    back = await client.get("/api/v1/contacts", headers=workspace.headers)
    assert back.status_code == 200
    assert [c["last_name"] for c in back.json()["items"]] == ["Conservé"]


async def test_end_users_cannot_manage_tokens(client, workspace) -> None:
    user = (
        await client.post(
            "/api/v1/users", headers=workspace.headers, json={"email": "vendeur@exemple.fr"}
        )
    ).json()
    token = (
        await client.post(
            "/api/v1/tokens", headers=workspace.headers, json={"name": "v", "user_id": user["id"]}
        )
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/tokens", headers=headers)).status_code == 403
    assert (
        await client.post("/api/v1/tokens", headers=headers, json={"name": "x"})
    ).status_code == 403


async def test_disabled_user_token_stops_working(client, workspace) -> None:
    user = (
        await client.post(
            "/api/v1/users", headers=workspace.headers, json={"email": "parti@exemple.fr"}
        )
    ).json()
    token = (
        await client.post(
            "/api/v1/tokens", headers=workspace.headers, json={"name": "p", "user_id": user["id"]}
        )
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/contacts", headers=headers)).status_code == 200
    disabled = await client.patch(
        f"/api/v1/users/{user['id']}", headers=workspace.headers, json={"status": "disabled"}
    )
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    assert (await client.get("/api/v1/contacts", headers=headers)).status_code == 401


async def test_admin_cannot_demote_themselves(client, workspace) -> None:
    response = await client.patch(
        f"/api/v1/users/{workspace.admin_user_id}",
        headers=workspace.headers,
        json={"role": "end_user"},
    )
    assert response.status_code == 422


async def test_unknown_api_paths_are_problems(client, workspace) -> None:
    missing = await client.get("/api/v1/nothing-here", headers=workspace.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    wrong_method = await client.put("/api/v1/contacts", headers=workspace.headers, json={})
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("application/problem+json")
