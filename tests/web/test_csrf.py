"""CSRF, walked from the app's own routes.

Litestar's CSRF exemptions are regular expressions searched anywhere in the
path: unanchored, a workspace whose slug began with ``schema`` or ``healthz``
had no CSRF protection at all. For workspaces whose slugs are made from every
exempt pattern, every workspace form route (POST under ``/w/{slug}``) refuses a
POST without a valid token with 403 and changes nothing; and a state-changing
request from another site (``Origin``, ``Sec-Fetch-Site``) is refused even with
a valid token, while the bearer-token API is not concerned."""

from __future__ import annotations

import re
import uuid

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from comptoir.platform.app import CSRF_EXEMPT
from comptoir.tenants.signup.slugs import RESERVED_SLUGS
from tests.support.api_resources import (
    PARAMETER,
    create_account,
    create_contact,
    create_invitation,
    create_session,
    create_token,
    create_user,
    tenant_rows,
)
from tests.support.fixtures import Workspace, make_workspace
from tests.support.pages import EN, form_token, sign_in_as

EXEMPT_WORDS = sorted(
    {re.search(r"(\w+)", pattern).group(1) for pattern in CSRF_EXEMPT}  # type: ignore[union-attr]
)
# Slugs that begin with an exempt word, as a real company's might.
SLUGS = sorted(
    {"schemas-co", "healthz-lab", "apiary", "readyz-bis", *(f"{w}-co" for w in EXEMPT_WORDS)}
)
CREATORS = {
    "contact_id": create_contact,
    "account_id": create_account,
    "user_id": create_user,
    "invitation_id": create_invitation,
    "token_id": create_token,
    "session_id": create_session,
}


def workspace_form_routes(app: Litestar) -> list[str]:
    """Every POST under /w/{slug}, as declared."""
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and route.path.startswith("/w/{slug")
        and any("POST" in handler.http_methods for handler in route.route_handlers)
    )


def test_exempt_patterns_are_anchored_and_their_words_reserved() -> None:
    for pattern in CSRF_EXEMPT:
        assert pattern.startswith("^/"), pattern
    for word in EXEMPT_WORDS:
        assert word in RESERVED_SLUGS, word
        assert any(slug.startswith(word) for slug in SLUGS), word


async def _ready(client: httpx.AsyncClient, slug: str) -> tuple[Workspace, dict[str, str]]:
    """A workspace, one record of each kind a form route takes an id of, and a
    signed-in admin (so that a POST the CSRF check let through would act)."""
    ws = await make_workspace(client, slug)
    values = {"slug": slug, "token": uuid.uuid4().hex}
    for param, create in CREATORS.items():
        values[param] = (await create(client, ws, 0)).id
    await sign_in_as(client, ws, ws.admin_user_id)
    return ws, values


def _url(path: str, values: dict[str, str]) -> str:
    """The route with the workspace's records; an id of a kind without a creator
    here gets a well-formed id of nothing (the CSRF check comes first anyway)."""
    return PARAMETER.sub(lambda m: values.get(m.group(1)) or str(uuid.uuid4()), path)


async def test_every_workspace_form_refuses_a_post_without_a_valid_token(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    routes = workspace_form_routes(app)
    assert len(routes) >= 10, routes
    failures = []
    for slug in SLUGS:
        ws, values = await _ready(client, slug)
        await form_token(client, f"/w/{slug}/contacts/new")  # sets the CSRF cookie
        before = await tenant_rows(ws.tenant_id)
        for path in routes:
            url = _url(path, values)
            form = {"email": f"x@{slug}.fr", "last_name": "Forged", "name": "Forged"}
            for label, data in (
                ("no token", form),
                ("forged token", {**form, "_csrf_token": "forged" + uuid.uuid4().hex}),
            ):
                response = await client.post(url, data=data, headers=EN)
                if response.status_code != 403:
                    failures.append(f"{url} ({label}): {response.status_code}")
        assert await tenant_rows(ws.tenant_id) == before, f"a refused POST changed {slug}"
    assert not failures, "\n".join(failures)


async def test_a_cross_site_post_is_refused_even_with_a_valid_token(
    client: httpx.AsyncClient,
) -> None:
    ws, _ = await _ready(client, "schemas-co")
    url = f"/w/{ws.slug}/contacts"
    before = await tenant_rows(ws.tenant_id)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "https://testserver.local.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://testserver.local", "Sec-Fetch-Site": "cross-site"},
    ):
        token = await form_token(client, f"{url}/new")
        response = await client.post(
            url,
            data={"_csrf_token": token, "last_name": "Cross-site"},
            headers={**EN, **headers},
        )
        assert response.status_code == 403, (headers, response.status_code)
        assert "another site" in response.text
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert await tenant_rows(ws.tenant_id) == before

    # From our own pages the same form works.
    for headers in (
        {"Origin": "https://testserver.local", "Sec-Fetch-Site": "same-origin"},
        {},
    ):
        token = await form_token(client, f"{url}/new")
        response = await client.post(
            url,
            data={"_csrf_token": token, "last_name": "Same-site"},
            headers={**EN, **headers},
        )
        assert response.status_code in (302, 303), response.text[:300]

    # The API authenticates with bearer tokens, never cookies: another origin is no matter.
    created = await client.post(
        "/api/v1/contacts",
        headers={**ws.headers, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        json={"last_name": "Programme"},
    )
    assert created.status_code == 201, created.text


async def test_every_other_page_form_refuses_a_post_without_a_token(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    """The same for the forms outside workspaces: the console, signup, language."""
    paths = sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and not route.path.startswith(("/w/{slug", "/api/", "/webhooks/"))
        and any("POST" in handler.http_methods for handler in route.route_handlers)
    )
    assert {"/signup", "/console/login", "/lang"} <= set(paths), paths
    failures = []
    for path in paths:
        url = PARAMETER.sub(lambda _: str(uuid.uuid4()), path)
        response = await client.post(url, data={"email": "x@exemple.fr"}, headers=EN)
        if response.status_code != 403:
            failures.append(f"{url}: {response.status_code}")
    assert not failures, "\n".join(failures)
