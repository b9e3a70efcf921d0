"""The workspace in real Chromium: signup, contacts with live search, edit,
delete, administration, language switch, sign out and in again; screenshots
of every page for review under test-artifacts/screenshots/."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import MOBILE, LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "atelier-moreau"
ADMIN_EMAIL = "claire.moreau@atelier-moreau.fr"
PASSWORD = "Un-bon-cafe-le-matin-42"
PEOPLE = [
    ("Camille", "Lefebvre", "Gérante", "Boulangerie du Marché", "+33 1 42 11 20 30"),
    ("Hugo", "Bernard", "Directeur administratif", "Hôtel des Tilleuls", "+33 4 72 10 44 12"),
    ("Inès", "Martin", "Responsable achats", "Garage Vernier", "+33 2 40 55 18 09"),
    ("Louis", "Garnier", "Président", "Transports Bréhat", "+33 2 96 20 31 77"),
    ("Océane", "Petit", "Comptable", "Pharmacie Saint-Michel", "+33 5 56 81 02 64"),
    ("Benoît", "Faure", "Chef de projet", "Imprimerie Gutenberg", "+33 3 88 32 90 15"),
    ("Nathalie", "Roux", "Directrice commerciale", "Domaine Castel", "+33 4 67 22 71 38"),
    ("Sébastien", "Girard", "Responsable technique", "Clinique des Alpes", "+33 4 76 43 12 50"),
]


def _api(server: LiveServer, token: str, method: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(  # noqa: S310 (the local test server)
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _seed_contacts(server: LiveServer) -> None:
    """Some contacts, so that the pages show what a real workspace looks like."""
    output = server.cli("tokens", "create", "--tenant", SLUG, "--email", ADMIN_EMAIL)
    token = output.strip().splitlines()[-1].strip()
    for first, last, title, company, phone in PEOPLE:
        email = f"{first[0].lower()}.{last.lower()}@exemple.fr"
        _api(
            server,
            token,
            "POST",
            "/api/v1/contacts",
            {
                "first_name": first,
                "last_name": last,
                "job_title": title,
                "company_name": company,
                "phone": phone,
                "email": email,
            },
        )
    _api(server, token, "POST", "/api/v1/contacts", {"last_name": "Temporaire"})


def test_workspace_flow(page: Any, browser: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    page.on("dialog", lambda dialog: dialog.accept())
    base = live_server.url

    # Landing page -> signup.
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Le CRM que vos équipes utilisent vraiment")
    screenshot(page, "landing")
    page.locator(".hero-actions a[href='/signup']").click()
    page.wait_for_url(f"{base}/signup")
    page.fill("#f-company_name", "Atelier Moreau")
    expect(page.locator("#f-slug")).to_have_value(SLUG)
    expect(page.locator("#slug-status")).to_contain_text("Disponible", timeout=5000)
    page.fill("#f-admin_first_name", "Claire")
    page.fill("#f-admin_last_name", "Moreau")
    page.fill("#f-admin_email", ADMIN_EMAIL)
    page.fill("#f-admin_password", PASSWORD)
    page.locator("label.plan-option:has(input[value=pro])").click()
    screenshot(page, "signup")
    page.get_by_role("button", name="Créer mon espace").click()
    page.wait_for_url(f"{base}/w/{SLUG}/")
    expect(page.locator(".flash-success")).to_contain_text("Votre espace est prêt")
    expect(page.locator("h1")).to_have_text("Bonjour, Claire")

    _seed_contacts(live_server)
    page.reload()
    expect(page.locator("[data-stat=contacts]")).to_have_text("9")
    screenshot(page, "home")

    # Create a contact through the form.
    page.locator(".sidebar-nav a", has_text="Contacts").click()
    page.wait_for_url(f"{base}/w/{SLUG}/contacts")
    screenshot(page, "contacts-list")
    page.locator(".page-actions a", has_text="Nouveau contact").click()
    page.fill("#f-first_name", "Jeanne")
    page.fill("#f-last_name", "Lemoine")
    page.fill("#f-company_name", "Cave à Fromages Laurent")
    page.fill("#f-email", "jeanne.lemoine@exemple.fr")
    page.fill("#f-phone", "+33 6 12 34 56 78")
    screenshot(page, "contact-new")
    page.get_by_role("button", name="Créer le contact").click()
    page.wait_for_url(re.compile(rf"{base}/w/{SLUG}/contacts/[0-9a-f-]{{36}}$"))
    expect(page.locator(".flash-success")).to_contain_text("Contact créé.")
    expect(page.locator("h1")).to_have_text("Jeanne Lemoine")

    # Live search (htmx) finds it, and only it.
    page.goto(f"/w/{SLUG}/contacts")
    expect(page.locator("#contact-rows tr.row-link")).to_have_count(10)
    page.fill("input[name=q]", "lemoine")
    expect(page.locator("#contact-rows tr.row-link")).to_have_count(1)
    expect(page.locator("#contact-rows")).to_contain_text("Jeanne Lemoine")
    # The search is in the address bar (with the list's other filters, empty).
    assert parse_qs(urlsplit(page.url).query) == {"q": ["lemoine"]}
    assert urlsplit(page.url).path.endswith("/contacts")
    page.fill("input[name=q]", "zzzz")
    expect(page.locator("#contact-rows")).to_contain_text("Aucun contact ne correspond")
    page.fill("input[name=q]", "lemoine")
    page.locator("#contact-rows a.cell-person").first.click()

    # Its page, then edit it.
    expect(page.locator("h1")).to_have_text("Jeanne Lemoine")
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.fill("#f-job_title", "Fromagère")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".flash-success")).to_contain_text("Modifications enregistrées.")
    expect(page.locator(".page-subtitle")).to_contain_text("Fromagère")
    screenshot(page, "contact-form")

    # Delete another one, with the confirmation dialog.
    page.goto(f"/w/{SLUG}/contacts?q=temporaire")
    page.locator("#contact-rows a.cell-person").first.click()
    page.get_by_role("button", name="Supprimer…").click()
    expect(page.locator("#delete-dialog")).to_be_visible()
    page.locator("#delete-dialog").get_by_role("button", name="Supprimer le contact").click()
    page.wait_for_url(f"{base}/w/{SLUG}/contacts")
    expect(page.locator(".flash-success")).to_contain_text("Contact supprimé.")
    expect(page.locator("#contact-rows")).not_to_contain_text("Temporaire")

    # Administration: people, tokens, audit log.
    page.locator(".sidebar-nav a", has_text="Utilisateurs").click()
    page.fill("#f-email", "julien.morel@atelier-moreau.fr")
    page.fill("#f-first_name", "Julien")
    page.fill("#f-last_name", "Morel")
    page.select_option("#f-role", "key_user")
    page.get_by_role("button", name="Ajouter maintenant").click()
    expect(page.locator(".flash-success")).to_contain_text("Utilisateur ajouté")
    page.fill("#f-email", "sophie.garnier@atelier-moreau.fr")
    page.get_by_role("button", name="Envoyer une invitation").click()
    expect(page.locator(".flash-success")).to_contain_text("Invitation envoyée.")
    expect(page.locator("body")).to_contain_text("sophie.garnier@atelier-moreau.fr")
    screenshot(page, "admin-users")

    page.locator(".sidebar-nav a", has_text="Jetons d'API").click()
    page.fill("#f-name", "Formulaire du site web")
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.locator("#new-token")).to_contain_text("cpt_")
    screenshot(page, "admin-tokens")

    page.locator(".sidebar-nav a", has_text="Journal d'audit").click()
    expect(page.locator("table")).to_contain_text("A créé un contact")
    screenshot(page, "admin-audit")

    # Account and sessions.
    page.locator(".menu-trigger").click()
    page.locator(".menu-panel a", has_text="Mon compte").click()
    expect(page.locator(".row-current")).to_contain_text("Cet appareil")
    screenshot(page, "account-sessions")

    # The language switch, in the user menu.
    page.goto(f"/w/{SLUG}/")
    page.locator(".menu-trigger").click()
    page.locator(".menu-panel button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Hello, Claire")
    expect(page.locator(".sidebar-nav")).to_contain_text("Audit log")
    page.locator(".menu-trigger").click()
    page.locator(".menu-panel button[value=fr]").click()
    expect(page.locator("h1")).to_have_text("Bonjour, Claire")

    # The contacts list on a phone.
    phone = browser.new_context(
        viewport=MOBILE,
        locale="fr-FR",
        base_url=base,
        storage_state=page.context.storage_state(),
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    try:
        mobile = phone.new_page()
        mobile.goto(f"/w/{SLUG}/contacts")
        expect(mobile.locator("#contact-rows tr.row-link")).to_have_count(9)
        screenshot(mobile, "contacts-list-mobile")
        mobile.locator("[data-nav-toggle]").click()
        expect(mobile.locator(".sidebar")).to_be_in_viewport()
        screenshot(mobile, "sidebar-mobile", full_page=False)
    finally:
        phone.close()

    # Sign out, then in again.
    page.locator(".menu-trigger").click()
    page.locator(".menu-panel button", has_text="Se déconnecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/login")
    expect(page.locator(".flash")).to_contain_text("Vous êtes déconnecté.")
    page.goto(f"/w/{SLUG}/contacts")
    page.wait_for_url(re.compile(rf"/w/{SLUG}/login\?next="))
    page.fill("#f-email", ADMIN_EMAIL)
    page.fill("#f-password", "pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".flash-error")).to_contain_text("E-mail ou mot de passe incorrect.")
    expect(page.locator("#f-email")).to_have_value(ADMIN_EMAIL)
    screenshot(page, "login")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/w/{SLUG}/contacts")
    expect(page.locator("h1")).to_have_text("Contacts")


def test_language_switch_on_public_pages(page: Any, live_server: LiveServer) -> None:
    from playwright.sync_api import expect

    page.goto("/signup")
    expect(page.locator("h1")).to_have_text("Créer votre espace")
    page.locator("button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Create your workspace")
    page.goto("/")
    expect(page.locator(".hero-actions")).to_contain_text("Start a free 14-day trial")
    page.locator(".site-actions button[value=fr]").click()
    expect(page.locator(".hero-actions")).to_contain_text("Essai gratuit de 14 jours")


def test_api_docs_render(page: Any, live_server: LiveServer) -> None:
    """Swagger UI, served from the vendored files, shows the API."""
    from playwright.sync_api import expect

    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto("/schema/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Comptoir API", timeout=15_000)
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    assert not [url for url in failed if "/static/" in url]
    screenshot(page, "api-docs", full_page=False)


LONG_SLUG = "valeurs-longues"
LONG_ADMIN = "admin@valeurs-longues.fr"
LONG_FIRST = "Marie-Alexandrine Bénédicte"
# 95 characters with the first name and the space.
LONG_LAST = ("de La Rochefoucauld-Montmorency-Beauharnais-Villeneuve-Saint-Exupéry-Lorraine")[
    : 95 - len(LONG_FIRST) - 1
]
LONG_NAME = f"{LONG_FIRST} {LONG_LAST}"


def _overflow(page: Any) -> dict[str, int]:
    """How far the page and each table's box are scrolled sideways beyond the view."""
    return dict(
        page.evaluate(
            """() => {
              const out = {page: document.documentElement.scrollWidth - window.innerWidth};
              document.querySelectorAll('.table-wrap').forEach((wrap, i) => {
                out['table-' + i] = wrap.scrollWidth - wrap.clientWidth;
              });
              return out;
            }"""
        )
    )


