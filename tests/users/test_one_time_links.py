"""Invitation and password-reset links are spent by one conditional update:
of several uses at once exactly one succeeds, the others get 404, never 500."""

from __future__ import annotations

import asyncio
import re

import httpx

from comptoir.platform.auth.password_reset import request_password_reset, reset_password
from comptoir.platform.auth.tables import PasswordReset, User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import NotFound
from comptoir.tenants.users.service import accept_invitation
from comptoir.tenants.users.tables import Invitation
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import EN, form_token
from tests.support.smtp import Mailbox

PASSWORD = "Une-phrase-assez-longue-2027"
INVITATION = re.compile(r"https://testserver\.local/w/[\w-]+/invitations/(\S+)")
RESET = re.compile(r"https://testserver\.local/w/[\w-]+/password/reset/(\S+)")


async def _tenant(ws: Workspace) -> Tenant:
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    return tenant


async def _invite(client: httpx.AsyncClient, ws: Workspace, email: str) -> None:
    response = await client.post(
        "/api/v1/invitations", headers=ws.headers, json={"email": email, "role": "end_user"}
    )
    assert response.status_code == 201, response.text


async def _tokens(mailbox: Mailbox, email: str, pattern: re.Pattern[str]) -> list[str]:
    await deliver_mail()
    found = [pattern.search(Mailbox.text_of(message)) for message in mailbox.to(email)]
    return [match.group(1) for match in found if match]


async def test_four_parallel_uses_of_one_invitation_create_one_user(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    tenant = await _tenant(workspace)
    await _invite(client, workspace, "lea@exemple.fr")
    [token] = await _tokens(mailbox, "lea@exemple.fr", INVITATION)

    results = await asyncio.gather(
        *(accept_invitation(tenant.id, token, password=PASSWORD) for _ in range(4)),
        return_exceptions=True,
    )
    users = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, NotFound)]
    assert len(users) == 1 and len(refused) == 3, results
    async with tenant_scope(tenant.id) as scope:
        assert await scope.count(User).where(User.email == "lea@exemple.fr") == 1


async def test_four_parallel_posts_of_the_invitation_form_sign_in_once(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    await _invite(client, workspace, "hugo@exemple.fr")
    [token] = await _tokens(mailbox, "hugo@exemple.fr", INVITATION)
    url = f"/w/{workspace.slug}/invitations/{token}"
    csrf = await form_token(client, url)
    form = {"_csrf_token": csrf, "password": PASSWORD, "password_confirm": PASSWORD}

    responses = await asyncio.gather(*(client.post(url, data=form, headers=EN) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [303, 404, 404, 404]


async def test_accepting_one_invitation_voids_the_persons_other_links(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    """An older link must not set the password of the account again."""
    tenant = await _tenant(workspace)
    await _invite(client, workspace, "ines@exemple.fr")
    await _invite(client, workspace, "ines@exemple.fr")
    first, second = await _tokens(mailbox, "ines@exemple.fr", INVITATION)
    await accept_invitation(tenant.id, second, password=PASSWORD)
    try:
        await accept_invitation(tenant.id, first, password="Un-autre-mot-de-passe-2027")
    except NotFound:
        pass
    else:
        raise AssertionError("the older invitation link still worked")
    async with tenant_scope(tenant.id) as scope:
        open_links = await (
            scope.count(Invitation)
            .where(Invitation.email == "ines@exemple.fr")
            .where(Invitation.accepted_at.is_null())
            .where(Invitation.revoked_at.is_null())
        )
    assert open_links == 0


async def test_four_parallel_uses_of_one_reset_link_set_the_password_once(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    tenant = await _tenant(workspace)
    await request_password_reset(tenant, workspace.admin_email, ip_address="192.0.2.1")
    [token] = await _tokens(mailbox, workspace.admin_email, RESET)

    results = await asyncio.gather(
        *(
            reset_password(tenant, token, f"{PASSWORD}-{n}", ip_address="192.0.2.1")
            for n in range(4)
        ),
        return_exceptions=True,
    )
    assert len([r for r in results if isinstance(r, User)]) == 1, results
    assert len([r for r in results if isinstance(r, NotFound)]) == 3, results


async def test_four_parallel_posts_of_the_reset_form_answer_one_303_and_three_404(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    tenant = await _tenant(workspace)
    await request_password_reset(tenant, workspace.admin_email, ip_address="192.0.2.2")
    [token] = await _tokens(mailbox, workspace.admin_email, RESET)
    url = f"/w/{workspace.slug}/password/reset/{token}"
    csrf = await form_token(client, url)
    form = {"_csrf_token": csrf, "password": PASSWORD, "password_confirm": PASSWORD}

    responses = await asyncio.gather(*(client.post(url, data=form, headers=EN) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [303, 404, 404, 404]


async def test_using_one_reset_link_voids_the_users_other_links(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    tenant = await _tenant(workspace)
    await request_password_reset(tenant, workspace.admin_email, ip_address="192.0.2.3")
    await request_password_reset(tenant, workspace.admin_email, ip_address="192.0.2.3")
    first, second = await _tokens(mailbox, workspace.admin_email, RESET)
    await reset_password(tenant, second, PASSWORD, ip_address="192.0.2.3")
    try:
        await reset_password(tenant, first, f"{PASSWORD}-bis", ip_address="192.0.2.3")
    except NotFound:
        pass
    else:
        raise AssertionError("the other reset link still worked")
    async with tenant_scope(tenant.id) as scope:
        assert await scope.count(PasswordReset).where(PasswordReset.used_at.is_null()) == 0
