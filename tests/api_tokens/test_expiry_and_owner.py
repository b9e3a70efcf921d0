"""API tokens may expire, and only active users get them (API and page)."""

from __future__ import annotations

import datetime as dt

import httpx

from comptoir.platform.auth.service import authenticate_bearer
from comptoir.platform.auth.tables import ApiToken
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import NotAuthenticated
from comptoir.platform.ids import parse_id
from comptoir.tenants.api_tokens.pages import end_of_day
from tests.support.fixtures import Workspace
from tests.support.pages import add_person, post_form, sign_in

NEW_TOKEN = 'id="new-token"'  # the card that shows a token just created


def _in(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


async def _disable(client: httpx.AsyncClient, ws: Workspace, user_id: str) -> None:
    response = await client.patch(
        f"/api/v1/users/{user_id}", headers=ws.headers, json={"status": "disabled"}
    )
    assert response.status_code == 200, response.text


async def test_an_expired_token_is_refused(client: httpx.AsyncClient, workspace: Workspace) -> None:
    created = await client.post(
        "/api/v1/tokens", headers=workspace.headers, json={"name": "ERP", "expires_at": _in(30)}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["expires_at"] is not None
    bearer = {"Authorization": f"Bearer {body['token']}"}
    assert (await client.get("/api/v1/contacts", headers=bearer)).status_code == 200

    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        await scope.update(
            ApiToken, {ApiToken.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
        ).where(ApiToken.id == parse_id(body["id"]))
    refused = await client.get("/api/v1/contacts", headers=bearer)
    assert refused.status_code == 401
    try:
        await authenticate_bearer(body["token"])
    except NotAuthenticated:
        pass
    else:
        raise AssertionError("the service still accepts an expired token")
    # A token without an expiry keeps working.
    assert (await client.get("/api/v1/contacts", headers=workspace.headers)).status_code == 200


async def test_unusable_expiries_are_422(client: httpx.AsyncClient, workspace: Workspace) -> None:
    for expires_at in (_in(-1), _in(6 * 366)):
        response = await client.post(
            "/api/v1/tokens",
            headers=workspace.headers,
            json={"name": "ERP", "expires_at": expires_at},
        )
        assert response.status_code == 422, (expires_at, response.text)
        assert "expires_at" in response.text
    naive = await client.post(
        "/api/v1/tokens",
        headers=workspace.headers,
        json={"name": "ERP", "expires_at": "2030-01-01T00:00:00"},
    )
    assert naive.status_code in (400, 422), naive.text


async def test_no_token_for_a_disabled_user_through_the_api(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    user_id = await add_person(client, workspace)
    await _disable(client, workspace, user_id)
    refused = await client.post(
        "/api/v1/tokens", headers=workspace.headers, json={"name": "ERP", "user_id": user_id}
    )
    assert refused.status_code == 422, refused.text
    assert "user_id" in refused.text


async def test_the_page_sets_an_expiry_and_refuses_a_disabled_user(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    user_id = await add_person(client, workspace)
    await _disable(client, workspace, user_id)
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/admin/tokens"
    refused = await post_form(client, url, url, {"name": "ERP", "user_id": user_id})
    assert refused.status_code == 422 and NEW_TOKEN not in refused.text

    past = await post_form(
        client,
        url,
        url,
        {"name": "ERP", "user_id": workspace.admin_user_id, "expires_on": "2020-01-01"},
    )
    assert past.status_code == 422 and "Choose today or a later day" in past.text

    day = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    created = await post_form(
        client, url, url, {"name": "ERP", "user_id": workspace.admin_user_id, "expires_on": day}
    )
    assert created.status_code == 200 and NEW_TOKEN in created.text
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        token = await scope.objects(ApiToken).where(ApiToken.name == "ERP").first()
    assert token is not None and token.expires_at == end_of_day(day, "Europe/Paris")


def test_a_day_ends_at_midnight_in_the_workspace_time_zone() -> None:
    assert end_of_day("2027-01-15", "Europe/Paris") == dt.datetime(2027, 1, 15, 23, tzinfo=dt.UTC)
    assert end_of_day("2027-07-15", "Europe/Paris") == dt.datetime(2027, 7, 15, 22, tzinfo=dt.UTC)
    assert end_of_day("not a day", "Europe/Paris") is None
