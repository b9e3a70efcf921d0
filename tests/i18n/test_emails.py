"""E-mails go out in the recipient's language, subjects included, and name the inviter."""

from __future__ import annotations

import uuid

from comptoir.platform.auth.password_reset import request_password_reset
from comptoir.platform.auth.service import actor_for
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.tenants.workspace.preferences import set_user_locale
from tests.support.jobs import deliver_mail
from tests.support.smtp import Mailbox


async def _name_the_admin(client, workspace) -> None:
    named = await client.patch(
        f"/api/v1/users/{workspace.admin_user_id}",
        headers=workspace.headers,
        json={"first_name": "Claire", "last_name": "Lefèvre"},
    )
    assert named.status_code == 200, named.text


async def test_invitation_and_welcome_are_french_and_name_the_inviter(
    client, workspace, mailbox: Mailbox
) -> None:
    await _name_the_admin(client, workspace)
    invited = await client.post(
        "/api/v1/invitations",
        headers=workspace.headers,
        json={"email": "paul@exemple.fr", "role": "end_user"},
    )
    assert invited.status_code == 201, invited.text
    added = await client.post(
        "/api/v1/users",
        headers=workspace.headers,
        json={"email": "julie@exemple.fr", "first_name": "Julie", "role": "end_user"},
    )
    assert added.status_code == 201, added.text
    await deliver_mail()

    [invitation] = mailbox.to("paul@exemple.fr")
    assert (
        invitation["Subject"]
        == f"Vous êtes invité·e à rejoindre Société {workspace.slug} sur Comptoir"
    )
    text = Mailbox.text_of(invitation)
    assert "Claire Lefèvre vous invite à rejoindre" in text
    assert workspace.admin_email not in text
    assert "Choisissez votre mot de passe" in text

    [welcome] = mailbox.to("julie@exemple.fr")
    assert welcome["Subject"] == f"Votre compte Comptoir pour Société {workspace.slug} est prêt"
    text = Mailbox.text_of(welcome)
    assert "Claire Lefèvre a créé votre compte (julie@exemple.fr)" in text
    assert "Hello" not in text and "invites you" not in text


async def test_password_reset_follows_the_users_chosen_language(
    client, workspace, mailbox: Mailbox
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    await request_password_reset(tenant, workspace.admin_email, ip_address="203.0.113.9")
    await deliver_mail()
    [french] = mailbox.to(workspace.admin_email)
    assert french["Subject"].startswith("Réinitialis") or "mot de passe" in french["Subject"]
    assert "Bonjour" in Mailbox.text_of(french)

    async with tenant_scope(tenant.id) as scope:
        admin = await scope.get(User, uuid.UUID(workspace.admin_user_id))
    await set_user_locale(tenant.id, admin.id, "en", actor=actor_for(admin))
    mailbox.clear()
    await request_password_reset(tenant, workspace.admin_email, ip_address="203.0.113.9")
    await deliver_mail()
    [english] = mailbox.to(workspace.admin_email)
    assert english["Subject"] == f"Reset your Comptoir password for Société {workspace.slug}"
    assert "Hello," in Mailbox.text_of(english)


async def test_people_added_to_an_english_workspace_get_english_mail(
    client, mailbox: Mailbox
) -> None:
    signup = await client.post(
        "/api/v1/signup",
        json={
            "company_name": "Harbour Tools",
            "slug": "harbour-tools",
            "admin_email": "admin@harbour.example",
            "admin_password": "Tr0p-de-caf3-ce-matin",
            "locale": "en",
        },
    )
    assert signup.status_code == 201, signup.text
    headers = {"Authorization": f"Bearer {signup.json()['api_token']}"}
    added = await client.post(
        "/api/v1/users", headers=headers, json={"email": "kim@harbour.example", "role": "end_user"}
    )
    assert added.status_code == 201, added.text
    await deliver_mail()
    [welcome] = mailbox.to("kim@harbour.example")
    assert welcome["Subject"] == "Your Comptoir account for Harbour Tools is ready"

    # Later mail follows the person's language, which is the workspace's until they choose.
    tenant = await tenant_by_slug("harbour-tools")
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        kim = await scope.get(User, uuid.UUID(added.json()["id"]))
    assert kim.locale == "en"
    mailbox.clear()
    await request_password_reset(tenant, "kim@harbour.example", ip_address="203.0.113.9")
    await deliver_mail()
    [reset] = mailbox.to("kim@harbour.example")
    assert reset["Subject"] == "Reset your Comptoir password for Harbour Tools"
