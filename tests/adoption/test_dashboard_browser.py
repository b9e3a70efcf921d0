"""The adoption dashboard in real Chromium, with 60 days of demo usage: the
charts are drawn (Chart.js from the vendored file, no inline script) and the
page is screenshotted (test-artifacts/screenshots/adoption-dashboard*.png)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import (  # the browser fixtures, for this folder too
    MOBILE,
    LiveServer,
    browser,  # noqa: F401
    live_server,  # noqa: F401
    page,  # noqa: F401
    screenshot,
)

pytestmark = pytest.mark.browser

SLUG = "cafe-des-arts"
EMAIL = "lea.garnier@cafe-des-arts.fr"
PASSWORD = "Un-cafe-bien-serre-42"
SEED = """
import asyncio, sys
from comptoir.platform.cli import run
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.adoption.usage.demo import seed_usage

async def main() -> None:
    tenant = await tenant_by_slug(sys.argv[1])
    await seed_usage(tenant)

run(main())
"""


def _post(server: LiveServer, path: str, body: Any, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=json.dumps(body).encode(), method="POST", headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def _workspace_with_history(server: LiveServer) -> None:
    signup = {
        "company_name": "Café des Arts",
        "slug": SLUG,
        "admin_email": EMAIL,
        "admin_password": PASSWORD,
        "plan": "pro",
    }
    token = _post(server, "/api/v1/signup", signup)["api_token"]
    for n, (first, last, role) in enumerate(
        [
            ("Hugo", "Martin", "key_user"),
            ("Inès", "Roux", "end_user"),
            ("Jules", "Faure", "end_user"),
            ("Kenza", "Blanc", "end_user"),
            ("Louis", "Perrin", "end_user"),
            ("Maëlle", "Girard", "end_user"),
            ("Nathan", "Bonnet", "end_user"),
            ("Océane", "Lambert", "key_user"),
        ]
    ):
        _post(
            server,
            "/api/v1/users",
            {
                "email": f"user{n}@cafe-des-arts.fr",
                "first_name": first,
                "last_name": last,
                "role": role,
            },
            token,
        )
    result = subprocess.run(
        [sys.executable, "-c", SEED, SLUG],
        env=server.env,
        cwd=server.workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_dashboard_draws_its_charts(page: Any, live_server: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    _workspace_with_history(live_server)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/w/{SLUG}/")
    page.get_by_role("link", name="Adoption", exact=True).click()
    page.wait_for_url(f"{live_server.url}/w/{SLUG}/adoption")
    expect(page.locator(".page-title")).to_have_text("Adoption")
    expect(page.locator("[data-stat=seat-activation]")).not_to_have_text("—")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => window.Chart && window.Chart.getChart(c))"
    )
    assert page.locator("canvas[data-chart]").count() == 4
    assert not errors, errors  # no CSP refusal, no script error
    screenshot(page, "adoption-dashboard")
    page.select_option("#f-role", "key_user")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/adoption?*role=key_user*")
    expect(page.locator("#f-role")).to_have_value("key_user")
    page.set_viewport_size(MOBILE)
    screenshot(page, "adoption-dashboard-phone")
