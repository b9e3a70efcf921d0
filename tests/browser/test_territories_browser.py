"""Territories in real Chromium: the administration page reached from the
sidebar, two rules made through the form (a bad prefix explained first), one
moved up, the preview and "Reassign now". Screenshots under
test-artifacts/screenshots/."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import MOBILE, LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "cave-des-territoires"
EMAIL = "paul.durand@cave-durand.fr"
PASSWORD = "Un-saint-joseph-2019"


def _call(server: LiveServer, path: str, body: dict[str, Any], token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=json.dumps(body).encode(), method="POST", headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _seed(server: LiveServer) -> None:
    """The workspace, two salespeople and two accounts left without an owner."""
    signup = _call(
        server,
        "/api/v1/signup",
        {
            "company_name": "Cave Durand",
            "slug": SLUG,
            "admin_email": EMAIL,
            "admin_password": PASSWORD,
            "plan": "pro",
        },
    )
    token = signup["api_token"]
    for first, last in (("Léa", "Martin"), ("Hugo", "Bernard")):
        _call(
            server,
            "/api/v1/users",
            {
                "email": f"{first.lower()}.{last.lower()}@cave-durand.fr",
                "first_name": first,
                "last_name": last,
                "role": "end_user",
            },
            token,
        )
    for name, postcode in (("Bistrot des Canuts", "69004"), ("Épicerie Fine Mercier", "69006")):
        account = _call(server, "/api/v1/accounts", {"name": name, "postcode": postcode}, token)
        request = urllib.request.Request(  # noqa: S310
            f"{server.url}/api/v1/accounts/{account['id']}",
            data=json.dumps({"owner_id": None}).encode(),
            method="PATCH",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 200


def test_territories_page(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    _seed(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    page.locator(".sidebar-nav a", has_text="Territoires").click()
    page.wait_for_url(f"{base}/w/{SLUG}/admin/territories")
    expect(page.locator(".empty-title")).to_have_text("Aucune règle pour l'instant")

    page.fill("#f-name", "Lyon et Rhône")
    page.fill("#f-postcode_prefixes", "69, 6x")
    page.select_option("#f-owner_id", label="Léa Martin")
    page.get_by_role("button", name="Créer la règle").click()
    expect(page.locator("#e-postcode_prefixes")).to_contain_text("6x")
    expect(page.locator("#f-name")).to_have_value("Lyon et Rhône")
    page.fill("#f-postcode_prefixes", "69, 01, 42")
    page.get_by_role("button", name="Créer la règle").click()
    expect(page.locator(".flash-success")).to_contain_text("Règle créée")

    page.fill("#f-name", "Grands comptes")
    page.fill("#f-industries", "Hôtellerie, Restauration")
    page.fill("#f-min_employees", "50")
    page.select_option("#f-owner_id", label="Hugo Bernard")
    page.get_by_role("button", name="Créer la règle").click()
    expect(page.locator(".flash-success")).to_contain_text("Règle créée")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_role("button", name="Monter").click()
    expect(page.locator("tbody tr").first).to_contain_text("Grands comptes")
    expect(page.locator("#reassign-preview")).to_contain_text("2 comptes sans responsable")
    screenshot(page, "territories-admin")

    page.get_by_role("button", name="Réattribuer maintenant").click()
    expect(page.locator(".flash-success")).to_contain_text("Réattribution lancée")
    expect(page.locator("#latest-reassign")).to_be_visible()
    screenshot(page, "territories-reassign-queued")
    page.set_viewport_size(MOBILE)
    expect(page.locator("tbody tr").first).to_contain_text("Grands comptes")
    screenshot(page, "territories-mobile")
