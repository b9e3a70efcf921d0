"""Workspace pages over HTTP, on both engines: signing in and out, CSRF,
cookies, throttling, contacts, administration, suspension, invitations."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from comptoir.platform.auth.credentials import hash_password
from comptoir.platform.auth.tables import User
from comptoir.platform.console.impersonation import start_impersonation
from comptoir.platform.console.service import create_staff
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import set_status, tenant_by_slug
from comptoir.tenants.contacts.tables import Contact
from tests.support.fixtures import STRONG_PASSWORD, Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import (
    CSRF_INPUT,
    EN,
    add_person,
    form_token,
    new_contact,
    post_form,
    session_cookie,
    sign_in,
    sign_in_as,
)
from tests.support.smtp import Mailbox

# ---- signing in and out --------------------------------------------------------


async def test_sign_in_sets_an_httponly_cookie_on_the_workspace_path(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    response = await sign_in(client, workspace)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/w/{workspace.slug}/"
    morsel = session_cookie(response)["comptoir_session"]
    assert morsel.value
    assert morsel["httponly"] is True
    assert morsel["path"] == f"/w/{workspace.slug}"
    assert morsel["secure"] is True
    assert morsel["samesite"].lower() == "lax"

    home = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert home.status_code == 200
    assert f"Société {workspace.slug}" in home.text
    assert home.headers["cache-control"] == "no-store"


async def test_a_fresh_session_id_at_every_sign_in(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    first = session_cookie(await sign_in(client, workspace))["comptoir_session"].value
    second = session_cookie(await sign_in(client, workspace))["comptoir_session"].value
    assert first != second


async def test_wrong_password_shows_a_message_and_keeps_the_email(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    response = await sign_in(client, workspace, password="not-the-password")
    assert response.status_code == 401
    assert "Incorrect e-mail or password." in response.text
    assert f'value="{workspace.admin_email}"' in response.text
    assert "comptoir_session=" not in (response.headers.get("set-cookie") or "")

    unknown = await sign_in(client, workspace, email="nobody@exemple.fr", password="whatever12")
    assert unknown.status_code == 401
    assert "Incorrect e-mail or password." in unknown.text

    # French by default
    client.cookies.delete("lang")
    token = await form_token(client, f"/w/{workspace.slug}/login")
    french = await client.post(
        f"/w/{workspace.slug}/login",
        data={"_csrf_token": token, "email": workspace.admin_email, "password": "nope-nope-nope"},
    )
    assert "E-mail ou mot de passe incorrect." in french.text


async def test_throttled_after_repeated_failures(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    for _ in range(5):
        response = await sign_in(client, workspace, password="wrong-password")
        assert response.status_code == 401
    blocked = await sign_in(client, workspace)  # even the right password now
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.text
    assert "comptoir_session=" not in (blocked.headers.get("set-cookie") or "")


async def test_posts_without_a_csrf_token_are_refused(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await client.get(f"/w/{workspace.slug}/login")  # the CSRF cookie alone is not enough
    refused = await client.post(
        f"/w/{workspace.slug}/login",
        data={"email": workspace.admin_email, "password": workspace.password},
        headers=EN,
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "comptoir_session=" not in (refused.headers.get("set-cookie") or "")

    await sign_in(client, workspace)
    forged = await client.post(
        f"/w/{workspace.slug}/contacts",
        data={"_csrf_token": "forged", "last_name": "Pirate"},
        headers=EN,
    )
    assert forged.status_code == 403
    listed = await client.get("/api/v1/contacts", headers=workspace.headers)
    assert listed.json()["items"] == []

    with_header = await client.post(
        f"/w/{workspace.slug}/contacts",
        data={"last_name": "Honnête"},
        headers={"x-csrf-token": client.cookies["comptoir_csrf"]},
    )
    assert with_header.status_code == 303


async def test_sign_out_ends_the_session(client: httpx.AsyncClient, workspace: Workspace) -> None:
    signed_in = await sign_in(client, workspace)
    old_token = session_cookie(signed_in)["comptoir_session"].value
    response = await post_form(client, f"/w/{workspace.slug}/", f"/w/{workspace.slug}/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"/w/{workspace.slug}/login"
    cleared = session_cookie(response)["comptoir_session"]
    assert cleared.value == "" and cleared["max-age"] == "0"

    client.cookies.set(
        "comptoir_session", old_token, domain="testserver.local", path=f"/w/{workspace.slug}"
    )
    again = await client.get(f"/w/{workspace.slug}/")
    assert again.status_code == 303
    assert again.headers["location"].startswith(f"/w/{workspace.slug}/login")


async def test_pages_send_strangers_to_the_sign_in_page(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    response = await client.get(f"/w/{workspace.slug}/contacts?q=ab")
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/w/{workspace.slug}/login?next=/w/{workspace.slug}/contacts%3Fq%3Dab"
    )
    htmx = await client.get(f"/w/{workspace.slug}/contacts", headers={"HX-Request": "true"})
    assert htmx.status_code == 401
    assert htmx.headers["hx-redirect"].startswith(f"/w/{workspace.slug}/login")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/w/alpha/contacts?q=x", "/w/alpha/contacts?q=x"),
        ("https://evil.example/", "/w/alpha/"),
        ("//evil.example/w/alpha/", "/w/alpha/"),
        ("/\\evil.example", "/w/alpha/"),
        ("/w/beta/", "/w/alpha/"),
        ("/w/alphabet/", "/w/alpha/"),
        ("/w/alpha/../../console/", "/w/alpha/"),
    ],
)
async def test_after_sign_in_next_stays_inside_the_workspace(
    client: httpx.AsyncClient, workspace: Workspace, target: str, expected: str
) -> None:
    response = await sign_in(client, workspace, next_page=target)
    assert response.status_code == 303
    assert response.headers["location"] == expected


async def test_unknown_workspace_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/w/nowhere/login", headers=EN)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No such workspace." in response.text
    french = await client.get("/w/nowhere/")
    assert french.status_code == 404
    assert "Aucun espace à cette adresse." in french.text


# ---- contacts -------------------------------------------------------------------


async def test_contacts_page_lists_only_this_tenants_contacts(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    await new_contact(client, workspace, "Alphonse")
    await new_contact(client, other_workspace, "Betaille")
    await sign_in(client, workspace)
    page = await client.get(f"/w/{workspace.slug}/contacts", headers=EN)
    assert page.status_code == 200
    assert "Alphonse" in page.text
    assert "Betaille" not in page.text

    searched = await client.get(
        f"/w/{workspace.slug}/contacts?q=betaille", headers={"HX-Request": "true", **EN}
    )
    assert searched.status_code == 200
    assert "<html" not in searched.text  # only the rows
    assert "Betaille" not in searched.text
    assert "No contact matches" in searched.text


async def test_live_search_and_load_more(client: httpx.AsyncClient, workspace: Workspace) -> None:
    for n in range(27):
        await new_contact(client, workspace, f"Durand{n:02d}")
    await new_contact(client, workspace, "Hélène")
    await sign_in(client, workspace)
    found = await client.get(
        f"/w/{workspace.slug}/contacts?q=helene", headers={"HX-Request": "true"}
    )
    assert "Hélène" in found.text and "Durand" not in found.text

    first = await client.get(f"/w/{workspace.slug}/contacts?q=durand", headers=EN)
    assert first.text.count('class="row-link"') == 25
    cursor = re.search(r"cursor=([^&\"]+)", first.text)
    assert cursor and "Load more" in first.text
    more = await client.get(
        f"/w/{workspace.slug}/contacts?q=durand&cursor={cursor.group(1)}",
        headers={"HX-Request": "true"},
    )
    assert more.text.count('class="row-link"') == 2
    assert "Durand00" in more.text and "Load more" not in more.text


async def test_another_tenants_contact_is_a_404_page(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    theirs = await new_contact(client, other_workspace, "Secret")
    await sign_in(client, workspace)
    for path in (f"/contacts/{theirs}", "/contacts/not-an-id", f"/contacts/{uuid.uuid4()}"):
        response = await client.get(f"/w/{workspace.slug}{path}", headers=EN)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Secret" not in response.text
    token = client.cookies["comptoir_csrf"]
    changed = await client.post(
        f"/w/{workspace.slug}/contacts/{theirs}",
        data={"_csrf_token": token, "last_name": "Pwned"},
    )
    deleted = await client.post(
        f"/w/{workspace.slug}/contacts/{theirs}/delete", data={"_csrf_token": token}
    )
    assert changed.status_code == 404 and deleted.status_code == 404
    still = await client.get(f"/api/v1/contacts/{theirs}", headers=other_workspace.headers)
    assert still.status_code == 200 and still.json()["last_name"] == "Secret"


async def test_create_edit_and_delete_a_contact(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}"
    bad = await post_form(
        client,
        f"{base}/contacts/new",
        f"{base}/contacts",
        {"first_name": "Jeanne", "last_name": "Martin", "email": "pas-un-email"},
    )
    assert bad.status_code == 422
    assert "Must be a valid e-mail address" in bad.text
    assert 'value="Jeanne"' in bad.text and 'value="pas-un-email"' in bad.text

    created = await post_form(
        client,
        f"{base}/contacts/new",
        f"{base}/contacts",
        {
            "first_name": "Jeanne",
            "last_name": "Martin",
            "email": "jeanne@exemple.fr",
            "owner_id": workspace.admin_user_id,
        },
    )
    assert created.status_code == 303
    location = created.headers["location"]
    assert re.fullmatch(rf"{base}/contacts/[0-9a-f-]{{36}}", location)
    shown = await client.get(location, headers=EN)
    assert "Contact created." in shown.text and 'href="mailto:jeanne@exemple.fr"' in shown.text

    token = client.cookies["comptoir_csrf"]
    saved = await client.post(
        location,
        data={
            "_csrf_token": token,
            "first_name": "Jeanne",
            "last_name": "Martin-Roux",
            "email": "jeanne@exemple.fr",
            "phone": "+33 6 00 00 00 00",
            "owner_id": "",
        },
    )
    assert saved.status_code == 303
    api = await client.get(
        f"/api/v1/contacts/{location.rsplit('/', 1)[1]}", headers=workspace.headers
    )
    assert api.json()["last_name"] == "Martin-Roux" and api.json()["owner_id"] is None

    deleted = await client.post(f"{location}/delete", data={"_csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["location"] == f"{base}/contacts"
    assert (await client.get(location)).status_code == 404


# ---- administration ---------------------------------------------------------------


async def test_admin_pages_are_refused_to_end_users(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    end_user = await add_person(client, workspace, "end_user")
    await sign_in_as(client, workspace, end_user)
    home = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert home.status_code == 200
    assert "/admin/users" not in home.text  # no Administration section
    for path in ("/admin/users", "/admin/tokens", "/admin/audit"):
        response = await client.get(f"/w/{workspace.slug}{path}", headers=EN)
        assert response.status_code == 403, path
        assert "Your role does not allow this" in response.text
    token = client.cookies["comptoir_csrf"]
    refused = await client.post(
        f"/w/{workspace.slug}/admin/users",
        data={"_csrf_token": token, "email": "x@exemple.fr", "mode": "add"},
    )
    assert refused.status_code == 403


async def test_admin_manages_people(client: httpx.AsyncClient, workspace: Workspace) -> None:
    await sign_in(client, workspace)
    users = f"/w/{workspace.slug}/admin/users"
    added = await post_form(
        client,
        users,
        users,
        {
            "mode": "add",
            "email": "Julie@Exemple.fr",
            "first_name": "Julie",
            "last_name": "Petit",
            "role": "key_user",
        },
    )
    assert added.status_code == 303
    page = await client.get(users, headers=EN)
    assert "julie@exemple.fr" in page.text and "User added." in page.text

    duplicate = await post_form(
        client, users, users, {"mode": "add", "email": "julie@exemple.fr", "role": "end_user"}
    )
    assert duplicate.status_code == 409
    assert "already has an account here" in duplicate.text

    invited = await post_form(
        client, users, users, {"mode": "invite", "email": "paul@exemple.fr", "role": "end_user"}
    )
    assert invited.status_code == 303
    page = await client.get(users, headers=EN)
    assert "paul@exemple.fr" in page.text and "Pending" in page.text

    listed = await client.get("/api/v1/users", headers=workspace.headers)
    julie = next(u for u in listed.json()["items"] if u["email"] == "julie@exemple.fr")
    token = client.cookies["comptoir_csrf"]
    demoted = await client.post(
        f"{users}/{julie['id']}", data={"_csrf_token": token, "role": "end_user"}
    )
    disabled = await client.post(
        f"{users}/{julie['id']}", data={"_csrf_token": token, "status": "disabled"}
    )
    assert demoted.status_code == 303 and disabled.status_code == 303
    after = await client.get(f"/api/v1/users/{julie['id']}", headers=workspace.headers)
    assert after.json()["role"] == "end_user" and after.json()["status"] == "disabled"

    myself = await client.post(
        f"{users}/{workspace.admin_user_id}", data={"_csrf_token": token, "role": "end_user"}
    )
    assert myself.status_code == 422
    assert "cannot demote or disable yourself" in myself.text


async def test_api_token_is_shown_once(client: httpx.AsyncClient, workspace: Workspace) -> None:
    await sign_in(client, workspace)
    tokens = f"/w/{workspace.slug}/admin/tokens"
    missing_name = await post_form(
        client, tokens, tokens, {"name": "", "user_id": workspace.admin_user_id}
    )
    assert missing_name.status_code == 422
    created = await post_form(
        client, tokens, tokens, {"name": "Site web", "user_id": workspace.admin_user_id}
    )
    assert created.status_code == 200
    found = re.search(r'id="new-token">(cpt_[^<]+)<', created.text)
    assert found, created.text
    secret = found.group(1)
    works = await client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {secret}"})
    assert works.status_code == 200
    again = await client.get(tokens, headers=EN)
    assert "Site web" in again.text and secret not in again.text


async def test_audit_page_shows_staff_impersonation_prominently(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    staff = await create_staff("support@comptoir.test", "Tr3s-bon-mot-de-passe")
    await start_impersonation(
        tenant,
        workspace.admin_user_id,
        staff=staff.staff,
        reason="Ticket 4521: import stuck",
        ip="198.51.100.4",
    )
    await sign_in(client, workspace)
    page = await client.get(f"/w/{workspace.slug}/admin/audit", headers=EN)
    assert page.status_code == 200
    assert "Comptoir support accessed this workspace" in page.text
    assert "Ticket 4521: import stuck" in page.text
    assert 'class="row-staff"' in page.text
    assert "Signed in" in page.text  # the admin's own sign-in, newest first


async def test_impersonated_session_shows_a_banner(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    staff = await create_staff("helpdesk@comptoir.test", "Tr3s-bon-mot-de-passe")
    impersonation = await start_impersonation(
        tenant,
        workspace.admin_user_id,
        staff=staff.staff,
        reason="Customer asked for help with contacts",
        ip="198.51.100.4",
    )
    client.cookies.set(
        "comptoir_session",
        impersonation.token,
        domain="testserver.local",
        path=f"/w/{workspace.slug}",
    )
    client.cookies.set("lang", "en", domain="testserver.local", path="/")
    for path in ("/", "/contacts", "/account/sessions"):
        page = await client.get(f"/w/{workspace.slug}{path}", headers=EN)
        assert page.status_code == 200
        assert "Support staff is signed in as you" in page.text
        assert "Reason: <q>Customer asked for help with contacts</q>" in page.text
        assert re.search(r"until \d\d:\d\d", page.text)


# ---- suspension, sessions, language ------------------------------------------------


async def test_suspended_workspace_gets_a_403_page(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await sign_in(client, workspace)
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    await set_status(tenant, "suspended", reason="unpaid", actor_label="test")
    for path in ("/", "/contacts", "/password/forgot"):
        page = await client.get(f"/w/{workspace.slug}{path}", headers=EN)
        assert page.status_code == 403, path
        assert "Workspace suspended" in page.text
        assert "Its data is kept" in page.text
    # The admin is offered the billing page, where the subscription is settled.
    home = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert f'href="/w/{workspace.slug}/admin/billing"' in home.text
    billing = await client.get(f"/w/{workspace.slug}/admin/billing", headers=EN)
    assert billing.status_code == 200
    # The sign-in page stays open and says who may still sign in.
    door = await client.get(f"/w/{workspace.slug}/login", headers=EN)
    assert door.status_code in (200, 303)
    client.cookies.delete("lang")
    french = await client.get(f"/w/{workspace.slug}/")
    assert "Espace suspendu" in french.text and "données sont conservées" in french.text

    await set_status(tenant, "active", actor_label="test")
    assert (await client.get(f"/w/{workspace.slug}/")).status_code == 200


async def test_a_suspended_workspace_lets_only_its_admins_in_to_settle_billing(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    member_id = await add_person(client, workspace, role="end_user")
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    await set_status(tenant, "suspended", reason="unpaid", actor_label="test")
    door = await client.get(f"/w/{workspace.slug}/login", headers=EN)
    assert door.status_code == 200
    assert "Only its administrators can sign in" in door.text

    signed_in = await sign_in(client, workspace)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/w/{workspace.slug}/admin/billing"
    assert (await client.get(signed_in.headers["location"], headers=EN)).status_code == 200
    home = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert home.status_code == 403 and "Settle the subscription" in home.text
    # The API stays closed, admins included.
    api = await client.get("/api/v1/billing/subscription", headers=workspace.headers)
    assert api.status_code == 403

    client.cookies.clear()
    async with tenant_scope(tenant.id) as scope:
        member = await scope.find(User, member_id)
        assert member is not None
        member.password_hash = await hash_password(STRONG_PASSWORD)
        await scope.save(member, columns=[User.password_hash])
    refused = await sign_in(client, workspace, email=str(member.email), password=STRONG_PASSWORD)
    assert refused.status_code == 403
    assert "Workspace suspended" in refused.text
    assert "Settle the subscription" not in refused.text


async def test_sessions_page_lists_and_revokes(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await sign_in(client, workspace)
    other = httpx.AsyncClient(transport=client._transport, base_url="https://testserver.local")
    async with other:
        await sign_in(other, workspace)
        page = await client.get(f"/w/{workspace.slug}/account/sessions", headers=EN)
        assert page.status_code == 200
        assert page.text.count("/revoke") == 2
        assert "This device" in page.text
        ids = re.findall(r"/account/sessions/([0-9a-f-]{36})/revoke", page.text)
        current = re.search(
            r'class="row-current".*?/account/sessions/([0-9a-f-]{36})/revoke', page.text, re.S
        )
        assert current
        to_revoke = next(i for i in ids if i != current.group(1))
        revoked = await client.post(
            f"/w/{workspace.slug}/account/sessions/{to_revoke}/revoke",
            data={"_csrf_token": client.cookies["comptoir_csrf"]},
        )
        assert revoked.status_code == 303
        assert (await other.get(f"/w/{workspace.slug}/")).status_code == 303
        assert (await client.get(f"/w/{workspace.slug}/")).status_code == 200


async def test_language_switch(client: httpx.AsyncClient, workspace: Workspace) -> None:
    login = await client.get(f"/w/{workspace.slug}/login")
    assert "Se connecter" in login.text
    token = CSRF_INPUT.search(login.text).group(1)  # type: ignore[union-attr]
    switched = await client.post(
        "/lang", data={"_csrf_token": token, "locale": "en", "next": f"/w/{workspace.slug}/login"}
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == f"/w/{workspace.slug}/login"
    assert (await client.get(f"/w/{workspace.slug}/login")).text.count("Sign in") >= 1
    escaped = await client.post(
        "/lang", data={"_csrf_token": token, "locale": "fr", "next": "https://evil.example/"}
    )
    assert escaped.headers["location"] == "/"

    await sign_in(client, workspace, english=False)
    home = await client.get(f"/w/{workspace.slug}/")
    assert "Bonjour" in home.text  # the lang cookie says French now
    in_app = await client.post(
        f"/w/{workspace.slug}/account/language",
        data={"_csrf_token": token, "locale": "en", "next": f"/w/{workspace.slug}/contacts"},
    )
    assert in_app.status_code == 303
    assert in_app.headers["location"] == f"/w/{workspace.slug}/contacts"
    assert "Hello" in (await client.get(f"/w/{workspace.slug}/")).text
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        admin = await scope.get(User, workspace.admin_user_id)
    assert admin.locale == "en"


# ---- invitations and signup --------------------------------------------------------


async def test_invitation_accept_flow(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    invited = await client.post(
        "/api/v1/invitations",
        headers=workspace.headers,
        json={"email": "nina@exemple.fr", "role": "key_user", "first_name": "Nina"},
    )
    assert invited.status_code == 201, invited.text
    await deliver_mail()
    [message] = mailbox.to("nina@exemple.fr")
    link = re.search(r"https://testserver\.local(/w/\S+/invitations/\S+)", Mailbox.text_of(message))
    assert link
    path = link.group(1)

    page = await client.get(path, headers=EN)
    assert page.status_code == 200
    assert "nina@exemple.fr" in page.text and "Key user" in page.text
    token = CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]
    mismatch = await client.post(
        path,
        data={
            "_csrf_token": token,
            "first_name": "Nina",
            "last_name": "Simon",
            "password": STRONG_PASSWORD,
            "password_confirm": "something-else",
        },
        headers=EN,
    )
    assert mismatch.status_code == 422
    assert "The two passwords are not the same." in mismatch.text
    assert 'value="Simon"' in mismatch.text
    weak = await client.post(
        path,
        data={"_csrf_token": token, "password": "short", "password_confirm": "short"},
        headers=EN,
    )
    assert weak.status_code == 422
    assert "Must be at least 10 characters long" in weak.text

    accepted = await client.post(
        path,
        data={
            "_csrf_token": token,
            "first_name": "Nina",
            "last_name": "Simon",
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD,
        },
        headers=EN,
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/w/{workspace.slug}/"
    assert session_cookie(accepted)["comptoir_session"]["path"] == f"/w/{workspace.slug}"
    client.cookies.set("lang", "en", domain="testserver.local", path="/")
    home = await client.get(f"/w/{workspace.slug}/")
    assert home.status_code == 200 and "Hello, Nina" in home.text

    used = await client.get(path, headers=EN)
    assert used.status_code == 404
    assert "This invitation link is no longer valid" in used.text
    bogus = await client.get(f"/w/{workspace.slug}/invitations/not-a-real-token", headers=EN)
    assert bogus.status_code == 404

    fresh = httpx.AsyncClient(transport=client._transport, base_url="https://testserver.local")
    async with fresh:
        again = await sign_in(fresh, workspace, email="nina@exemple.fr")
        assert again.status_code == 303


async def test_signup_page_creates_a_workspace_and_signs_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/signup?plan=entreprise", headers=EN)
    assert form.status_code == 200
    assert 'value="entreprise" checked' in form.text
    token = CSRF_INPUT.search(form.text).group(1)  # type: ignore[union-attr]
    key = re.search(r'name="signup_key" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    fields = {
        "_csrf_token": token,
        "signup_key": key,
        "company_name": "Boulangerie Hélène",
        "slug": "api",
        "admin_first_name": "Hélène",
        "admin_last_name": "Roux",
        "admin_email": "helene@boulangerie.fr",
        "admin_password": STRONG_PASSWORD,
        "plan": "entreprise",
    }
    bad = await client.post("/signup", data={**fields, "admin_email": "nope"}, headers=EN)
    assert bad.status_code == 422
    assert "Is reserved; please choose another" in bad.text
    assert "Must be a valid e-mail address" in bad.text
    assert 'value="Boulangerie Hélène"' in bad.text and 'value="Roux"' in bad.text

    created = await client.post(
        "/signup", data={**fields, "slug": "boulangerie-helene"}, headers=EN
    )
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/w/boulangerie-helene/"
    assert session_cookie(created)["comptoir_session"]["path"] == "/w/boulangerie-helene"
    home = await client.get("/w/boulangerie-helene/", headers=EN)
    assert home.status_code == 200
    assert "Your workspace is ready" in home.text and "Hello, Hélène" in home.text
    tenant = await tenant_by_slug("boulangerie-helene")
    assert tenant is not None and tenant.plan == "entreprise" and tenant.status == "trial"

    taken = await client.post(
        "/signup",
        data={**fields, "signup_key": "another-key", "slug": "boulangerie-helene"},
        headers=EN,
    )
    assert taken.status_code == 422
    assert "This address is already taken" in taken.text

    status = await client.get("/signup/slug?slug=boulangerie-helene", headers=EN)
    assert "already taken" in status.text
    free = await client.get("/signup/slug?company_name=Caf%C3%A9%20du%20Port", headers=EN)
    assert "cafe-du-port" in free.text and "Available" in free.text


async def test_public_pages(client: httpx.AsyncClient) -> None:
    landing = await client.get("/", headers=EN)
    assert landing.status_code == 200
    assert 'href="/signup"' in landing.text and 'href="/schema/"' in landing.text
    assert "Start a free 14-day trial" in landing.text
    assert "Essai gratuit de 14 jours" in (await client.get("/")).text
    finder = await client.get("/login?workspace=nowhere", headers=EN)
    assert finder.status_code == 404 and "No workspace has this address" in finder.text


async def test_find_workspace_redirects_to_its_sign_in_page(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    for typed in ("alpha", "https://comptoir.example/w/alpha/login"):
        response = await client.get("/login", params={"workspace": typed})
        assert response.status_code == 303
        assert response.headers["location"] == "/w/alpha/login"


async def test_home_shows_real_figures(client: httpx.AsyncClient, workspace: Workspace) -> None:
    await new_contact(client, workspace, "Premier")
    await new_contact(client, workspace, "Second")
    await add_person(client, workspace, "key_user")
    await sign_in(client, workspace)
    home = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert re.search(r'data-stat="contacts">\s*2\s*<', home.text)
    assert re.search(r'data-stat="users">\s*2\s*<', home.text)
    assert re.search(r'data-stat="trial">\s*14 days\s*<', home.text)
    assert "Premier" in home.text  # created through the API as the admin, so theirs
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        assert await scope.count(Contact) == 2
