"""The ops console: staff sign-in with TOTP, the tenant directory, one tenant's
page, suspension and impersonation. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

from comptoir.platform.audit.tables import AuditEntry, StaffAuditEntry
from comptoir.platform.auth.cookies import CONSOLE_COOKIE, WORKSPACE_COOKIE
from comptoir.platform.auth.service import load_session
from comptoir.platform.auth.tables import StaffSession, User, UserSession
from comptoir.platform.console.impersonation import start_impersonation
from comptoir.platform.console.service import (
    DEMO_STAFF_EMAIL,
    DEMO_STAFF_PASSWORD,
    CreatedStaff,
    create_staff,
)
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import set_status, tenant_by_slug
from comptoir.platform.errors import (
    NotAuthenticated,
    TenantSuspended,
    TooManyAttempts,
    ValidationFailed,
)
from comptoir.platform.outbox.service import queue_email
from comptoir.platform.outbox.tables import OutboxMessage
from comptoir.platform.settings import reset_settings
from tests.support.fixtures import Workspace, make_workspace
from tests.support.jobs import deliver_mail
from tests.support.smtp import Mailbox

STAFF_PASSWORD = "Console-ops-2026-secure"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def staff(db) -> CreatedStaff:
    return await create_staff("ops@provider.example", STAFF_PASSWORD, name="Olivia Ops")


async def csrf_token(client: httpx.AsyncClient, url: str = "/console/login") -> str:
    page = await client.get(url)
    found = CSRF_FIELD.search(page.text)
    assert found, f"no CSRF field on {url}: {page.status_code}"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient,
    staff: CreatedStaff,
    *,
    code: str | None = None,
    password: str = STAFF_PASSWORD,
    next_url: str = "",
) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/console/login",
        data={
            "_csrf_token": token,
            "email": staff.staff.email,
            "password": password,
            "code": code if code is not None else pyotp.TOTP(staff.totp_secret).now(),
            "next": next_url,
        },
    )


async def post_form(
    client: httpx.AsyncClient, url: str, data: dict[str, str], *, form_page: str
) -> httpx.Response:
    token = await csrf_token(client, form_page)
    return await client.post(url, data={"_csrf_token": token, **data})


async def staff_actions() -> list[str]:
    rows = await StaffAuditEntry.select(StaffAuditEntry.action).order_by(StaffAuditEntry.id)
    return [row["action"] for row in rows]


async def tenant_audit(slug: str) -> list[AuditEntry]:
    tenant = await tenant_by_slug(slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        return await scope.objects(AuditEntry).order_by(AuditEntry.id).output(load_json=True)


def stat(html: str, key: str) -> int:
    found = re.search(rf'data-stat="{key}".*?class="stat-value">(\d+)<', html, re.S)
    assert found, f"no {key} stat"
    return int(found.group(1))


def wrong_code(secret: str) -> str:
    """A well-formed code that is none of the accepted ones (previous, current, next)."""
    totp = pyotp.TOTP(secret)
    now = dt.datetime.now(dt.UTC)
    accepted = {totp.at(now + dt.timedelta(seconds=s)) for s in (-60, -30, 0, 30, 60)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in accepted
    )


# ---- sign-in -----------------------------------------------------------------------


async def test_staff_sign_in_needs_the_right_totp_code(client, staff) -> None:
    refused = await sign_in(client, staff, code=wrong_code(staff.totp_secret))
    assert refused.status_code == 401
    assert "Incorrect e-mail, password or code." in refused.text
    assert 'value="ops@provider.example"' in refused.text  # what was typed is kept
    assert CONSOLE_COOKIE not in refused.cookies

    bad_password = await sign_in(client, staff, password="not-the-password-at-all")
    assert bad_password.status_code == 401
    assert "Incorrect e-mail, password or code." in bad_password.text

    accepted = await sign_in(client, staff, next_url="/console/audit")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/console/audit"
    token = accepted.cookies[CONSOLE_COOKIE]
    cookie_header = accepted.headers["set-cookie"]
    assert "Path=/console" in cookie_header and "HttpOnly" in cookie_header
    assert "Secure" in cookie_header and "SameSite=strict" in cookie_header

    [session] = await StaffSession.objects()
    assert session.token_hash != token and len(session.token_hash) == 64
    lifetime = session.expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=11, minutes=55) < lifetime <= dt.timedelta(hours=12)
    assert "staff.login" in await staff_actions()

    page = await client.get("/console/audit")
    assert page.status_code == 200
    assert "staff.login" in page.text


async def test_a_totp_code_signs_in_only_once(client, staff) -> None:
    code = pyotp.TOTP(staff.totp_secret).now()
    first = await sign_in(client, staff, code=code)
    assert first.status_code == 303
    client.cookies.clear()
    replayed = await sign_in(client, staff, code=code)
    assert replayed.status_code == 401
    assert "Incorrect e-mail, password or code." in replayed.text
    # The next step's code (within the drift window) still works.
    later = pyotp.TOTP(staff.totp_secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    assert (await sign_in(client, staff, code=later)).status_code == 303


async def test_failures_elsewhere_never_lock_the_staff_member_out(client, staff) -> None:
    """Five wrong codes from another address lock that address, not the owner."""
    from comptoir.platform.console.service import authenticate_staff

    assert (await sign_in(client, staff)).status_code == 303  # the owner's usual address
    bad = wrong_code(staff.totp_secret)
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            await authenticate_staff(
                staff.staff.email, STAFF_PASSWORD, bad, ip_address="198.51.100.66"
            )
    with pytest.raises(TooManyAttempts):
        await authenticate_staff(staff.staff.email, STAFF_PASSWORD, bad, ip_address="198.51.100.66")
    later = pyotp.TOTP(staff.totp_secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    assert (await sign_in(client, staff, code=later)).status_code == 303


async def test_sign_in_refuses_an_open_redirect(client, staff) -> None:
    response = await sign_in(client, staff, next_url="//evil.example/console")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/"


async def test_staff_sign_in_is_throttled_after_repeated_failures(client, staff) -> None:
    bad = wrong_code(staff.totp_secret)
    for _ in range(5):
        response = await sign_in(client, staff, code=bad)
        assert response.status_code == 401
    locked = await sign_in(client, staff)  # even the right code now waits
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text
    assert CONSOLE_COOKIE not in locked.cookies


async def test_console_pages_need_a_live_staff_session(client, staff, workspace) -> None:
    for path in (
        "/console/",
        "/console/?q=alpha",
        "/console/audit",
        f"/console/tenants/{workspace.tenant_id}",
    ):
        response = await client.get(path)
        assert response.status_code == 303, path
        location = urlsplit(response.headers["location"])
        assert location.path == "/console/login"
        assert parse_qs(location.query)["next"] == [path]

    htmx = await client.get("/console/", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/console/login")

    token = await csrf_token(client)
    refused = await client.post(
        f"/console/tenants/{workspace.tenant_id}/suspend",
        data={"_csrf_token": token, "reason": "no session at all"},
    )
    assert refused.status_code == 303
    assert (await tenant_by_slug("alpha")).status == "trial"  # type: ignore[union-attr]

    client.cookies.set(CONSOLE_COOKIE, "forged-token", domain="testserver.local", path="/console")
    assert (await client.get("/console/")).status_code == 303


async def test_sign_out_ends_the_session(client, staff) -> None:
    assert (await sign_in(client, staff)).status_code == 303
    assert (await client.get("/console/")).status_code == 200
    out = await post_form(client, "/console/logout", {}, form_page="/console/")
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    [session] = await StaffSession.objects()
    assert session.revoked_at is not None
    assert (await client.get("/console/")).status_code == 303
    assert "staff.logout" in await staff_actions()


async def test_login_page_shows_the_demo_code_only_in_the_demo(client, staff, monkeypatch) -> None:
    created = await create_staff(DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, name="Ops")
    page = await client.get("/console/login")
    assert "Demo only" not in page.text
    monkeypatch.setenv("COMPTOIR_DEMO", "1")
    reset_settings()
    try:
        page = await client.get("/console/login")
    finally:
        monkeypatch.delenv("COMPTOIR_DEMO")
        reset_settings()
    assert "Demo only" in page.text
    assert DEMO_STAFF_EMAIL in page.text
    totp = pyotp.TOTP(created.totp_secret)
    shown = re.search(r"data-demo-code>(\d{6})<", page.text)
    assert shown and totp.verify(shown.group(1), valid_window=1)


# ---- the tenant directory ----------------------------------------------------------


async def test_tenant_list_search_and_filters(client, staff) -> None:
    await make_workspace(client, "alpha")
    await make_workspace(client, "beta")
    await make_workspace(client, "boulangerie-martin")
    beta = await tenant_by_slug("beta")
    assert beta is not None
    await set_status(beta, "suspended", reason="unpaid", actor_label="test")
    await sign_in(client, staff)

    page = await client.get("/console/")
    assert page.status_code == 200
    text = page.text
    # newest first
    assert text.index("boulangerie-martin") < text.index(">beta<") < text.index(">alpha<")
    assert (stat(text, "all"), stat(text, "trial"), stat(text, "suspended")) == (3, 2, 1)

    found = await client.get("/console/", params={"q": "BOULANGERIE"})
    assert "boulangerie-martin" in found.text and ">alpha<" not in found.text
    by_company = await client.get("/console/", params={"q": "société al"})
    assert ">alpha<" in by_company.text and ">beta<" not in by_company.text

    live = await client.get(
        "/console/",
        params={"q": "bet"},
        headers={"HX-Request": "true", "HX-Target": "tenant-results"},
    )
    assert live.status_code == 200
    assert "<html" not in live.text and ">beta<" in live.text and ">alpha<" not in live.text

    suspended = await client.get("/console/", params={"status": "suspended"})
    assert ">beta<" in suspended.text and ">alpha<" not in suspended.text

    nothing = await client.get("/console/", params={"q": "zzz-nobody"})
    assert "No tenant matches these filters." in nothing.text


async def test_tenant_list_pages_by_fifty(client, staff) -> None:
    from comptoir.platform.directory.tables import Tenant

    for n in range(53):
        await Tenant(slug=f"t{n:03d}", company_name=f"Tenant {n:03d}", status="active").save()
    await sign_in(client, staff)
    first = await client.get("/console/")
    assert first.text.count("data-tenant=") == 50
    assert ">t052<" in first.text and ">t002<" not in first.text
    next_link = re.search(r'href="/console/(\?cursor=[^"]+)" data-next-page', first.text)
    assert next_link
    second = await client.get("/console/" + next_link.group(1).replace("&amp;", "&"))
    assert second.text.count("data-tenant=") == 3
    assert ">t002<" in second.text and ">t000<" in second.text and ">t052<" not in second.text


async def test_tenant_page_shows_users_provisioning_audit_and_outbox(
    client, staff, workspace: Workspace, mailbox
) -> None:
    added = await client.post(
        "/api/v1/users",
        headers=workspace.headers,
        json={"email": "julie@alpha.fr", "first_name": "Julie", "last_name": "Martin"},
    )
    assert added.status_code == 201
    await sign_in(client, staff)
    page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert page.status_code == 200
    text = page.text
    assert workspace.admin_email in text and "julie@alpha.fr" in text  # users
    assert "pipeline stages" in text and "ticket_slas" in text  # provisioning log
    assert "tenant.provision" in text and "user.create" in text  # audit log
    match = re.search(rf'href="(/console/tenants/{workspace.tenant_id}/outbox/[^"]+)"', text)
    assert match, "the outbox lists the e-mail sent to Julie"

    message = await client.get(match.group(1))
    assert message.status_code == 200
    assert "julie@alpha.fr" in message.text
    # The text of the e-mail, with its live invitation link cut before the token.
    assert f"/w/{workspace.slug}/invitations/[redacted]" in message.text
    [reading] = (
        await StaffAuditEntry.objects()
        .where(StaffAuditEntry.action == "outbox.read")
        .output(load_json=True)
    )
    assert str(reading.target_tenant) == workspace.tenant_id
    assert reading.detail["message"] == match.group(1).rsplit("/", 1)[1]  # type: ignore[index]
    partial = await client.get(
        match.group(1), headers={"HX-Request": "true", "HX-Target": "outbox-reader"}
    )
    assert "<html" not in partial.text and "julie@alpha.fr" in partial.text

    missing = await client.get("/console/tenants/not-a-tenant")
    assert missing.status_code == 404


async def test_staff_never_read_a_live_link(client, staff, workspace: Workspace, mailbox) -> None:
    """Neither while the message waits (its link is cut on screen) nor after it
    was sent (the outbox keeps it cut); each reading is audited."""
    added = await client.post(
        "/api/v1/users", headers=workspace.headers, json={"email": "julie@alpha.fr"}
    )
    assert added.status_code == 201
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        [queued] = await scope.objects(OutboxMessage).where(
            OutboxMessage.to_address == "julie@alpha.fr"
        )
    token = re.search(r"/invitations/([A-Za-z0-9_-]{30,})", queued.body_text).group(1)  # type: ignore[union-attr]
    await sign_in(client, staff)
    reader = f"/console/tenants/{workspace.tenant_id}/outbox/{queued.id}"
    waiting = await client.get(reader)
    assert token not in waiting.text and "/invitations/[redacted]" in waiting.text
    partial = await client.get(reader, headers={"HX-Request": "true", "HX-Target": "outbox-reader"})
    assert token not in partial.text
    page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert token not in page.text

    await deliver_mail()
    assert token in Mailbox.text_of(mailbox.to("julie@alpha.fr")[0])
    sent = await client.get(reader)
    assert token not in sent.text and "/invitations/[redacted]" in sent.text
    async with tenant_scope(tenant.id) as scope:
        kept = await scope.get(OutboxMessage, queued.id)
    assert token not in kept.body_text + kept.body_html
    readings = await StaffAuditEntry.objects().where(StaffAuditEntry.action == "outbox.read")
    assert len(readings) == 3
    assert {r.staff_email for r in readings} == {"ops@provider.example"}


async def test_another_tenants_outbox_message_is_not_found(
    client, staff, workspace, other_workspace, mailbox
) -> None:
    await client.post("/api/v1/users", headers=workspace.headers, json={"email": "x@alpha.fr"})
    await sign_in(client, staff)
    page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    match = re.search(r"/outbox/([0-9a-f-]{36})", page.text)
    assert match
    crossed = await client.get(
        f"/console/tenants/{other_workspace.tenant_id}/outbox/{match.group(1)}"
    )
    assert crossed.status_code == 404


# ---- suspension ----------------------------------------------------------------------


async def test_suspend_refuses_access_keeps_data_and_reactivate_restores_it(
    client, staff, workspace: Workspace
) -> None:
    created = await client.post(
        "/api/v1/contacts",
        headers=workspace.headers,
        json={"first_name": "Hélène", "last_name": "Dubois", "email": "helene@exemple.fr"},
    )
    assert created.status_code == 201, created.text
    await sign_in(client, staff)
    tenant_page = f"/console/tenants/{workspace.tenant_id}"

    no_reason = await post_form(
        client, f"{tenant_page}/suspend", {"reason": " "}, form_page=tenant_page
    )
    assert no_reason.status_code == 422
    assert "Say why the workspace is suspended." in no_reason.text
    assert (await tenant_by_slug("alpha")).status == "trial"  # type: ignore[union-attr]

    suspended = await post_form(
        client, f"{tenant_page}/suspend", {"reason": "Unpaid since March"}, form_page=tenant_page
    )
    assert suspended.status_code == 303
    page = await client.get(suspended.headers["location"])
    assert "Unpaid since March" in page.text and "Reactivate workspace" in page.text

    api = await client.get("/api/v1/contacts", headers=workspace.headers)
    assert api.status_code == 403
    assert api.headers["content-type"].startswith("application/problem+json")
    problem = api.json()
    assert problem["type"] == "/problems/tenant-suspended"
    assert "suspended" in problem["detail"] and "data is kept" in problem["detail"]

    refused = await start_impersonation_via_page(client, workspace, "Checking the suspension")
    assert refused.status_code == 403
    assert "suspended" in refused.text

    reactivated = await post_form(client, f"{tenant_page}/reactivate", {}, form_page=tenant_page)
    assert reactivated.status_code == 303
    assert (await tenant_by_slug("alpha")).status == "trial"  # type: ignore[union-attr]
    contacts = await client.get("/api/v1/contacts", headers=workspace.headers)
    assert contacts.status_code == 200
    assert [c["email"] for c in contacts.json()["items"]] == ["helene@exemple.fr"]

    actions = [(e.action, e.actor_type, e.actor_label) for e in await tenant_audit("alpha")]
    assert ("tenant.suspend", "staff", "ops@provider.example") in actions
    assert ("tenant.reactivate", "staff", "ops@provider.example") in actions
    staff_log = await staff_actions()
    assert "tenant.suspend" in staff_log and "tenant.reactivate" in staff_log


async def test_suspended_workspace_pages_answer_403(client, staff, workspace: Workspace) -> None:
    """A user's workspace session stops working while the tenant is suspended."""
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    await sign_in(client, staff)
    started = await start_impersonation_via_page(
        client, workspace, "Ticket 42: check the home page"
    )
    assert started.status_code == 303
    before = await client.get(f"/w/{workspace.slug}/")
    assert before.status_code == 200
    await set_status(tenant, "suspended", reason="unpaid", actor_label="test")
    after = await client.get(f"/w/{workspace.slug}/")
    assert after.status_code == 403
    assert "text/html" in after.headers["content-type"]
    assert "suspended" in after.text.lower() or "suspendu" in after.text.lower()


