"""The ops console in headless Chromium: sign in with a TOTP code, search the
tenants, open one, suspend and reactivate it, impersonate a user with a reason.
Screenshots of the login, the tenant list and a tenant page go to
test-artifacts/screenshots/ for review."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, LiveServer, screenshot

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "Cafe-creme-2026-bien-serre"
COMPANIES = [
    ("Atelier Céramique Loire", "atelier-ceramique", "essentiel", 2),
    ("Transports Bréhat", "transports-brehat", "pro", 4),
    ("Hôtel des Tilleuls", "hotel-tilleuls", "pro", 3),
    ("Pharmacie Saint-Michel", "pharmacie-st-michel", "essentiel", 1),
    ("Domaine Viticole Castel", "domaine-castel", "entreprise", 5),
    ("Boulangerie du Marché", "boulangerie-marche", "pro", 3),
]
PEOPLE = [
    ("Camille", "Durand", "key_user"),
    ("Lucas", "Moreau", "end_user"),
    ("Inès", "Fontaine", "end_user"),
    ("Hugo", "Mercier", "end_user"),
]


@dataclass
class ConsoleWorld:
    email: str
    password: str
    secret: str
    tenants: dict[str, str]  # slug -> admin e-mail
    last_step: int = -1

    def code(self) -> str:
        """A code not used yet: the console accepts each time step once, and
        the previous, current and next steps only."""
        totp = pyotp.TOTP(self.secret)
        while True:
            current = int(time.time()) // totp.interval
            step = max(current, self.last_step + 1)
            if step <= current + 1:
                break
            time.sleep(1)
        self.last_step = step
        return totp.generate_otp(step)


def _database_path(server: LiveServer) -> str:
    return server.env["DATABASE_URL"].removeprefix("sqlite:///")


def _api(server: LiveServer, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return dict(json.loads(response.read()))


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Any]:
    """Chromium for this module only. Playwright's sync API keeps an event loop
    registered on the main thread while it runs, which stops the asyncio tests
    collected after this folder; closing it at the end of the module avoids that."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A browser that asks for English: the console follows Accept-Language
    until a language is chosen (French browsers get French)."""
    context = browser.new_context(
        viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Paris", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> ConsoleWorld:
    """The demo staff account (so the demo hint shows) and a few tenants with
    people, made through the CLI and the API like an operator would."""
    from comptoir.platform.console.service import DEMO_STAFF_EMAIL as STAFF_EMAIL
    from comptoir.platform.console.service import DEMO_STAFF_PASSWORD as STAFF_PASSWORD

    with sqlite3.connect(_database_path(live_server)) as db:
        row = db.execute("SELECT totp_secret FROM staff_users WHERE email = ?", (STAFF_EMAIL,))
        found = row.fetchone()
    if found is None:
        out = live_server.cli(
            "staff", "create", "--email", STAFF_EMAIL, "--name", "Olivia Ops",
            "--password", STAFF_PASSWORD,
        )  # fmt: skip
        secret = re.search(r"secret: (\w+)", out).group(1)  # type: ignore[union-attr]
    else:
        secret = found[0]
    tenants: dict[str, str] = {}
    for company, slug, plan, people in COMPANIES:
        admin = f"direction@{slug}.fr"
        out = live_server.cli(
            "tenants", "create", "--company", company, "--slug", slug, "--plan", plan,
            "--admin-email", admin, "--admin-password", ADMIN_PASSWORD,
        )  # fmt: skip
        token = out.strip().splitlines()[-1]
        for first, last, role in PEOPLE[: people - 1]:
            email = f"{first.lower()}.{last.lower()}@{slug}.fr".replace("è", "e")
            email = email.replace("é", "e")
            _api(
                live_server,
                "/api/v1/users",
                token,
                {"email": email, "first_name": first, "last_name": last, "role": role},
            )
        tenants[slug] = admin
    return ConsoleWorld(email=STAFF_EMAIL, password=STAFF_PASSWORD, secret=secret, tenants=tenants)


# Whether an element can be reached by a person: scrolled to with the page
# (never inside a clipping box), in the viewport, and the topmost element at
# its centre. Returns the centre, or why not.
REACHABLE = """el => {
  const rect = el.getBoundingClientRect();
  window.scrollBy(0, rect.top + rect.height / 2 - window.innerHeight / 2);
  const page = document.scrollingElement;
  for (let box = el.parentElement; box && box !== page; box = box.parentElement) {
    if (box.scrollTop || box.scrollLeft) return {why: "scrolled inside " + box.className};
  }
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (r.width === 0 || r.height === 0) return {why: "not displayed"};
  if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return {why: "off screen"};
  const top = document.elementFromPoint(x, y);
  if (!top || !(top === el || el.contains(top))) {
    return {why: "covered or clipped by " + (top ? top.tagName + "." + top.className : "nothing")};
  }
  return {x, y};
}"""


def click_as_a_person(page: Any, locator: Any) -> None:
    """Click ``locator`` where a person would: fail if it is clipped, covered
    or off screen, rather than scrolling inside its card as Playwright may."""
    found = locator.evaluate(REACHABLE)
    assert "why" not in found, f"cannot be clicked by a person: {found['why']}"
    locator.click(trial=True)
    page.mouse.click(found["x"], found["y"])


def sign_in(page: Any, world: ConsoleWorld, *, shot: str | None = None) -> None:
    page.goto("/console/")
    page.wait_for_url(re.compile(r"/console/login\?next="))
    assert page.locator("text=Demo only").is_visible()
    page.fill("input[name=email]", world.email)
    page.fill("input[name=password]", world.password)
    if shot:
        page.fill("input[name=code]", "")
        screenshot(page, shot, full_page=False)
    page.fill("input[name=code]", world.code())
    page.click("[data-action=sign-in]")
    page.wait_for_url(re.compile(r"/console/?$"))


def test_staff_signs_in_with_totp_and_searches_tenants(page: Any, world: ConsoleWorld) -> None:
    page.goto("/console/login")
    page.fill("input[name=email]", world.email)
    page.fill("input[name=password]", world.password)
    current = pyotp.TOTP(world.secret).now()
    page.fill("input[name=code]", "000000" if current != "000000" else "111111")
    page.click("[data-action=sign-in]")
    assert page.locator("[data-login-error]").inner_text() == "Incorrect e-mail, password or code."
    assert page.input_value("input[name=email]") == world.email

    sign_in(page, world, shot="console-login")
    rows = page.locator("tr[data-tenant]")
    assert rows.count() >= len(COMPANIES)
    assert page.locator("[data-stat=all] .stat-value").inner_text().strip() != "0"
    screenshot(page, "console-tenants", full_page=False)

    page.fill("#tenant-search", "boul")
    page.wait_for_function(
        "() => document.querySelectorAll('tr[data-tenant]').length === 1", timeout=5000
    )
    assert rows.first.get_attribute("data-tenant") == "boulangerie-marche"
    assert "q=boul" in page.url  # the live search keeps the address shareable

    page.fill("#tenant-search", "nobody-has-this-name")
    page.wait_for_selector("text=No tenant matches these filters.")

    page.goto("/console/")
    page.click(".sidebar .segmented-item[value=fr]")
    page.wait_for_selector("h1:has-text('Clients')")
    screenshot(page, "console-tenants-fr", full_page=False)
    page.click(".sidebar .segmented-item[value=en]")
    page.wait_for_selector("h1:has-text('Tenants')")


def test_staff_suspends_reactivates_and_impersonates(page: Any, world: ConsoleWorld) -> None:
    sign_in(page, world)
    page.click("a[data-open-tenant]:has-text('Transports Bréhat')")
    page.wait_for_url(re.compile(r"/console/tenants/"))
    assert page.locator("#users tbody tr").count() == 4
    assert page.locator("#provisioning li").count() >= 5
    screenshot(page, "console-tenant", full_page=False)
    screenshot(page, "console-tenant-full")  # the whole page: lists are paged
    page.locator("#outbox a[data-open-message]").first.click()
    page.wait_for_selector("#outbox-reader .cs-reader-body")
    reader = page.inner_text("#outbox-reader")
    assert "/w/transports-brehat/invitations/[redacted]" in reader  # never a live link
    page.locator("#outbox").scroll_into_view_if_needed()
    screenshot(page, "console-tenant-outbox", full_page=False)

    click_as_a_person(page, page.locator("[data-action=open-suspend]"))
    click_as_a_person(page, page.locator("#f-suspend-reason"))
    page.keyboard.type("Unpaid invoices since March")
    click_as_a_person(page, page.locator("[data-action=suspend]"))
    page.wait_for_selector("[data-suspended]:has-text('Unpaid invoices since March')")
    assert page.locator("h1 [data-status=suspended]").is_visible()
    assert page.locator("[data-action=open-impersonate]").count() == 0
    screenshot(page, "console-tenant-suspended", full_page=False)

    page.click("[data-action=reactivate]")
    page.wait_for_selector("text=The workspace is active again")
    assert page.locator("#audit").get_by_text("tenant.reactivate").count() >= 1

    # The last row's popover opens below the table: it must not be clipped by
    # its card (the reason box and the button were unreachable with a mouse).
    last = page.locator("#users tbody tr").last
    click_as_a_person(page, last.locator("[data-action=open-impersonate]"))
    click_as_a_person(page, last.locator("textarea[name=reason]"))
    click_as_a_person(page, last.locator("[data-action=impersonate]"))
    screenshot(page, "console-tenant-impersonate", full_page=False)
    last.locator("summary[data-action=open-impersonate]").evaluate("el => el.click()")

    admin = world.tenants["transports-brehat"]
    row = page.locator(f"#users tr[data-user='{admin}']")
    click_as_a_person(page, row.locator("[data-action=open-impersonate]"))
    click_as_a_person(page, row.locator("textarea[name=reason]"))
    page.keyboard.type("short")
    click_as_a_person(page, row.locator("[data-action=impersonate]"))
    # The browser refuses a reason under 10 characters before it is even sent
    # (the server refuses it too: see tests/console/test_console.py).
    assert row.locator("textarea[name=reason]").evaluate("el => !el.checkValidity()")
    assert "/console/tenants/" in page.url
    row = page.locator(f"#users tr[data-user='{admin}']")
    row.locator("textarea[name=reason]").fill("Ticket 4521: the quote export fails")
    click_as_a_person(page, row.locator("[data-action=impersonate]"))
    page.wait_for_url(re.compile(r"/w/transports-brehat/"))
    assert page.get_by_text("Ticket 4521: the quote export fails").first.is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["comptoir_session"]
    assert session["path"] == "/w/transports-brehat" and session["httpOnly"]

    page.goto("/console/audit")
    entry = page.locator("tr[data-action='staff.impersonate']").first
    assert "Ticket 4521: the quote export fails" in entry.inner_text()
    screenshot(page, "console-audit", full_page=False)


def test_console_speaks_the_browsers_language(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", base_url=live_server.url)
    try:
        tab = context.new_page()
        tab.goto("/console/login")
        assert tab.locator("html").get_attribute("lang") == "fr"
        assert "Staff access only" not in tab.inner_text("body")
        screenshot(tab, "console-login-fr", full_page=False)
    finally:
        context.close()
