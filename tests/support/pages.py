"""Driving workspace pages like a browser: CSRF tokens, signing in, forms."""

from __future__ import annotations

import re
import uuid
from http.cookies import SimpleCookie

import httpx

from comptoir.platform.auth.service import open_session
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from tests.support.fixtures import Workspace

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
EN = {"Accept-Language": "en"}


async def form_token(client: httpx.AsyncClient, url: str) -> str:
    """GET a form (which sets the CSRF cookie) and read its hidden token."""
    response = await client.get(url, headers=EN)
    found = CSRF_INPUT.search(response.text)
    if found is None and response.is_redirect:  # e.g. the sign-in page when signed in
        return str(client.cookies["comptoir_csrf"])
    assert found, f"no CSRF input on {url} ({response.status_code})"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient,
    ws: Workspace,
    *,
    email: str | None = None,
    password: str | None = None,
    next_page: str | None = None,
    english: bool = True,
) -> httpx.Response:
    """Sign in through the form; ``english`` also picks English for this browser
    (the ``lang`` cookie), since signed-in pages otherwise follow the user's
    own language, French here."""
    if english:
        client.cookies.set("lang", "en", domain="testserver.local", path="/")
    token = await form_token(client, f"/w/{ws.slug}/login")
    data = {
        "_csrf_token": token,
        "email": email or ws.admin_email,
        "password": password if password is not None else ws.password,
    }
    if next_page is not None:
        data["next"] = next_page
    return await client.post(f"/w/{ws.slug}/login", data=data, headers=EN)


def session_cookie(response: httpx.Response) -> SimpleCookie:
    cookies = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("comptoir_session="):
            cookies.load(header)
    assert "comptoir_session" in cookies, response.headers.get_list("set-cookie")
    return cookies


async def post_form(
    client: httpx.AsyncClient, form_url: str, url: str, data: dict[str, str]
) -> httpx.Response:
    token = await form_token(client, form_url)
    return await client.post(url, data={"_csrf_token": token, **data}, headers=EN)


async def add_person(client: httpx.AsyncClient, ws: Workspace, role: str = "end_user") -> str:
    created = await client.post(
        "/api/v1/users",
        headers=ws.headers,
        json={"email": f"{role}-{uuid.uuid4().hex[:6]}@exemple.fr", "role": role},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def sign_in_as(client: httpx.AsyncClient, ws: Workspace, user_id: str) -> None:
    """A session for any user of the workspace, opened by the real service."""
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        user = await scope.get(User, user_id)
    opened = await open_session(tenant, user, ip_address="203.0.113.7", user_agent="pytest")
    client.cookies.set(
        "comptoir_session", opened.token, domain="testserver.local", path=f"/w/{ws.slug}"
    )
    client.cookies.set("lang", "en", domain="testserver.local", path="/")


async def new_contact(client: httpx.AsyncClient, ws: Workspace, last_name: str) -> str:
    response = await client.post(
        "/api/v1/contacts",
        headers=ws.headers,
        json={"first_name": "Zoé", "last_name": last_name, "email": f"{last_name}@exemple.fr"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
