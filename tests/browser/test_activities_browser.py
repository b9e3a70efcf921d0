"""Follow-ups in real Chromium: the home page lists the overdue and today's
follow-ups, one click marks one done in place (no reload), a quick follow-up
is added from the home page; the activities list filters as you choose; the
calendar subscription is turned on from one's settings. Screenshots under
test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "menuiserie-bertin"
EMAIL = "claire.bertin@menuiserie-bertin.fr"
PASSWORD = "Du-chene-massif-pour-2027"
PARIS = ZoneInfo("Europe/Paris")


def _call(server: LiveServer, path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=json.dumps(body).encode(), method="POST", headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
        return dict(json.loads(response.read()))


def _seed(server: LiveServer) -> str:
    """The workspace, a few contacts and the admin's activities; the API token."""
    signup = _call(
        server,
        "/api/v1/signup",
        {
            "company_name": "Menuiserie Bertin",
            "slug": SLUG,
            "admin_email": EMAIL,
            "admin_password": PASSWORD,
            "plan": "pro",
        },
    )
    token = str(signup["api_token"])
    account = _call(server, "/api/v1/accounts", {"name": "Hôtel des Voyageurs"}, token)
    roux = _call(
        server,
        "/api/v1/contacts",
        {"first_name": "Hélène", "last_name": "Roux", "account_id": account["id"]},
        token,
    )
    now = dt.datetime.now(PARIS)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    plans = [
        ("call", "Rappeler l'architecte pour les plans", day - dt.timedelta(days=2, hours=-10)),
        ("email", "Envoyer le devis de l'escalier", day - dt.timedelta(days=1, hours=-15)),
        ("call", "Appeler Hélène Roux", day + dt.timedelta(minutes=5)),
        ("meeting", "Métré chez M. Lambert", day + dt.timedelta(minutes=10)),
        ("task", "Commander le chêne", day + dt.timedelta(minutes=15)),
        ("meeting", "Pose de la cuisine", day + dt.timedelta(days=3, hours=9)),
        ("email", "Envoyer les échantillons à Hélène Roux", day + dt.timedelta(days=2, hours=11)),
    ]
    for kind, subject, due in plans:
        body: dict[str, Any] = {"kind": kind, "subject": subject, "due_at": due.isoformat()}
        if "Roux" in subject:
            body.update(contact_id=roux["id"], account_id=account["id"])
        if kind == "meeting":
            body.update(ends_at=(due + dt.timedelta(hours=1)).isoformat(), location="Annecy")
        _call(server, "/api/v1/activities", body, token)
    _call(server, "/api/v1/activities", {"kind": "note", "subject": "Préfère le matin"}, token)
    return token


def test_follow_ups_flow(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    _seed(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    overdue = page.locator("#follow-ups-overdue .fu-item")
    today = page.locator("#follow-ups-today .fu-item")
    expect(overdue).to_have_count(2)
    expect(today).to_have_count(3)
    expect(page.locator("#follow-ups")).not_to_contain_text("Pose de la cuisine")
    screenshot(page, "home-follow-ups")

    # One click: the line is done in place; the page is not reloaded.
    page.evaluate("window.__stillHere = true")
    line = today.filter(has_text="Appeler Hélène Roux")
    line.get_by_role("button", name=re.compile("Marquer comme fait")).click()
    expect(line).to_have_class(re.compile("is-done"))
    assert page.evaluate("window.__stillHere") is True
    screenshot(page, "home-follow-up-done", full_page=False)
    # …and again, to open it again.
    line.get_by_role("button", name=re.compile("Rouvrir")).click()
    expect(line).not_to_have_class(re.compile("is-done"))
    line.get_by_role("button", name=re.compile("Marquer comme fait")).click()
    expect(line).to_have_class(re.compile("is-done"))

    # A quick follow-up from the home page.
    page.fill("#q-subject", "Relancer l'hôtel pour l'acompte")
    page.select_option("#q-kind", "call")
    page.get_by_role("button", name="Ajouter la relance").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")
    expect(page.locator(".flash-success")).to_contain_text("Activité enregistrée")

    # The list: mine and to do by default, then only the calls, live.
    page.locator(".sidebar-nav a", has_text="Activités").click()
    page.wait_for_url(f"{base}/w/{SLUG}/activities")
    rows = page.locator("#activity-rows tr.act-row")
    expect(rows).to_have_count(8)  # 8 planned, 1 done (left out), plus the quick one
    screenshot(page, "activities-list")
    page.select_option("select[name=kind]", "call")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"kind=call"))
    page.select_option("select[name=kind]", "")
    page.select_option("select[name=when]", "overdue")
    expect(rows).to_have_count(2)
    page.fill("input[name=q]", "escalier")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name=re.compile("Marquer comme fait")).click()
    expect(rows.first).to_have_class(re.compile("is-done"))

    # An activity's page: its form and its calendar file.
    page.goto(f"/w/{SLUG}/activities?when=today&done=all")
    page.locator("#activity-rows a", has_text="Métré chez M. Lambert").click()
    expect(page.locator("#f-subject")).to_have_value("Métré chez M. Lambert")
    expect(page.locator(".page-actions a", has_text="Ajouter à mon agenda")).to_be_visible()
    screenshot(page, "activity-form")

    # The contact's page: its next follow-ups, and the done call in its history.
    page.goto(f"/w/{SLUG}/activities?done=all")
    page.locator('#activity-rows a[href*="/contacts/"]', has_text="Hélène Roux").first.click()
    page.wait_for_url(re.compile(rf"{base}/w/{SLUG}/contacts/[0-9a-f-]{{36}}$"))
    expect(page.locator("#panel-next-follow-ups")).to_contain_text("Envoyer les échantillons")
    expect(page.locator("#record-history")).to_contain_text("Appeler Hélène Roux")
    screenshot(page, "contact-follow-ups")

    # On a phone the follow-ups come first, full width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/w/{SLUG}/")
    expect(page.locator("#follow-ups-overdue .fu-item").first).to_be_visible()
    screenshot(page, "home-follow-ups-mobile")
    page.goto(f"/w/{SLUG}/activities")
    screenshot(page, "activities-list-mobile")
    page.set_viewport_size({"width": 1440, "height": 900})

    # One's settings: the calendar subscription's address, shown once.
    page.goto(f"/w/{SLUG}/account/follow-ups")
    page.get_by_role("button", name="Activer l'abonnement").click()
    expect(page.locator("#feed-url")).to_contain_text(f"/calendar/{SLUG}/")
    feed_url = page.locator("#feed-url").inner_text()
    screenshot(page, "follow-up-settings")
    with urllib.request.urlopen(feed_url, timeout=10) as response:  # noqa: S310
        body = response.read().decode()
    assert "BEGIN:VCALENDAR" in body and "Métré chez M. Lambert" in body
