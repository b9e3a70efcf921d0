"""Disabling a user ends their sessions, API tokens and open links for good:
enabling them again revives none of it."""

from __future__ import annotations

import httpx

from comptoir.platform.auth.password_reset import request_password_reset
from comptoir.platform.auth.service import load_session, open_session
from comptoir.platform.auth.tables import ApiToken, PasswordReset, User, UserSession
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.tenants.users.tables import Invitation
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import add_person
from tests.support.smtp import Mailbox


async def _set_status(client: httpx.AsyncClient, ws: Workspace, user_id: str, status: str) -> None:
    response = await client.patch(
        f"/api/v1/users/{user_id}", headers=ws.headers, json={"status": status}
    )
    assert response.status_code == 200, response.text


async def test_disabling_ends_sessions_and_tokens_for_good(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    user_id = await add_person(client, workspace, "key_user")
    async with tenant_scope(tenant.id) as scope:
        user = await scope.get(User, user_id)
    session = await open_session(tenant, user, ip_address="192.0.2.5", user_agent="pytest")
    created = await client.post(
        "/api/v1/tokens", headers=workspace.headers, json={"name": "ERP", "user_id": user_id}
    )
    assert created.status_code == 201, created.text
    bearer = {"Authorization": f"Bearer {created.json()['token']}"}
    assert (await client.get("/api/v1/contacts", headers=bearer)).status_code == 200
    # The welcome link sent when the user was added is still open.
    await deliver_mail()
    assert mailbox.to(user.email)

    await _set_status(client, workspace, user_id, "disabled")
    assert await load_session(tenant, session.token) is None
    assert (await client.get("/api/v1/contacts", headers=bearer)).status_code == 401

    await _set_status(client, workspace, user_id, "active")
    assert await load_session(tenant, session.token) is None
    assert (await client.get("/api/v1/contacts", headers=bearer)).status_code == 401
    async with tenant_scope(tenant.id) as scope:
        live_sessions = await (
            scope.count(UserSession)
            .where(UserSession.user_id == user.id)
            .where(UserSession.revoked_at.is_null())
        )
        live_tokens = await (
            scope.count(ApiToken)
            .where(ApiToken.user_id == user.id)
            .where(ApiToken.revoked_at.is_null())
        )
    assert live_sessions == 0 and live_tokens == 0
    listed = (await client.get("/api/v1/tokens", headers=workspace.headers)).json()["items"]
    assert [t["revoked"] for t in listed if t["id"] == created.json()["id"]] == [True]


async def test_disabling_voids_open_password_and_invitation_links(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    user_id = await add_person(client, workspace)
    async with tenant_scope(tenant.id) as scope:
        user = await scope.get(User, user_id)
        await scope.update(User, {User.password_hash: "x"}).where(User.id == user.id)
    await request_password_reset(tenant, user.email, ip_address="192.0.2.6")
    await deliver_mail()
    assert len(mailbox.to(user.email)) == 2  # the welcome link and the reset link

    await _set_status(client, workspace, user_id, "disabled")
    await _set_status(client, workspace, user_id, "active")
    async with tenant_scope(tenant.id) as scope:
        open_resets = await scope.objects(PasswordReset).where(PasswordReset.used_at.is_null())
        open_invitations = await (
            scope.count(Invitation)
            .where(Invitation.email == user.email)
            .where(Invitation.accepted_at.is_null())
            .where(Invitation.revoked_at.is_null())
        )
    assert open_resets == [] and open_invitations == 0
