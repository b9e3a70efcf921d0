"""The pipeline in real Chromium: drag a card to another column, move one
with the keyboard alone, lose one (the reason is asked), then the list and
a deal's page. Screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "atelier-pipeline"
EMAIL = "claire.martin@atelier-pipeline.fr"
PASSWORD = "Un-four-a-bois-1923"


def _call(server: LiveServer, method: str, path: str, body: Any, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}", data=data, method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _seed(server: LiveServer) -> dict[str, str]:
    """A workspace with accounts and deals across the stages; {name: id}."""
    signup = _call(
        server,
        "POST",
        "/api/v1/signup",
        {
            "company_name": "Atelier Pipeline",
            "slug": SLUG,
            "admin_email": EMAIL,
            "admin_password": PASSWORD,
            "plan": "pro",
        },
    )
    token = signup["api_token"]
    listed = _call(server, "GET", "/api/v1/pipeline/stages", None, token)
    stages = {stage["key"]: stage["id"] for stage in listed["items"]}
    accounts = {}
    for name in ("Boulangerie Émile", "Fromagerie Garnier", "Hôtel des Alpes", "Brasserie Lumière"):
        accounts[name] = _call(server, "POST", "/api/v1/accounts", {"name": name}, token)["id"]
    today = dt.date.today().replace(day=1)
    deals = [
        ("Four à sole 4 étages", "Boulangerie Émile", "18500", "prospecting", 20),
        ("Pétrin spirale 80 L", "Boulangerie Émile", "7200", "qualification", 45),
        ("Cave d'affinage", "Fromagerie Garnier", "32000", "proposal", 50),
        ("Vitrine réfrigérée", "Fromagerie Garnier", "6400.50", "proposal", 70),
        ("Cuisine centrale", "Hôtel des Alpes", "64000", "negotiation", 80),
        ("Lave-vaisselle à capot", "Brasserie Lumière", "5900", "prospecting", 100),
        ("Chambre froide", "Hôtel des Alpes", "21000", "won", 130),
    ]
    ids = {}
    for name, account, amount, stage, days in deals:
        close = today + dt.timedelta(days=days)
        body = {
            "name": name,
            "account_id": accounts[account],
            "amount": amount,
            "stage_id": stages[stage],
            "expected_close_date": str(close),
        }
        ids[name] = _call(server, "POST", "/api/v1/opportunities", body, token)["id"]
    return ids


def test_pipeline_board_moves(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    ids = _seed(live_server)
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    page.locator(".sidebar-nav a", has_text="Pipeline").first.click()
    page.wait_for_url(f"{base}/w/{SLUG}/pipeline")
    columns = page.locator(".board-col")
    expect(columns).to_have_count(6)
    screenshot(page, "pipeline-board")

    # Drag "Four à sole" from Prospection to Qualification.
    card = page.locator(f"#deal-{ids['Four à sole 4 étages']}")
    target = page.locator(".board-col", has=page.locator("h2", has_text="Qualification"))
    card.drag_to(target.locator(".board-cards"))
    expect(target.locator(f"#deal-{ids['Four à sole 4 étages']}")).to_be_visible()
    expect(target.locator(".badge").first).to_have_text("2")
    page.wait_for_load_state("networkidle")
    expect(target.locator(f"#deal-{ids['Four à sole 4 étages']}")).to_be_visible()

    # Move "Cave d'affinage" to Négociation with the keyboard only.
    cave = ids["Cave d'affinage"]
    menu = page.locator(f"#move-{cave}")
    menu.focus()
    page.keyboard.press("ArrowDown")  # Proposition -> Négociation
    expect(menu).to_have_value(re.compile(r"[0-9a-f-]{36}"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    negotiation = page.locator(".board-col", has=page.locator("h2", has_text="Négociation"))
    expect(negotiation.locator(f"#deal-{cave}")).to_be_visible()
    expect(page.locator(f"#move-{cave}")).to_be_focused()

    # Alt + Right arrow on a card moves it one stage on.
    oven = f"#deal-{ids['Four à sole 4 étages']}"
    page.locator(f"{oven} .deal-name").focus()
    page.keyboard.press("Alt+ArrowRight")
    proposal = page.locator(".board-col", has=page.locator("h2", has_text="Proposition"))
    expect(proposal.locator(oven)).to_be_visible()

    # Losing a deal (here through its menu) asks why first.
    lost = page.locator(".board-col", has=page.locator("h2", has_text="Perdue"))
    washer = page.locator(f"#deal-{ids['Lave-vaisselle à capot']}")
    washer.locator("select[name=stage_id]").select_option(label="Perdue")
    washer.get_by_role("button", name="Déplacer").click()
    dialog = page.locator("#lost-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Lave-vaisselle à capot")
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    expect(washer.locator("select[name=stage_id] option:checked")).to_have_text("Prospection")
    washer.locator("select[name=stage_id]").select_option(label="Perdue")
    washer.get_by_role("button", name="Déplacer").click()
    expect(dialog).to_be_visible()
    screenshot(page, "pipeline-lost-reason")
    dialog.locator("select[name=lost_reason_id]").select_option(label="Prix trop élevé")
    dialog.get_by_role("button", name="Marquer perdue").click()
    expect(lost.locator(f"#deal-{ids['Lave-vaisselle à capot']}")).to_be_visible()
    expect(dialog).to_be_hidden()
    page.wait_for_load_state("networkidle")
    screenshot(page, "pipeline-after-moves")

    page.goto(f"/w/{SLUG}/opportunities")
    expect(page.locator("#deal-rows tr")).to_have_count(7)
    page.fill("input[name=q]", "vitrine")
    expect(page.locator("#deal-rows tr")).to_have_count(1)
    page.fill("input[name=q]", "")
    expect(page.locator("#deal-rows tr")).to_have_count(7)
    screenshot(page, "opportunities-list")

    page.goto(f"/w/{SLUG}/opportunities/{cave}")
    expect(page.locator(".stage-step.is-current")).to_have_text("Négociation")
    expect(page.locator("#stage-history li")).to_have_count(2)
    screenshot(page, "opportunity-record")

    # The account's page lists its opportunities, open ones first.
    page.locator(".record-facts a", has_text="Fromagerie Garnier").click()
    panel = page.locator("#panel-opportunities")
    expect(panel).to_contain_text("Cave d'affinage")
    expect(panel).to_contain_text("Vitrine réfrigérée")
    screenshot(page, "account-opportunities-panel")

    page.goto(f"/w/{SLUG}/admin/pipeline")
    expect(page.locator(".stage-setting")).to_have_count(12)  # 6 stages, 6 reasons
    screenshot(page, "pipeline-settings")


def test_new_opportunity_and_lost_from_its_page(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    page.goto(f"/w/{SLUG}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")

    page.goto(f"/w/{SLUG}/opportunities/new")
    page.fill("#f-name", "Laminoir")
    page.fill("#f-amount", "douze mille")
    page.get_by_role("button", name="Créer l'opportunité").click()
    expect(page.locator(".field-error")).to_contain_text("montant")
    expect(page.locator("#f-name")).to_have_value("Laminoir")
    page.fill("#f-amount", "12 480,50")
    page.fill("input[name=account_q]", "emile")
    expect(page.locator("#f-account_id")).to_contain_text("Boulangerie Émile")
    page.fill("#f-expected_close_date", str(dt.date.today() + dt.timedelta(days=20)))
    screenshot(page, "opportunity-form")
    page.get_by_role("button", name="Créer l'opportunité").click()
    page.wait_for_url(re.compile(rf"{base}/w/{SLUG}/opportunities/[0-9a-f-]{{36}}$"))
    expect(page.locator(".flash-success")).to_contain_text("Opportunité créée")
    expect(page.locator(".page-title")).to_contain_text("Laminoir")
    expect(page.locator(".deal-headline")).to_contain_text("12 480,50 €")

    page.locator(".stage-bar button", has_text="Perdue").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Pourquoi a-t-elle été perdue ?")
    dialog.locator("select").select_option(label="Pas de budget")
    dialog.get_by_role("button", name="Marquer perdue").click()
    expect(page.locator(".flash-success")).to_contain_text("Opportunité déplacée")
    expect(page.locator(".page-title .badge")).to_have_text("Perdue")
    expect(page.locator(".record-facts")).to_contain_text("Pas de budget")
    screenshot(page, "opportunity-lost")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/w/{SLUG}/pipeline")
    expect(page.locator(".board-col").first).to_be_visible()
    screenshot(page, "pipeline-mobile", full_page=False)