# ---- impersonation ---------------------------------------------------------------------


async def start_impersonation_via_page(
    client: httpx.AsyncClient, workspace: Workspace, reason: str, user_id: str | None = None
) -> httpx.Response:
    tenant_page = f"/console/tenants/{workspace.tenant_id}"
    return await post_form(
        client,
        f"{tenant_page}/impersonate",
        {"user_id": user_id or workspace.admin_user_id, "reason": reason},
        form_page=tenant_page,
    )


async def test_impersonation_needs_a_reason_and_is_audited(
    client, staff, workspace: Workspace
) -> None:
    await sign_in(client, staff)
    short = await start_impersonation_via_page(client, workspace, "help")
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    assert ">help</textarea>" in short.text  # what was typed is kept
    assert WORKSPACE_COOKIE not in short.cookies

    reason = "Ticket #4521: customer cannot export quotes"
    started = await start_impersonation_via_page(client, workspace, reason)
    assert started.status_code == 303
    assert started.headers["location"] == f"/w/{workspace.slug}/"
    cookie_header = started.headers["set-cookie"]
    assert f"Path=/w/{workspace.slug}" in cookie_header and "HttpOnly" in cookie_header
    max_age = int(re.search(r"Max-Age=(\d+)", cookie_header).group(1))  # type: ignore[union-attr]
    assert max_age == 30 * 60
    token = started.cookies[WORKSPACE_COOKIE]

    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    loaded = await load_session(tenant, token)
    assert loaded is not None
    session, user = loaded
    assert str(user.id) == workspace.admin_user_id
    assert session.impersonator_staff_id == staff.staff.id
    assert session.impersonation_reason == reason
    remaining = session.expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)

    [entry] = [e for e in await tenant_audit(workspace.slug) if e.action == "staff.impersonate"]
    assert entry.actor_type == "staff"
    assert entry.actor_label == "ops@provider.example"
    changes: dict[str, Any] = entry.changes  # type: ignore[assignment]  # JSON loaded
    assert changes["reason"] == reason
    assert changes["staff"] == "ops@provider.example"
    assert changes["user"] == workspace.admin_email
    [staff_entry] = (
        await StaffAuditEntry.objects()
        .where(StaffAuditEntry.action == "staff.impersonate")
        .output(load_json=True)
    )
    detail: dict[str, Any] = staff_entry.detail  # type: ignore[assignment]  # JSON loaded
    assert detail["reason"] == reason
    assert str(staff_entry.target_tenant) == workspace.tenant_id

    workspace_page = await client.get(f"/w/{workspace.slug}/")
    assert workspace_page.status_code == 200
    assert reason in workspace_page.text  # the workspace shows who acts and why
    admin_audit = await client.get(f"/w/{workspace.slug}/admin/audit")
    assert admin_audit.status_code == 200
    assert reason in admin_audit.text  # and the customer's admins read it in their audit log

    console_page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert reason in console_page.text  # shown in the tenant's audit log too


