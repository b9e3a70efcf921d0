"""Every template under templates/ compiles and renders.

The templates are found by walking the folder. Each one must be rendered at
least once, through the pages (a crawler follows the links and htmx URLs of
the workspace, the public pages and the console, signed in as an admin and as
staff) or, for e-mails, through ``render_email``. A template no page reaches
fails the test until a page uses it or it gets a context in ``CONTEXTS``."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from jinja2 import Template

from comptoir.platform.console.impersonation import start_impersonation
from comptoir.platform.console.service import create_staff
from comptoir.platform.directory.service import set_status, tenant_by_slug
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import environment, render_email
from tests.adoption.records_support import template_contexts as adoption_template_contexts
from tests.billing.ledger_support import template_contexts as ledger_template_contexts
from tests.billing.payments_support import template_contexts as payments_template_contexts
from tests.quotes.support import template_contexts as quote_template_contexts
from tests.support.api_resources import RESOURCES
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import CSRF_INPUT, new_contact, post_form, sign_in
from tests.support.smtp import Mailbox

LINK = re.compile(r'href="(/[^"#]*)"')
SKIPPED = ("/static/", "/schema", "/api/", "/healthz", "/readyz", "/webhooks/")
MAX_PAGES = 150

# Templates no page renders, with the context to render them with.
CONTEXTS: dict[str, Callable[[], dict[str, Any]]] = {
    **quote_template_contexts(),
    **adoption_template_contexts(),
    **ledger_template_contexts(),
    **payments_template_contexts(),
}


def all_templates() -> list[str]:
    root = Path(get_settings().templates_dir)
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.suffix in (".html", ".txt")
    )


@pytest.fixture
def rendered() -> Iterator[set[str]]:
    """The names of the templates loaded while the test runs (extends,
    includes and imports load their templates at render time)."""
    env = environment()
    original = env.get_template
    names: set[str] = set()

    def tracking(name: Any, *args: Any, **kwargs: Any) -> Template:
        template = original(name, *args, **kwargs)
        if template.name:
            names.add(template.name)
        return template

    env.get_template = tracking  # type: ignore[method-assign]
    try:
        yield names
    finally:
        del env.get_template


def test_templates_are_found() -> None:
    names = all_templates()
    assert "base.html" in names and "error.html" in names
    assert any(name.startswith("workspace/") for name in names)


@pytest.mark.parametrize("name", all_templates())
def test_every_template_compiles(name: str) -> None:
    environment().get_template(name)


async def _crawl(client: httpx.AsyncClient, seeds: list[str], prefixes: tuple[str, ...]) -> int:
    """GET every page reachable from ``seeds`` under ``prefixes``; no page may fail."""
    queue, seen = list(seeds), set(seeds)
    while queue and len(seen) <= MAX_PAGES:
        url = queue.pop(0)
        headers = {"HX-Request": "true"} if url.endswith("#hx") else {}
        response = await client.get(url.split("#")[0], headers=headers)
        assert response.status_code < 500, f"{url}: {response.status_code}\n{response.text[:2000]}"
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        for found in LINK.findall(response.text):
            link = html.unescape(found)
            if link.startswith(SKIPPED) or not link.startswith(prefixes) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
        for found in re.findall(r'hx-get="(/[^"]*)"', response.text):
            link = html.unescape(found) + "#hx"
            if link.startswith(prefixes) and link not in seen:
                seen.add(link)
                queue.append(link)
    return len(seen)


async def _sign_in_staff(client: httpx.AsyncClient) -> None:
    created = await create_staff("crawler@comptoir.test", "Tr3s-bon-mot-de-passe")
    page = await client.get("/console/login")
    token = CSRF_INPUT.search(page.text)
    assert token, page.text[:500]
    response = await client.post(
        "/console/login",
        data={
            "_csrf_token": token.group(1),
            "email": "crawler@comptoir.test",
            "password": "Tr3s-bon-mot-de-passe",
            "code": pyotp.TOTP(created.totp_secret).now(),
        },
    )
    assert response.status_code == 303, response.text[:1000]


async def test_every_template_renders(
    client: httpx.AsyncClient,
    workspace: Workspace,
    other_workspace: Workspace,
    mailbox: Mailbox,
    rendered: set[str],
) -> None:
    slug = workspace.slug
    for name in ("Arnaud", "Bérénice", "Chantal"):
        await new_contact(client, workspace, name)
    account = await client.post(
        "/api/v1/accounts", headers=workspace.headers, json={"name": "Boulangerie Émile"}
    )
    assert account.status_code == 201, account.text
    # One record of every kind the API serves (its creator in RESOURCES), so
    # that the crawl finds a link to each record page.
    for resource in RESOURCES.values():
        await resource.create(client, workspace, 1)
    invited = await client.post(
        "/api/v1/invitations",
        headers=workspace.headers,
        json={"email": "invitee@exemple.fr", "role": "end_user"},
    )
    assert invited.status_code == 201
    added = await client.post(
        "/api/v1/users",
        headers=workspace.headers,
        json={"email": "added@exemple.fr", "role": "key_user"},
    )
    assert added.status_code == 201

    # Public pages and the door of a workspace, signed out.
    await _crawl(client, ["/", "/signup", "/login", f"/w/{slug}/login"], ("/signup", "/login"))
    await deliver_mail()
    link = re.search(r"https://testserver\.local(/w/\S+)", Mailbox.text_of(mailbox.messages[0]))
    assert link
    assert (await client.get(link.group(1))).status_code == 200
    assert (await client.get(f"/w/{slug}/invitations/expired-or-bogus")).status_code == 404
    signup = await client.get("/signup")
    bad_signup = await client.post(
        "/signup",
        data={"_csrf_token": CSRF_INPUT.search(signup.text).group(1), "slug": "x"},  # type: ignore[union-attr]
    )
    assert bad_signup.status_code == 422
    assert (await client.get("/login?workspace=nowhere")).status_code == 404
    wrong = await sign_in(client, workspace, password="not-the-password")
    assert wrong.status_code == 401
    forgot = f"/w/{slug}/password/forgot"
    assert (await client.get(forgot)).status_code == 200
    assert (await post_form(client, forgot, forgot, {"email": workspace.admin_email})).is_success
    await deliver_mail()
    reset_mail = Mailbox.text_of(mailbox.to(workspace.admin_email)[-1])
    reset_link = re.search(r"https://testserver\.local(/w/\S+/password/reset/\S+)", reset_mail)
    assert reset_link
    assert (await client.get(reset_link.group(1))).status_code == 200
    assert (await client.get(f"/w/{slug}/password/reset/bogus")).status_code == 404

    # The workspace, signed in as its administrator, with a staff impersonation on record.
    tenant = await tenant_by_slug(slug)
    assert tenant is not None
    staff = await create_staff("impersonator@comptoir.test", "Tr3s-bon-mot-de-passe")
    impersonation = await start_impersonation(
        tenant, workspace.admin_user_id, staff=staff.staff, reason="Checking the pages", ip="::1"
    )
    await sign_in(client, workspace)
    pages = await _crawl(client, [f"/w/{slug}/"], (f"/w/{slug}/",))
    assert pages > 10
    created = await post_form(
        client,
        f"/w/{slug}/admin/tokens",
        f"/w/{slug}/admin/tokens",
        {"name": "Crawler", "user_id": workspace.admin_user_id},
    )
    assert created.status_code == 200 and "cpt_" in created.text
    contact_error = await post_form(
        client, f"/w/{slug}/contacts/new", f"/w/{slug}/contacts", {"email": "not-an-email"}
    )
    assert contact_error.status_code == 422
    client.cookies.set(
        "comptoir_session", impersonation.token, domain="testserver.local", path=f"/w/{slug}"
    )
    banner = await client.get(f"/w/{slug}/")
    assert "Checking the pages" in banner.text
    tokens = f"/w/{slug}/admin/tokens"  # staff cannot confirm the user's password
    assert (await post_form(client, tokens, tokens, {"name": "x"})).status_code == 403

    # Error pages: unknown page, suspended workspace, refused form.
    assert (await client.get("/no/such/page")).status_code == 404
    beta = await tenant_by_slug(other_workspace.slug)
    assert beta is not None
    await set_status(beta, "suspended", reason="test", actor_label="test")
    # Its sign-in page stays open (to its admins, who settle the billing) and says so.
    suspended_door = await client.get(f"/w/{other_workspace.slug}/login")
    assert suspended_door.status_code == 200 and "suspend" in suspended_door.text
    assert (await client.get(f"/w/{other_workspace.slug}/password/forgot")).status_code == 403
    assert (await client.post(f"/w/{slug}/logout", data={})).status_code == 403

    # The console, signed in as staff.
    await _sign_in_staff(client)
    await _crawl(client, ["/console/"], ("/console/",))

    # E-mails.
    for kind in sorted(
        {name.split("/")[1].split(".")[0] for name in all_templates() if name.startswith("emails/")}
    ):
        for locale in ("fr", "en"):
            subject, text, body = render_email(
                kind,
                locale=locale,
                company="Société Test",
                link="https://testserver.local/w/test/invitations/token",
                inviter="admin@exemple.fr",
                days=7,
                email="someone@exemple.fr",
            )
            assert subject and text and body

    for name, context in CONTEXTS.items():
        environment().get_template(name).render(**context())

    missing = sorted(set(all_templates()) - rendered)
    assert not missing, (
        f"No page rendered {missing}: render them through a page in this test, "
        "or give them a representative context in CONTEXTS."
    )
