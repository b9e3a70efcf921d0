"""Support staff end an impersonated session from the workspace's banner."""

from __future__ import annotations

import re
from typing import Any

from comptoir.platform.audit.tables import AuditEntry, StaffAuditEntry
from comptoir.platform.auth.tables import UserSession
from comptoir.platform.console.impersonation import start_impersonation
from comptoir.platform.console.service import create_staff
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from tests.support.pages import CSRF_INPUT, sign_in

REASON = "Ticket 4521: the export de devis échoue."


async def _impersonate(client, workspace) -> tuple[Any, Any]:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    staff = (await create_staff("ops@provider.example", "Console-ops-2026-secure")).staff
    started = await start_impersonation(
        tenant, workspace.admin_user_id, staff=staff, reason=REASON, ip="10.0.0.1"
    )
    client.cookies.set(
        "comptoir_session", started.token, domain="testserver.local", path=f"/w/{workspace.slug}"
    )
    client.cookies.set("lang", "fr", domain="testserver.local", path="/")
    return tenant, started


async def test_the_banner_ends_the_impersonated_session(client, workspace) -> None:
    tenant, started = await _impersonate(client, workspace)
    home = await client.get(f"/w/{workspace.slug}/")
    assert home.status_code == 200
    banner = home.text[home.text.index('class="banner') : home.text.index('<div class="app">')]
    # The sentence reads properly: the reason quoted, nothing glued to it.
    assert "<q>Ticket 4521: the export de devis échoue.</q>" in banner
    assert ".)" not in banner and "&lt;" not in banner
    form = re.search(r'<form method="post" action="([^"]+)" class="banner-action">', banner)
    assert form and form.group(1) == f"/w/{workspace.slug}/impersonation/end"
    assert "Terminer et revenir à la console" in banner

    # Without the CSRF token: refused, the session goes on.
    refused = await client.post(form.group(1), data={})
    assert refused.status_code == 403
    assert (await client.get(f"/w/{workspace.slug}/")).status_code == 200

    token = CSRF_INPUT.search(banner)
    assert token
    ended = await client.post(form.group(1), data={"_csrf_token": token.group(1)})
    assert ended.status_code == 303
    assert ended.headers["location"] == f"/console/tenants/{tenant.id}"
    assert "comptoir_session=" in ended.headers.get("set-cookie", "")

    async with tenant_scope(tenant.id) as scope:
        session = await scope.get(UserSession, started.opened.session.id)
        entries = (
            await scope.objects(AuditEntry)
            .where(AuditEntry.action == "staff.impersonate_end")
            .output(load_json=True)
        )
    assert session.revoked_at is not None
    [entry] = entries
    assert entry.actor_type == "staff"
    changes: dict[str, Any] = entry.changes  # type: ignore[assignment]  # JSON loaded
    assert changes["reason"] == REASON
    [staff_entry] = await StaffAuditEntry.objects().where(
        StaffAuditEntry.action == "staff.impersonate_end"
    )
    assert staff_entry.staff_email == "ops@provider.example"
    assert str(staff_entry.target_tenant) == workspace.tenant_id

    # The token no longer opens the workspace.
    client.cookies.set(
        "comptoir_session", started.token, domain="testserver.local", path=f"/w/{workspace.slug}"
    )
    again = await client.get(f"/w/{workspace.slug}/")
    assert again.status_code in (302, 303) and "/login" in again.headers["location"]


async def test_a_users_own_session_has_no_banner_and_cannot_be_ended_there(
    client, workspace
) -> None:
    await sign_in(client, workspace)
    home = await client.get(f"/w/{workspace.slug}/")
    assert "banner-action" not in home.text
    token = CSRF_INPUT.search(home.text)
    assert token
    response = await client.post(
        f"/w/{workspace.slug}/impersonation/end", data={"_csrf_token": token.group(1)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/w/{workspace.slug}/"
    assert (await client.get(f"/w/{workspace.slug}/")).status_code == 200  # still signed in
