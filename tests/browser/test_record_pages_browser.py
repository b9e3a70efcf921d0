"""Record pages in real Chromium: a contact's page (key facts, consent badge,
history with the change of a field, its account, next follow-ups) and an
account's page (facts, its contacts, history), on a desktop and a phone; the
contact's edit form with its selects, date, number and tags. Screenshots under
test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import MOBILE, LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "domaine-chaumet"
EMAIL = "lucie.chaumet@domaine-chaumet.fr"
PASSWORD = "Un-pinot-noir-de-2019"


def _call(
    server: LiveServer, method: str, path: str, body: dict[str, Any], token: str = ""
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=json.dumps(body).encode(), method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status in (200, 201)
        return dict(json.loads(response.read()))


def _seed(server: LiveServer) -> tuple[str, str]:
    """The workspace, an account with a few contacts, activities; (account, contact) ids."""
    signup = _call(
        server,
        "POST",
        "/api/v1/signup",
        {
            "company_name": "Domaine Chaumet",
            "slug": SLUG,
            "admin_email": EMAIL,
            "admin_password": PASSWORD,
            "plan": "pro",
        },
    )
    token = str(signup["api_token"])
    account = _call(
        server,
        "POST",
        "/api/v1/accounts",
        {
            "name": "Cave des Halles",
            "siren": "732 829 320",
            "industry": "Caviste",
            "employees": 14,
            "website": "cave-des-halles.fr",
            "phone": "03 80 12 34 56",
            "address": "4 place des Halles",
            "postcode": "21000",
            "city": "Dijon",
            "notes": "Client depuis 2019. Commande surtout avant les fêtes.",
        },
        token,
    )
    contact = _call(
        server,
        "POST",
        "/api/v1/contacts",
        {
            "first_name": "Émilie",
            "last_name": "Perrin",
            "job_title": "Acheteuse vins",
            "account_id": account["id"],
            "email": "emilie.perrin@cave-des-halles.fr",
            "phone": "03 80 12 34 57",
            "mobile": "06 12 34 56 78",
            "address": "4 place des Halles",
            "postcode": "21000",
            "city": "Dijon",
            "country": "France",
            "marketing_consent": True,
            "consent_source": "Salon des vins de Beaune",
            "preferred_channel": "email",
            "birth_date": "1986-09-14",
            "family_situation": "married",
            "children": 2,
            "profession_category": "3",
            "interests": ["bourgogne", "vins nature", "dégustations"],
        },
        token,
    )
    for first, last, title in [
        ("Marc", "Lenoir", "Gérant"),
        ("Sophie", "Bardet", "Comptable"),
        ("Karim", "Haddad", "Caviste"),
    ]:
        _call(
            server,
            "POST",
            "/api/v1/contacts",
            {
                "first_name": first,
                "last_name": last,
                "job_title": title,
                "account_id": account["id"],
            },
            token,
        )
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    _call(
        server,
        "POST",
        "/api/v1/activities",
        {
            "kind": "call",
            "subject": "Rappeler pour la commande de Noël",
            "due_at": soon.isoformat(),
            "contact_id": contact["id"],
            "account_id": account["id"],
        },
        token,
    )
    _call(
        server,
        "POST",
        "/api/v1/activities",
        {
            "kind": "note",
            "subject": "Aime les cuvées peu sulfitées",
            "body": "Goûté le Pommard 2021 au salon : très intéressée.",
            "contact_id": contact["id"],
        },
        token,
    )
    return str(account["id"]), str(contact["id"])


def test_contact_and_account_record_pages(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    account_id, contact_id = _seed(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    # Edit the contact: the work phone changes; the select, date, number and tags are filled.
    page.goto(f"/w/{SLUG}/contacts/{contact_id}/edit")
    expect(page.locator("#f-profession_category")).to_have_value("3")
    expect(page.locator("#f-birth_date")).to_have_value("1986-09-14")
    expect(page.locator("#f-interests")).to_have_value("bourgogne, vins nature, dégustations")
    page.fill("#f-phone", "03 80 99 88 77")
    page.fill("#f-children", "3")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "contact-edit-form")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"{base}/w/{SLUG}/contacts/{contact_id}")

    history = page.locator("#record-history")
    expect(history.locator(".timeline-item").first).to_contain_text("03 80 99 88 77")
    expect(history).to_contain_text("Téléphone professionnel")
    expect(history).to_contain_text("Aime les cuvées peu sulfitées")
    expect(page.locator("#contact-account")).to_contain_text("Cave des Halles")
    expect(page.locator("#panel-next-follow-ups")).to_contain_text("Rappeler pour la commande")
    expect(page.locator(".record-title-line .badge-success")).to_be_visible()
    expect(page.locator("a[href='tel:0612345678']").first).to_be_visible()
    screenshot(page, "contact-record")

    page.locator("#contact-account a", has_text="Cave des Halles").click()
    page.wait_for_url(f"{base}/w/{SLUG}/accounts/{account_id}")
    expect(page.locator("#account-contacts .list-item")).to_have_count(4)
    expect(page.locator("#panel-next-follow-ups")).to_contain_text("Rappeler pour la commande")
    expect(page.locator("#record-history")).to_contain_text("A créé un compte")
    screenshot(page, "account-record")

    # The contacts list: city and consent columns, filters applied as they change.
    page.goto(f"/w/{SLUG}/contacts")
    page.select_option("select[name=marketing_consent]", "true")
    expect(page.locator("#contact-rows tr.row-link")).to_have_count(1)
    expect(page.locator("#contact-rows")).to_contain_text("Émilie Perrin")
    expect(page.locator("#contact-rows")).to_contain_text("Dijon")
    screenshot(page, "contacts-list-consent")

    page.set_viewport_size(MOBILE)
    page.goto(f"/w/{SLUG}/contacts/{contact_id}")
    expect(page.locator("#record-history")).to_be_visible()
    screenshot(page, "contact-record-mobile")
    assert re.search(r"/contacts/[0-9a-f-]{36}$", page.url)