def test_long_values_stay_inside_the_tables(page: Any, live_server: LiveServer) -> None:
    """A 95-character name (and long account, team, token and user names) wraps or is
    cut with the full text on hover: no table is wider than the screen."""
    from playwright.sync_api import expect

    assert len(LONG_NAME) == 95
    live_server.cli(
        "tenants",
        "create",
        "--company",
        "Valeurs Longues",
        "--slug",
        LONG_SLUG,
        "--admin-email",
        LONG_ADMIN,
        "--admin-password",
        PASSWORD,
    )
    token = live_server.cli("tokens", "create", "--tenant", LONG_SLUG, "--email", LONG_ADMIN)
    token = token.strip().splitlines()[-1].strip()
    long_company = "Société Coopérative d'Intérêt Collectif des Artisans Ébénistes " * 3
    account = _api(
        live_server, token, "POST", "/api/v1/accounts", {"name": long_company.strip()[:200]}
    )
    _api(
        live_server,
        token,
        "POST",
        "/api/v1/users",
        {
            "email": "marie-alexandrine.de-la-rochefoucauld-montmorency-beauharnais"
            "@valeurs-longues.fr",
            "first_name": LONG_FIRST,
            "last_name": LONG_LAST,
            "role": "end_user",
        },
    )
    _api(
        live_server,
        token,
        "POST",
        "/api/v1/tokens",
        {"name": ("Synchronisation nocturne avec l'outil de facturation " * 2)[:100]},
    )
    _api(
        live_server,
        token,
        "POST",
        "/api/v1/contacts",
        {
            "first_name": "Paul",
            "last_name": "Court",
            "company_name": long_company.strip()[:200],
            "job_title": ("Responsable des relations avec les collectivités territoriales " * 2)[
                :120
            ],
            "account_id": account["id"],
        },
    )

    page.goto(f"/w/{LONG_SLUG}/login")
    page.fill("#f-email", LONG_ADMIN)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/w/{LONG_SLUG}/")

    # The contact with a 95-character name, through the form.
    page.goto(f"/w/{LONG_SLUG}/contacts/new")
    page.fill("#f-first_name", LONG_FIRST)
    page.fill("#f-last_name", LONG_LAST)
    page.fill("#f-email", "marie.alexandrine@exemple.fr")
    page.get_by_role("button", name="Créer le contact").click()
    expect(page.locator(".flash-success")).to_contain_text("Contact créé.")

    page.goto(f"/w/{LONG_SLUG}/contacts")
    expect(page.locator("#contact-rows")).to_contain_text(LONG_FIRST)
    screenshot(page, "contacts-long-name", full_page=False)
    assert all(v <= 0 for v in _overflow(page).values()), _overflow(page)
    # The full name is there on hover.
    assert page.locator(f"#contact-rows [title='{LONG_NAME}']").count() >= 1

    # "No results" sits in the middle of the table.
    page.fill("input[name=q]", "zzzz")
    expect(page.locator("#contact-rows")).to_contain_text("Aucun contact ne correspond")
    table = page.locator(".table-contacts").bounding_box()
    hint = page.locator("#contact-rows .empty-text")
    box = hint.bounding_box()
    assert table and box
    # The text wraps inside its box (it used to run off to the right, on one line).
    assert hint.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert abs((table["x"] + table["width"] / 2) - (box["x"] + box["width"] / 2)) < 4
    screenshot(page, "contacts-no-results", full_page=False)

    for path, name in (
        ("/accounts", "accounts-long-name"),
        ("/admin/users", "users-long-name"),
        ("/admin/tokens", "tokens-long-name"),
        ("/admin/audit", "audit-long-name"),
    ):
        page.goto(f"/w/{LONG_SLUG}{path}")
        screenshot(page, name)
        assert all(v <= 0 for v in _overflow(page).values()), (path, _overflow(page))

    # The audit log, filtered by action through its form.
    page.goto(f"/w/{LONG_SLUG}/admin/audit")
    page.select_option("#filter-action", "contact.create")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"/admin/audit\?action=contact.create"))
    expect(page.locator(".table-audit tbody tr")).to_have_count(2)
    screenshot(page, "audit-filtered", full_page=False)


