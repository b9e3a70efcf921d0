"""The adoption pages of data completeness, training, ROI and a person's
timeline, and the home page's boxes, in real Chromium. Screenshots under
test-artifacts/screenshots/ (adoption-*.png)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "maison-durand"
EMAIL = "paul.durand@maison-durand.fr"
PASSWORD = "Des-tartes-aux-pommes"


def _call(server: LiveServer, method: str, path: str, body: Any, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=json.dumps(body).encode(), method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        text = response.read()
        return json.loads(text) if text else None


def _workspace(server: LiveServer) -> str:
    signup = {
        "company_name": "Maison Durand",
        "slug": SLUG,
        "admin_email": EMAIL,
        "admin_password": PASSWORD,
        "plan": "pro",
    }
    token = str(_call(server, "POST", "/api/v1/signup", signup)["api_token"])
    people = [
        _call(
            server,
            "POST",
            "/api/v1/users",
            {
                "email": f"{name.lower()}@maison-durand.fr",
                "first_name": name,
                "last_name": last,
                "role": role,
            },
            token,
        )["id"]
        for name, last, role in (
            ("Inès", "Moreau", "end_user"),
            ("Hugo", "Lambert", "end_user"),
            ("Sarah", "Petit", "key_user"),
        )
    ]
    for n in range(9):
        contact = {"first_name": "Client", "last_name": f"N°{n}", "owner_id": people[n % 3]}
        if n % 2:
            contact["email"] = f"client{n}@exemple.fr"
        if n % 3 == 0:
            contact["phone"] = "04 78 00 00 00"
        _call(server, "POST", "/api/v1/contacts", contact, token)
    _call(server, "POST", "/api/v1/contacts", {"last_name": "Sans coordonnées"}, token)
    for n in range(4):
        deal = {"name": f"Affaire {n}", "owner_id": people[n % 2]}
        if n % 2 == 0:
            deal["amount"] = "2500"
        _call(server, "POST", "/api/v1/opportunities", deal, token)
    _call(server, "POST", "/api/v1/accounts", {"name": "Boulangerie Émile"}, token)
    program = _call(
        server,
        "POST",
        "/api/v1/adoption/training/programs",
        {"name": "Piloter Comptoir", "role": "admin"},
        token,
    )
    for title in ("Lire le tableau de complétude", "Saisir la situation de référence"):
        _call(
            server,
            "POST",
            f"/api/v1/adoption/training/programs/{program['id']}/steps",
            {"kind": "lesson", "title": title, "due_days": 7},
            token,
        )
    baseline = {
        "subscription_monthly": "180",
        "implementation_cost": "1500",
        "training_cost": "600",
        "sales_staff": 3,
        "sales_hourly_cost": "42",
        "quote_minutes": "45",
        "quotes_per_month": 30,
        "ticket_minutes": "20",
        "tickets_per_month": 120,
    }
    _call(server, "PUT", "/api/v1/roi/baseline", baseline, token)
    return token


def test_adoption_pages(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    _workspace(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    expect(page.locator("#home-training")).to_contain_text("Votre formation")
    expect(page.locator("#home-incomplete")).to_contain_text("Fiches à compléter")
    screenshot(page, "adoption-home-boxes")

    page.goto(f"/w/{SLUG}/adoption/completeness")
    expect(page.locator("h1")).to_have_text("Complétude des données")
    expect(page.locator("#worst-fields")).to_contain_text("Téléphone")
    page.wait_for_timeout(300)
    screenshot(page, "adoption-completeness", full_page=True)

    page.locator("#settings input[name='x.accounts.website']").check()
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()
    expect(page.locator(".flash")).to_contain_text("nouvelle version")

    page.goto(f"/w/{SLUG}/adoption/training")
    expect(page.locator("#my-training")).to_contain_text("Lire le tableau de complétude")
    page.locator("#my-training button", has_text="Marquer comme lu").first.click()
    expect(page.locator("[data-stat=my-percent]")).to_have_text("50 %")
    screenshot(page, "adoption-training", full_page=True)

    page.goto(f"/w/{SLUG}/adoption/roi")
    expect(page.locator("#by-module")).to_contain_text("Pas de données mesurées")
    screenshot(page, "adoption-roi", full_page=True)

    page.goto(f"/w/{SLUG}/adoption/people")
    expect(page.locator("#quartiles")).to_contain_text("Q4")
    page.goto(f"/w/{SLUG}/adoption/completeness")
    page.locator("#who-can-fix a.cell-primary").first.click()
    expect(page.locator("#timeline")).to_be_visible()
    page.wait_for_timeout(300)
    screenshot(page, "adoption-person", full_page=True)
