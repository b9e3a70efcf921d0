"""Input checked at the edge, on both engines: NUL characters (which PostgreSQL
refuses in text and SQLite stores), JSON nested deep enough to exhaust a
recursive decoder, and JSON endpoints sent something else than JSON."""

from __future__ import annotations

import json

import httpx
import pytest

from comptoir.platform.web.input_guard import MAX_JSON_DEPTH, json_depth
from tests.support.api_resources import PROBLEM_JSON
from tests.support.fixtures import STRONG_PASSWORD, Workspace
from tests.support.pages import EN, form_token, sign_in_as

SIGNUP = {
    "company_name": "Fromagerie Nul",
    "slug": "fromagerie-nul",
    "admin_email": "admin@fromagerie-nul.fr",
    "admin_password": STRONG_PASSWORD,
    "plan": "pro",
}


def _is_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    assert response.json()["status"] == status


async def _tenant_count(client: httpx.AsyncClient) -> int:
    from comptoir.platform.directory.tables import Tenant

    return await Tenant.count()


async def test_nul_in_json_bodies_is_422(client: httpx.AsyncClient, workspace: Workspace) -> None:
    for body in (
        {"first_name": "Zoé", "last_name": "Nul\u0000"},
        {"last_name": "Ok", "job_title": "a\x00b"},
    ):
        response = await client.post("/api/v1/contacts", headers=workspace.headers, json=body)
        _is_problem(response, 422)
    # A backslash followed by "u0000" is text, not a NUL.
    fine = await client.post(
        "/api/v1/contacts", headers=workspace.headers, json={"last_name": "C:\\u0000"}
    )
    assert fine.status_code == 201, fine.text
    assert fine.json()["last_name"] == "C:\\u0000"
    before = await _tenant_count(client)
    signup = await client.post("/api/v1/signup", json={**SIGNUP, "company_name": "Nul\u0000"})
    _is_problem(signup, 422)
    assert await _tenant_count(client) == before


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/users", "/api/v1/accounts"])
async def test_nul_in_a_query_string_is_400(
    client: httpx.AsyncClient, workspace: Workspace, path: str
) -> None:
    response = await client.get(path, headers=workspace.headers, params={"q": "a\x00b"})
    _is_problem(response, 400)
    _is_problem(await client.get(f"{path}/a%00b", headers=workspace.headers), 400)


async def test_nul_in_pages_is_refused(client: httpx.AsyncClient, workspace: Workspace) -> None:
    login = f"/w/{workspace.slug}/login"
    token = await form_token(client, login)
    for url in (login, f"/w/{workspace.slug}/password/forgot"):
        response = await client.post(
            url,
            data={"_csrf_token": token, "email": "admin\x00@alpha.fr", "password": "x"},
            headers=EN,
        )
        assert response.status_code == 422, (url, response.status_code)
        assert "text/html" in response.headers["content-type"]
    signup_token = await form_token(client, "/signup")
    before = await _tenant_count(client)
    response = await client.post(
        "/signup",
        data={**SIGNUP, "_csrf_token": signup_token, "company_name": "Nul\x00"},
        headers=EN,
    )
    assert response.status_code == 422
    assert await _tenant_count(client) == before
    await sign_in_as(client, workspace, workspace.admin_user_id)
    page = await client.get(f"/w/{workspace.slug}/contacts", params={"q": "\x00"}, headers=EN)
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]


async def test_deeply_nested_json_is_400_not_a_crash(client: httpx.AsyncClient) -> None:
    before = await _tenant_count(client)
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        nested = "[" * depth + "]" * depth
        for body in (nested, json.dumps(SIGNUP)[:-1] + f', "locale": {nested}}}'):
            response = await client.post(
                "/api/v1/signup", content=body, headers={"Content-Type": "application/json"}
            )
            _is_problem(response, 400)
    assert await _tenant_count(client) == before


def test_json_depth_ignores_brackets_in_strings() -> None:
    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, {"c": "\\"[["}]}') == 3
    assert json_depth(b'"no containers"') == 0


async def test_json_endpoints_accept_only_json(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """A cross-site HTML form can post text/plain (no preflight), never JSON."""
    before = await _tenant_count(client)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        headers = {"Content-Type": content_type} if content_type else {}
        response = await client.post("/api/v1/signup", content=json.dumps(SIGNUP), headers=headers)
        _is_problem(response, 415)
    assert await _tenant_count(client) == before
    response = await client.post(
        "/api/v1/contacts",
        content=json.dumps({"last_name": "Texte"}),
        headers={**workspace.headers, "Content-Type": "text/plain"},
    )
    _is_problem(response, 415)
    created = await client.post(
        "/api/v1/signup",
        content=json.dumps(SIGNUP),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert created.status_code == 201, created.text