def test_support_ends_an_impersonation_from_the_banner(page: Any, live_server: LiveServer) -> None:
    """The banner of an impersonated session reads properly and has a button that ends
    the session and goes back to the console."""
    import pyotp
    from playwright.sync_api import expect

    slug, admin = "banniere-support", "direction@banniere-support.fr"
    live_server.cli(
        "tenants", "create", "--company", "Bannière Support", "--slug", slug,
        "--admin-email", admin, "--admin-password", PASSWORD,
    )  # fmt: skip
    out = live_server.cli(
        "staff", "create", "--email", "banner-ops@provider.example", "--name", "Bruno Ops",
        "--password", PASSWORD,
    )  # fmt: skip
    secret = re.search(r"secret: (\w+)", out).group(1)  # type: ignore[union-attr]

    page.goto("/console/login")
    page.fill("input[name=email]", "banner-ops@provider.example")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("[data-action=sign-in]")
    page.wait_for_url(re.compile(r"/console/?$"))
    page.goto(f"/console/?q={slug}")
    page.click("a[data-open-tenant]:has-text('Bannière Support')")
    page.wait_for_url(re.compile(r"/console/tenants/"))
    tenant_url = page.url.split("?")[0]
    row = page.locator(f"#users tr[data-user='{admin}']")
    row.locator("[data-action=open-impersonate]").click()
    reason = "Ticket 4521 : l'export des contacts échoue."
    row.locator("textarea[name=reason]").fill(reason)
    row.locator("[data-action=impersonate]").click()
    page.wait_for_url(re.compile(rf"/w/{slug}/"))

    banner = page.locator(".banner-warning")
    expect(banner).to_contain_text("Motif")
    assert banner.locator("q").inner_text() == reason
    assert ".)" not in banner.inner_text()
    end = banner.get_by_role("button", name="Terminer et revenir à la console")
    expect(end).to_be_visible()
    screenshot(page, "impersonation-banner", full_page=False)
    end.click()
    page.wait_for_url(re.compile(r"/console/tenants/"))
    assert page.url.split("?")[0] == tenant_url
    page.goto(f"/w/{slug}/")
    page.wait_for_url(re.compile(rf"/w/{slug}/login"))  # that session is over

    # Console tables with long values: a tenant with a long name and long addresses.
    long_slug = "raison-sociale-tres-longue"
    long_company = ("Société Coopérative Ouvrière de Production des Ébénistes " * 3).strip()[:200]
    out = live_server.cli(
        "tenants", "create", "--company", long_company, "--slug", long_slug,
        "--admin-email", "direction.generale.administrative.et.financiere@" + long_slug + ".fr",
        "--admin-password", PASSWORD,
    )  # fmt: skip
    token = out.strip().splitlines()[-1].strip()
    _api(
        live_server,
        token,
        "POST",
        "/api/v1/users",
        {
            "email": "responsable.des.relations.avec.les.collectivites@" + long_slug + ".fr",
            "first_name": LONG_FIRST,
            "last_name": LONG_LAST,
            "role": "end_user",
        },
    )
    page.goto(f"/console/?q={long_slug}")
    expect(page.locator("a[data-open-tenant]").first).to_be_visible()
    screenshot(page, "console-tenants-long-name", full_page=False)
    assert all(v <= 0 for v in _overflow(page).values()), ("tenants", _overflow(page))
    page.locator("a[data-open-tenant]").first.click()
    page.wait_for_url(re.compile(r"/console/tenants/"))
    screenshot(page, "console-tenant-long-name", full_page=False)
    assert all(v <= 0 for v in _overflow(page).values()), ("tenant", _overflow(page))
    for path in ("/console/audit", "/console/jobs"):
        page.goto(path)
        assert all(v <= 0 for v in _overflow(page).values()), (path, _overflow(page))
