"""Forgot my password: the link by e-mail, once, within the hour; other sessions end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid

import httpx
import pytest

from comptoir.platform.auth import service
from comptoir.platform.auth.tables import PasswordReset
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.errors import Forbidden, NotAuthenticated
from tests.support.fixtures import STRONG_PASSWORD, Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import EN, post_form, sign_in
from tests.support.smtp import Mailbox

NEW_PASSWORD = "Un-nouveau-mot-de-passe-2027"
LINK = re.compile(r"https://testserver\.local(/w/[\w-]+/password/reset/\S+)")


async def ask_for_link(client: httpx.AsyncClient, ws: Workspace, email: str) -> httpx.Response:
    url = f"/w/{ws.slug}/password/forgot"
    return await post_form(client, url, url, {"email": email})


async def link_in(mailbox: Mailbox, email: str) -> str:
    await deliver_mail()
    [message] = mailbox.to(email)
    found = LINK.search(Mailbox.text_of(message))
    assert found, Mailbox.text_of(message)
    return found.group(1)


async def test_reset_link_sets_a_new_password_once_and_ends_other_sessions(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    user = await service.authenticate_password(tenant, workspace.admin_email, STRONG_PASSWORD, "x")
    elsewhere = await service.open_session(tenant, user, ip_address="x", user_agent="phone")

    sent = await ask_for_link(client, workspace, workspace.admin_email.upper())
    assert sent.status_code == 200
    assert "Check your inbox" in sent.text
    path = await link_in(mailbox, workspace.admin_email)

    assert (await client.get(path, headers=EN)).status_code == 200
    mismatch = await post_form(
        client, path, path, {"password": NEW_PASSWORD, "password_confirm": "x"}
    )
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    weak = await post_form(client, path, path, {"password": "short", "password_confirm": "short"})
    assert weak.status_code == 422

    done = await post_form(
        client, path, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/w/{workspace.slug}/"
    assert "comptoir_session=" in done.headers["set-cookie"]

    assert await service.load_session(tenant, elsewhere.token) is None
    with pytest.raises(NotAuthenticated):
        await service.authenticate_password(tenant, workspace.admin_email, STRONG_PASSWORD, "y")
    again = await service.authenticate_password(tenant, workspace.admin_email, NEW_PASSWORD, "y")
    assert again.id == user.id

    reused = await client.get(path, headers=EN)
    assert reused.status_code == 404 and "no longer valid" in reused.text


async def test_unknown_address_gets_the_same_answer_and_no_mail(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    known = await ask_for_link(client, workspace, workspace.admin_email)
    unknown = await ask_for_link(client, workspace, "personne@ailleurs.fr")
    assert known.status_code == unknown.status_code == 200
    assert "Check your inbox" in unknown.text
    await deliver_mail()
    assert mailbox.to("personne@ailleurs.fr") == []


async def test_requests_are_throttled_per_account(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    for _ in range(3):
        assert (await ask_for_link(client, workspace, workspace.admin_email)).status_code == 200
    refused = await ask_for_link(client, workspace, workspace.admin_email)
    assert refused.status_code == 429
    assert "Too many requests" in refused.text
    await deliver_mail()
    assert len(mailbox.to(workspace.admin_email)) == 3


async def test_expired_link_is_refused(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    await ask_for_link(client, workspace, workspace.admin_email)
    path = await link_in(mailbox, workspace.admin_email)
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        await scope.update(PasswordReset, {PasswordReset.expires_at: past})
    response = await post_form(
        client,
        f"/w/{workspace.slug}/login",
        path,
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 404


async def test_signed_in_user_changes_their_password(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    user = await service.authenticate_password(tenant, workspace.admin_email, STRONG_PASSWORD, "x")
    elsewhere = await service.open_session(tenant, user, ip_address="x", user_agent="phone")
    assert (await sign_in(client, workspace)).status_code == 303
    account = f"/w/{workspace.slug}/account/sessions"
    form = f"/w/{workspace.slug}/account/password"

    wrong = await post_form(
        client,
        account,
        form,
        {
            "current_password": "not-my-password",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    same = await post_form(
        client,
        account,
        form,
        {
            "current_password": STRONG_PASSWORD,
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD,
        },
    )
    assert same.status_code == 422

    done = await post_form(
        client,
        account,
        form,
        {
            "current_password": STRONG_PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert done.status_code == 303
    # This browser stays signed in; the other device does not.
    assert (await client.get(account)).status_code == 200
    assert await service.load_session(tenant, elsewhere.token) is None
    assert await service.authenticate_password(tenant, workspace.admin_email, NEW_PASSWORD, "y")


async def test_support_staff_cannot_change_a_users_password(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    user = await service.authenticate_password(tenant, workspace.admin_email, STRONG_PASSWORD, "x")
    impersonated = dataclasses.replace(service.actor_for(user), impersonator_staff_id=uuid.uuid4())
    with pytest.raises(Forbidden):
        await service.change_password(
            tenant,
            user.id,
            current_password=STRONG_PASSWORD,
            new_password=NEW_PASSWORD,
            actor=impersonated,
            keep_session_id=None,
        )
