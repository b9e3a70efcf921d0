"""Signups are limited per client address and per admin e-mail: 429, as
problem+json for the API and as a readable page for the form."""

from __future__ import annotations

import re

import httpx

from comptoir.platform.directory.tables import Tenant
from comptoir.tenants.signup import limits
from tests.support.fixtures import STRONG_PASSWORD
from tests.support.pages import EN, post_form


def payload(n: int, email: str | None = None) -> dict[str, str]:
    return {
        "company_name": f"Atelier {n}",
        "slug": f"atelier-{n}",
        "admin_email": email or f"direction{n}@atelier.fr",
        "admin_password": STRONG_PASSWORD,
    }


async def test_signups_per_address_are_limited(client: httpx.AsyncClient) -> None:
    allowed = limits.ADDRESS_POLICY.max_failures
    for n in range(allowed):
        response = await client.post("/api/v1/signup", json=payload(n))
        assert response.status_code == 201, response.text
    refused = await client.post("/api/v1/signup", json=payload(99))
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Too many signups" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    assert await Tenant.count() == allowed

    page = await client.get("/signup", headers=EN)
    key = re.search(r'name="signup_key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = await post_form(client, "/signup", "/signup", {**payload(98), "signup_key": key})
    assert form.status_code == 429
    assert form.headers["content-type"].startswith("text/html")
    assert "Too many signups from here" in form.text
    assert 'value="Atelier 98"' in form.text  # what was typed is kept
    assert await Tenant.count() == allowed


async def test_signups_per_admin_email_are_limited(client: httpx.AsyncClient) -> None:
    allowed = limits.ADMIN_EMAIL_POLICY.max_failures
    for n in range(allowed):
        response = await client.post("/api/v1/signup", json=payload(n, "Meme@Atelier.fr"))
        assert response.status_code == 201, response.text
    refused = await client.post("/api/v1/signup", json=payload(50, "meme@atelier.fr"))
    assert refused.status_code == 429
    other = await client.post("/api/v1/signup", json=payload(51, "autre@atelier.fr"))
    assert other.status_code == 201


async def test_invalid_signups_do_not_count(client: httpx.AsyncClient) -> None:
    for _ in range(limits.ADDRESS_POLICY.max_failures + 2):
        bad = await client.post("/api/v1/signup", json={**payload(1), "slug": "-bad"})
        assert bad.status_code == 422
    assert (await client.post("/api/v1/signup", json=payload(1))).status_code == 201
