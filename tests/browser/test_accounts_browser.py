"""Accounts in real Chromium: create one through the form (a wrong SIREN is
explained first), add a contact from its page, find it with the live search,
pick an account in a contact's form; the teams and sharing page. Screenshots
under test-artifacts/screenshots/."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "fromagerie-laurent"
EMAIL = "marie.laurent@fromagerie-laurent.fr"
PASSWORD = "Un-comte-de-24-mois"


def _signup(server: LiveServer) -> None:
    body = {
        "company_name": "Fromagerie Laurent",
        "slug": SLUG,
        "admin_email": EMAIL,
        "admin_password": PASSWORD,
        "plan": "pro",
    }
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}/api/v1/signup",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201


def test_accounts_flow(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    _signup(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    page.locator(".sidebar-nav a", has_text="Comptes").click()
    page.wait_for_url(f"{base}/w/{SLUG}/accounts")
    screenshot(page, "accounts-empty")
    page.locator(".empty a, .page-actions a", has_text="compte").first.click()
    page.fill("#f-name", "Crèmerie du Marché")
    page.fill("#f-siren", "123 456 789")
    page.fill("#f-city", "Annecy")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.locator(".field-error")).to_contain_text("SIREN")
    screenshot(page, "account-form-error")
    page.fill("#f-siren", "732 829 320")
    page.get_by_role("button", name="Créer le compte").click()
    page.wait_for_url(re.compile(rf"{base}/w/{SLUG}/accounts/[0-9a-f-]{{36}}$"))
    expect(page.locator(".flash-success")).to_contain_text("Compte créé")
    account_url = page.url

    page.locator(".page-actions a", has_text="Nouveau contact").click()
    expect(page.locator("#f-account_id")).to_have_value(account_url.rsplit("/", 1)[-1])
    page.fill("#f-first_name", "Paul")
    page.fill("#f-last_name", "Vernier")
    page.get_by_role("button", name="Créer le contact").click()
    page.wait_for_url(re.compile(rf"{base}/w/{SLUG}/contacts/[0-9a-f-]{{36}}$"))
    expect(page.locator("#contact-account")).to_contain_text("Crèmerie du Marché")

    # Another contact picks the account through the search-as-you-type picker.
    page.goto(f"/w/{SLUG}/contacts/new")
    page.fill("#f-last_name", "Morel")
    page.fill("input[name=account_q]", "cremerie")
    expect(page.locator("#f-account_id option", has_text="Crèmerie du Marché")).to_have_count(1)
    page.select_option("#f-account_id", label="Crèmerie du Marché (Annecy)")
    screenshot(page, "contact-account-picker")
    page.get_by_role("button", name="Créer le contact").click()
    page.wait_for_url(re.compile(rf"{base}/w/{SLUG}/contacts/[0-9a-f-]{{36}}$"))

    page.goto(account_url)
    expect(page.locator("#account-contacts")).to_contain_text("Paul Vernier")
    expect(page.locator("#account-contacts")).to_contain_text("Morel")
    screenshot(page, "account-record")

    page.goto(f"/w/{SLUG}/accounts")
    page.fill("input[name=q]", "annecy")
    expect(page.locator("#account-rows")).to_contain_text("Crèmerie du Marché")
    screenshot(page, "accounts-list")

    page.locator(".sidebar-nav a", has_text="Équipes").click()
    page.wait_for_url(f"{base}/w/{SLUG}/admin/teams")
    page.fill("#f-name", "Ventes Savoie")
    page.get_by_role("button", name="Créer l'équipe").click()
    expect(page.locator(".flash-success")).to_be_visible()
    screenshot(page, "teams-settings")
