"""Quotes in real Chromium: the company profile, a quote written in the editor
(lines added and removed, totals recomputed by the server as one types), its
page, sending it (numbered, read-only), accepting it, and the list's filter.
Screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "atelier-lumiere"
EMAIL = "claire.morel@atelier-lumiere.fr"
PASSWORD = "Des-vitraux-pour-tous"


def _call(server: LiveServer, method: str, path: str, body: Any, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=json.dumps(body).encode(), method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def _workspace(server: LiveServer) -> tuple[str, str]:
    """A workspace with its company profile, an account and a contact: (account, contact)."""
    signup = {
        "company_name": "Atelier Lumière",
        "slug": SLUG,
        "admin_email": EMAIL,
        "admin_password": PASSWORD,
        "plan": "pro",
    }
    token = _call(server, "POST", "/api/v1/signup", signup)["api_token"]
    profile = {
        "legal_name": "Atelier Lumière",
        "legal_form": "SAS",
        "address": "12 rue des Lilas",
        "postcode": "69003",
        "city": "Lyon",
        "siren": "732829320",
        "vat_number": "FR44732829320",
        "payment_terms": "À 30 jours fin de mois.",
    }
    _call(server, "PUT", "/api/v1/settings/company", profile, token)
    account = {"name": "Boulangerie Émile", "address": "3 place Bellecour", "city": "Lyon"}
    account_id = _call(server, "POST", "/api/v1/accounts", account, token)["id"]
    contact = {
        "first_name": "Zoé",
        "last_name": "Martin",
        "email": "zoe@boulangerie-emile.fr",
        "account_id": account_id,
    }
    contact_id = _call(server, "POST", "/api/v1/contacts", contact, token)["id"]
    return account_id, contact_id


def test_quote_flow(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    account_id, contact_id = _workspace(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    page.locator(".sidebar-nav a", has_text="Devis").click()
    page.wait_for_url(f"{base}/w/{SLUG}/quotes")
    expect(page.locator(".empty-title")).to_have_text("Aucun devis pour l'instant")

    page.goto(f"/w/{SLUG}/quotes/new?account_id={account_id}&contact_id={contact_id}")
    expect(page.locator("#f-payment_terms")).to_have_value("À 30 jours fin de mois.")
    page.fill("#f-title", "Vitraux de la boutique")
    page.fill("[name=lines-0-description]", "Vitrail sur mesure, 80 x 120 cm")
    page.fill("[name=lines-0-quantity]", "2")
    page.fill("[name=lines-0-unit_price]", "1 250,00")
    expect(page.locator("#quote-totals [data-total=gross]")).to_contain_text("3 000,00")
    page.get_by_role("button", name="Ajouter une ligne").click()
    page.fill("[name=lines-1-description]", "Pose (demi-journée)")
    page.fill("[name=lines-1-unit_price]", "180")
    page.select_option("[name=lines-1-vat_rate]", "10")
    page.get_by_role("button", name="Ajouter une ligne").click()
    page.fill("[name=lines-2-description]", "Ligne en trop")
    page.locator("[data-line]").nth(2).get_by_role("button", name="Supprimer cette ligne").click()
    expect(page.locator("[data-line]")).to_have_count(2)
    # 2 x 1250 = 2500 + 20 % ; 180 + 10 % -> 2680 HT, 518 TVA, 3198 TTC
    expect(page.locator("#quote-totals [data-total=gross]")).to_contain_text("3 198,00")
    screenshot(page, "quote-editor")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(f"{base}/w/{SLUG}/quotes/*")
    expect(page.locator(".page-title")).to_have_text("Vitraux de la boutique")
    expect(page.locator(".quote-totals [data-total=gross]")).to_contain_text("3 198,00")
    screenshot(page, "quote-draft-page")

    page.get_by_role("button", name="Envoyer au contact").click()
    expect(page.locator(".flash")).to_contain_text("Devis envoyé à son contact.")
    expect(page.locator(".quote-subtitle")).to_contain_text("D-")
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    screenshot(page, "quote-sent-page")
    page.get_by_role("button", name="Accepté par le client…").click()
    page.get_by_role("button", name="Enregistrer comme accepté").click()
    expect(page.locator(".quote-subtitle .badge")).to_have_text("Accepté")

    page.goto(f"/w/{SLUG}/quotes")
    page.select_option("select[name=status]", "draft")
    expect(page.locator("#quote-rows .empty-title")).to_be_visible()
    page.select_option("select[name=status]", "accepted")
    expect(page.locator("#quote-rows")).to_contain_text("Vitraux de la boutique")
    screenshot(page, "quotes-list")
    page.goto(f"/w/{SLUG}/accounts/{account_id}")
    expect(page.locator(".quote-panel")).to_contain_text("Vitraux de la boutique")
    screenshot(page, "quote-account-panel")

    page.set_viewport_size(MOBILE)
    page.goto(f"/w/{SLUG}/quotes/new?account_id={account_id}")
    page.fill("[name=lines-0-description]", "Vitrail")
    page.fill("[name=lines-0-unit_price]", "100")
    expect(page.locator("#quote-totals [data-total=gross]")).to_contain_text("120,00")
    screenshot(page, "quote-editor-mobile")
    page.set_viewport_size(DESKTOP)

    page.goto(f"/w/{SLUG}/admin/company")
    expect(page.locator("#f-vat_number")).to_have_value("FR44732829320")
    page.fill("#f-siren", "123 456 789")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#f-siren")).to_have_value("123 456 789")
    expect(page.locator(".field-error").first).to_be_visible()
    screenshot(page, "company-profile")
