"""The billing page in real Chromium: a workspace whose trial is over, invoiced by
``comptoir billing run``, its admin downgrading at the end of the period and
cancelling with the confirmation box. Screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import (  # noqa: F401 (fixtures used by name)
    DESKTOP,
    LiveServer,
    browser,
    live_server,
    page,
    screenshot,
)

pytestmark = pytest.mark.browser

SLUG = "fromagerie-billing"
EMAIL = "lea@fromagerie-billing.fr"
PASSWORD = "Du-comte-affine-24-mois"


def _call(server: LiveServer, method: str, path: str, body: Any, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=json.dumps(body).encode(), method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def _invoiced_workspace(server: LiveServer) -> None:
    signup = {
        "company_name": "Fromagerie du Plateau",
        "slug": SLUG,
        "admin_email": EMAIL,
        "admin_password": PASSWORD,
        "plan": "pro",
    }
    token = _call(server, "POST", "/api/v1/signup", signup)["api_token"]
    for n, name in enumerate(("Hugo", "Inès", "Jules")):
        person = {
            "email": f"{name.lower()}{n}@fromagerie.fr",
            "first_name": name,
            "last_name": "Durand",
            "role": "end_user",
        }
        _call(server, "POST", "/api/v1/users", person, token)
    ended = (dt.datetime.now(dt.UTC) - dt.timedelta(days=40)).isoformat(sep=" ")
    with sqlite3.connect(server.workdir / "browser.sqlite3") as connection:
        connection.execute(
            "UPDATE billing_subscriptions SET trial_ends_at = ? WHERE billing_email = ?",
            (ended, EMAIL),
        )
    server.cli("billing", "run")


def test_billing_page(page: Any, live_server: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base = live_server.url
    _invoiced_workspace(live_server)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    page.locator(".sidebar-nav a", has_text="Facturation").click()
    page.wait_for_url(f"{base}/w/{SLUG}/admin/billing")
    expect(page.locator("[data-billing=plan]")).to_have_text("Pro")
    expect(page.locator("[data-billing=seats]")).to_have_text("4")
    expect(page.locator("[data-billing=status]")).to_have_text("Actif")
    expect(page.locator(".billing-invoices tbody tr")).to_have_count(1)
    expect(page.locator(".billing-invoices")).to_contain_text("FA00000001")
    screenshot(page, "billing-page")

    with page.expect_download() as download:
        page.locator(".billing-invoices a", has_text="Télécharger").click()
    assert download.value.suggested_filename == "facture-FA00000001.pdf"

    page.locator("[data-plan=essentiel] button", has_text="Changer en fin de période").click()
    page.wait_for_url(f"{base}/w/{SLUG}/admin/billing")
    expect(page.locator("[data-billing=downgrade-scheduled]")).to_contain_text("Essentiel")

    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Résilier en fin de période").click()
    page.wait_for_url(f"{base}/w/{SLUG}/admin/billing")
    expect(page.locator("[data-billing=cancel-scheduled]")).to_be_visible()
    screenshot(page, "billing-page-cancel-scheduled")
