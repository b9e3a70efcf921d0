"""Sensitive actions in Chromium: a token with an expiry day, then, once the
password entry is old, the password asked again before the next token."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "cave-durand"
ADMIN_EMAIL = "martine.durand@cave-durand.fr"
PASSWORD = "Un-verre-de-rouge-le-soir-7"


def _sign_up(server: LiveServer) -> None:
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}/api/v1/signup",
        data=json.dumps(
            {
                "company_name": "Cave Durand",
                "slug": SLUG,
                "admin_email": ADMIN_EMAIL,
                "admin_password": PASSWORD,
                "plan": "pro",
            }
        ).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201


def _password_entered_long_ago(server: LiveServer) -> None:
    """Eleven minutes pass in the server's database, for every session."""
    database = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)).isoformat(" ")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE user_sessions SET authenticated_at = ?", (long_ago,))


def test_token_with_an_expiry_then_the_password_asked_again(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    _sign_up(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("#f-email", ADMIN_EMAIL)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/w/{SLUG}/")

    page.goto(f"/w/{SLUG}/admin/tokens")
    page.fill("#f-name", "Export comptable")
    day = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    page.fill("#f-expires_on", day)
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.locator("#new-token")).to_contain_text("cpt_")
    expect(page.locator("table")).to_contain_text("Export comptable")
    screenshot(page, "admin-tokens-expiry")

    _password_entered_long_ago(live_server)
    page.goto(f"/w/{SLUG}/admin/tokens")
    page.fill("#f-name", "Site web")
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.locator("h1")).to_have_text("Confirmez votre mot de passe")
    page.fill("#f-reauth_password", "pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Confirmer et continuer").click()
    expect(page.locator(".flash-error")).to_contain_text("Mot de passe incorrect.")
    screenshot(page, "confirm-password")
    page.fill("#f-reauth_password", PASSWORD)
    page.get_by_role("button", name="Confirmer et continuer").click()
    expect(page.locator("#new-token")).to_contain_text("cpt_")
    expect(page.locator("table")).to_contain_text("Site web")