async def test_impersonation_session_expires_by_itself(client, staff, workspace) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    started = await start_impersonation(
        tenant, workspace.admin_user_id, staff=staff.staff, reason="Reproduce bug 77", ip="10.0.0.1"
    )
    assert await load_session(tenant, started.token) is not None
    async with tenant_scope(tenant.id) as scope:
        await scope.update(
            UserSession, {UserSession.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
        ).where(UserSession.id == started.opened.session.id)
    assert await load_session(tenant, started.token) is None


async def test_impersonation_is_refused_for_suspended_tenants_and_disabled_users(
    client, staff, workspace
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    with pytest.raises(ValidationFailed):
        await start_impersonation(
            tenant, workspace.admin_user_id, staff=staff.staff, reason="too short", ip=""
        )

    async with tenant_scope(tenant.id) as scope:
        disabled = User(email="gone@alpha.fr", role="end_user", status="disabled")
        await scope.insert(disabled)
    await sign_in(client, staff)
    refused = await start_impersonation_via_page(
        client, workspace, "Looking at a former employee", user_id=str(disabled.id)
    )
    assert refused.status_code == 409
    assert "disabled" in refused.text

    await set_status(tenant, "suspended", reason="unpaid", actor_label="test")
    with pytest.raises(TenantSuspended):
        await start_impersonation(
            tenant, workspace.admin_user_id, staff=staff.staff, reason="Reproduce bug 77", ip=""
        )
    async with tenant_scope(tenant.id) as scope:
        assert (
            await scope.count(UserSession).where(UserSession.impersonator_staff_id.is_not_null())
            == 0
        )
    assert "staff.impersonate" not in await staff_actions()


async def test_console_follows_the_browser_language_until_one_is_chosen(client, staff) -> None:
    login = await client.get("/console/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Se connecter" in login.text or "Connexion" in login.text
    await sign_in(client, staff)
    french = await client.get("/console/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Se déconnecter" in french.text and "En essai" in french.text
    english = await client.get("/console/", headers={"Accept-Language": "en-GB"})
    assert "Staff audit log" in english.text and "Sign out" in english.text
    neither = await client.get("/console/", headers={"Accept-Language": "de-DE"})
    assert "Sign out" in neither.text  # English when the browser asks for neither

    switched = await post_form(
        client,
        "/console/language",
        {"locale": "en", "next": "/console/audit"},
        form_page="/console/",
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/console/audit"
    chosen = await client.get("/console/", headers={"Accept-Language": "fr-FR"})
    assert "Sign out" in chosen.text  # the choice wins over the browser

    await post_form(client, "/console/language", {"locale": "fr"}, form_page="/console/")
    french = await client.get("/console/", headers={"Accept-Language": "en-GB"})
    assert "Audit de l'équipe" in french.text.replace("&#39;", "'")
    assert "Se déconnecter" in french.text and "En essai" in french.text

    outside = await post_form(
        client,
        "/console/language",
        {"locale": "en", "next": "https://evil.example/"},
        form_page="/console/",
    )
    assert outside.headers["location"] == "/console/"


async def test_failed_sign_ins_are_in_the_staff_audit_log(client, staff) -> None:
    secret_attempt = "Not-the-password-9731"
    wrong_password = await sign_in(client, staff, password=secret_attempt)
    assert wrong_password.status_code == 401
    assert (await sign_in(client, staff, code=wrong_code(staff.totp_secret))).status_code == 401
    token = await csrf_token(client)
    unknown = await client.post(
        "/console/login",
        data={
            "_csrf_token": token,
            "email": "Intruder@Elsewhere.example",
            "password": secret_attempt,
            "code": "123456",
        },
    )
    assert unknown.status_code == 401

    failed = (
        await StaffAuditEntry.objects()
        .where(StaffAuditEntry.action == "staff.login_failed")
        .order_by(StaffAuditEntry.id)
        .output(load_json=True)
    )
    assert [e.staff_email for e in failed] == [
        "ops@provider.example",
        "ops@provider.example",
        "intruder@elsewhere.example",
    ]
    assert [e.detail["refused"] for e in failed] == [  # type: ignore[index]
        "wrong password",
        "wrong code",
        "unknown account",
    ]
    assert failed[0].staff_id == staff.staff.id and failed[2].staff_id is None
    assert {e.ip_address for e in failed} == {"203.0.113.7"}
    everything = await StaffAuditEntry.objects().output(load_json=True)
    assert secret_attempt not in repr([(e.detail, e.staff_email) for e in everything])

    await sign_in(client, staff)
    page = await client.get("/console/audit", params={"action": "staff.login_failed"})
    assert page.status_code == 200
    assert page.text.count('data-action="staff.login_failed"') == 3
    assert "intruder@elsewhere.example" in page.text and "203.0.113.7" in page.text
    assert secret_attempt not in page.text


async def test_throttled_sign_ins_are_recorded_too(client, staff) -> None:
    bad = wrong_code(staff.totp_secret)
    for _ in range(5):
        await sign_in(client, staff, code=bad)
    assert (await sign_in(client, staff)).status_code == 429
    refusals = [
        e.detail["refused"]  # type: ignore[index]
        for e in await StaffAuditEntry.objects()
        .where(StaffAuditEntry.action == "staff.login_failed")
        .order_by(StaffAuditEntry.id)
        .output(load_json=True)
    ]
    assert refusals == ["wrong code"] * 5 + ["throttled"]


# ---- the tenant page shows metadata, a page at a time ---------------------------------


async def test_tenant_page_shows_no_customer_data(client, staff, workspace: Workspace) -> None:
    created = await client.post(
        "/api/v1/contacts",
        headers=workspace.headers,
        json={
            "first_name": "Hélène",
            "last_name": "Dubois-Secret",
            "email": "helene.dubois@client-prive.fr",
            "phone": "+33 6 12 34 56 78",
        },
    )
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]
    changed = await client.patch(
        f"/api/v1/contacts/{contact_id}",
        headers=workspace.headers,
        json={"last_name": "Martin-Confidentiel"},
    )
    assert changed.status_code == 200, changed.text
    await sign_in(client, staff)
    page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert page.status_code == 200
    for value in ("Dubois-Secret", "Martin-Confidentiel", "client-prive.fr", "12 34 56 78"):
        assert value not in page.text, value
    # What happened, to which kind of record and which fields, is there.
    assert "contact.create" in page.text and "contact.update" in page.text
    row = re.search(r'data-audit="contact.update".*?</tr>', page.text, re.S)
    assert row and "last_name" in row.group(0)
    assert contact_id[-8:] in page.text
    # The workspace's own people may be named.
    assert workspace.admin_email in page.text


async def test_tenant_page_lists_are_paged(client, staff, workspace: Workspace) -> None:
    from comptoir.platform.console.tenants import AUDIT_PAGE, USERS_PAGE

    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        for n in range(USERS_PAGE + 2):
            await scope.insert(User(email=f"u{n:02d}@alpha.fr", role="end_user", status="active"))
    for n in range(AUDIT_PAGE + 3):
        await set_status(tenant, "suspended" if n % 2 == 0 else "active", actor_label="test")
    await sign_in(client, staff)
    here = f"/console/tenants/{workspace.tenant_id}"
    first = await client.get(here)
    assert first.text.count("<tr data-user=") == USERS_PAGE
    assert first.text.count("<tr data-audit=") == AUDIT_PAGE
    users_next = re.search(r'href="([^"]*users_cursor=[^"]*)" data-next-page', first.text)
    assert users_next
    second = await client.get(users_next.group(1).replace("&amp;", "&"))
    assert second.text.count("<tr data-user=") == USERS_PAGE + 3 - USERS_PAGE  # 1 admin + 27
    assert "u26@alpha.fr" in second.text and "u00@alpha.fr" not in second.text

    audit_next = re.search(r'href="([^"]*audit_cursor=[^"]*)" data-next-page', first.text)
    assert audit_next
    older = await client.get(audit_next.group(1).replace("&amp;", "&"))
    # 28 status changes, the signup's tenant.provision and api_token.create
    assert older.text.count("<tr data-audit=") == 30 - AUDIT_PAGE
    assert "tenant.provision" in older.text

    forged = await client.get(here, params={"audit_cursor": "not-a-cursor"})
    assert forged.status_code == 200 and forged.text.count("<tr data-audit=") == AUDIT_PAGE


async def test_tenant_audit_log_filters_by_action_and_day(
    client, staff, workspace: Workspace
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    await set_status(tenant, "suspended", reason="unpaid", actor_label="test")
    await sign_in(client, staff)
    here = f"/console/tenants/{workspace.tenant_id}"
    suspensions = await client.get(here, params={"action": "tenant.suspend"})
    assert suspensions.text.count("<tr data-audit=") == 1
    assert 'data-audit="tenant.suspend"' in suspensions.text
    assert 'value="tenant.suspend" selected' in suspensions.text

    today = dt.datetime.now(dt.UTC).date()
    to_day = await client.get(here, params={"since": today.isoformat(), "until": today.isoformat()})
    assert to_day.text.count("<tr data-audit=") == 3  # provision, token, suspension
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    later = await client.get(here, params={"since": tomorrow})
    assert later.text.count("<tr data-audit=") == 0
    assert "No entry matches these filters." in later.text
    before = await client.get(here, params={"until": (today - dt.timedelta(days=1)).isoformat()})
    assert before.text.count("<tr data-audit=") == 0
    ignored = await client.get(here, params={"since": "not-a-date"})
    assert ignored.status_code == 200 and ignored.text.count("<tr data-audit=") == 3


async def test_outbox_hides_who_outside_the_workspace_got_mail(
    client, staff, workspace: Workspace, mailbox
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        await queue_email(
            scope,
            to="client.final@particulier.fr",
            subject="Votre devis pour Mme Client",
            body_text="x",
            kind="quote",
        )
    await sign_in(client, staff)
    page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert "client.final@particulier.fr" not in page.text
    assert "Votre devis pour Mme Client" not in page.text
    assert "c•••@particulier.fr" in page.text and ">quote<" in page.text
