"""Workspace sessions end when idle and after an absolute lifetime, both
settings; sensitive page actions ask for the password again when it was not
entered recently in the session."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest

from comptoir.platform.auth import service
from comptoir.platform.auth.tables import ApiToken, User, UserSession
from comptoir.platform.console.impersonation import start_impersonation
from comptoir.platform.console.service import create_staff
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.settings import get_settings, reset_settings
from tests.support.fixtures import STRONG_PASSWORD, Workspace
from tests.support.pages import add_person, post_form, sign_in

NEW_TOKEN = 'id="new-token"'  # the card that shows a token just created

SESSION_ID = re.compile(r"comptoir_session=([^;]+)")


async def _tenant(ws: Workspace) -> Tenant:
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    return tenant


async def _open(tenant: Tenant, ws: Workspace) -> service.OpenedSession:
    user = await service.authenticate_password(tenant, ws.admin_email, STRONG_PASSWORD, "x")
    return await service.open_session(tenant, user, ip_address="x", user_agent="pytest")


async def _age(tenant: Tenant, session_id: object, **values: dt.timedelta) -> None:
    """Move a session's times into the past by the given amounts."""
    now = dt.datetime.now(dt.UTC)
    columns = {getattr(UserSession, name): now - ago for name, ago in values.items()}
    async with tenant_scope(tenant.id) as scope:
        await scope.update(UserSession, columns).where(UserSession.id == session_id)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set variables, then read the settings again; the defaults come back after."""
    yield monkeypatch
    monkeypatch.undo()
    reset_settings()


def test_defaults_meet_asvs_level_2_and_come_from_the_environment(
    environment: pytest.MonkeyPatch,
) -> None:
    settings = get_settings()
    assert settings.session_idle_minutes == 30
    assert settings.session_max_hours == 12
    assert settings.reauth_minutes == 10
    environment.setenv("COMPTOIR_SESSION_IDLE_MINUTES", "15")
    environment.setenv("COMPTOIR_SESSION_MAX_HOURS", "8")
    environment.setenv("COMPTOIR_REAUTH_MINUTES", "5")
    reset_settings()
    settings = get_settings()
    assert (settings.session_idle_minutes, settings.session_max_hours) == (15, 8)
    assert settings.reauth_minutes == 5
    environment.setenv("COMPTOIR_SESSION_IDLE_MINUTES", "0")
    reset_settings()
    with pytest.raises(ValueError, match="COMPTOIR_SESSION_IDLE_MINUTES"):
        get_settings()


async def test_an_idle_session_ends(client: httpx.AsyncClient, workspace: Workspace) -> None:
    tenant = await _tenant(workspace)
    opened = await _open(tenant, workspace)
    await _age(tenant, opened.session.id, last_seen_at=dt.timedelta(minutes=29))
    assert await service.load_session(tenant, opened.token) is not None  # and touched
    await _age(tenant, opened.session.id, last_seen_at=dt.timedelta(minutes=31))
    assert await service.load_session(tenant, opened.token) is None
    assert opened.session.id not in {
        s.id for s in await service.list_sessions(tenant.id, opened.session.user_id)
    }


async def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await _tenant(workspace)
    opened = await _open(tenant, workspace)
    lifetime = opened.session.expires_at - opened.session.created_at
    assert dt.timedelta(hours=11, minutes=59) < lifetime <= dt.timedelta(hours=12)
    # Active a minute ago, opened 12 hours ago: over.
    await _age(
        tenant,
        opened.session.id,
        created_at=dt.timedelta(hours=12, minutes=1),
        last_seen_at=dt.timedelta(minutes=1),
    )
    assert await service.load_session(tenant, opened.token) is None


async def test_the_cookie_lasts_no_longer_than_the_session(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    response = await sign_in(client, workspace)
    assert response.status_code == 303
    assert "Max-Age=43200" in response.headers["set-cookie"]


async def _stale(tenant: Tenant, client: httpx.AsyncClient) -> None:
    """The browser's session had its password entered 11 minutes ago."""
    token = client.cookies.get("comptoir_session")
    assert token
    loaded = await service.load_session(tenant, token)
    assert loaded is not None
    await _age(tenant, loaded[0].id, authenticated_at=dt.timedelta(minutes=11))


async def _token_count(tenant: Tenant) -> int:
    async with tenant_scope(tenant.id) as scope:
        return int(await scope.count(ApiToken))


async def test_creating_a_token_asks_for_the_password_when_not_recent(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await _tenant(workspace)
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/admin/tokens"
    form = {"name": "ERP", "user_id": workspace.admin_user_id, "expires_on": ""}
    # Just signed in: no question asked.
    before = await _token_count(tenant)
    assert NEW_TOKEN in (await post_form(client, url, url, form)).text
    assert await _token_count(tenant) == before + 1

    await _stale(tenant, client)
    asked = await post_form(client, url, url, form)
    assert asked.status_code == 200
    assert "Confirm your password" in asked.text and NEW_TOKEN not in asked.text
    assert 'name="name" value="ERP"' in asked.text  # the form comes back with it
    wrong = await post_form(client, url, url, {**form, "reauth_password": "not-it-at-all"})
    assert wrong.status_code == 422 and "Incorrect password" in wrong.text
    assert await _token_count(tenant) == before + 1

    confirmed = await post_form(client, url, url, {**form, "reauth_password": STRONG_PASSWORD})
    assert confirmed.status_code == 200 and NEW_TOKEN in confirmed.text
    assert await _token_count(tenant) == before + 2
    # Recent again: the next one goes through at once.
    assert NEW_TOKEN in (await post_form(client, url, url, form)).text


async def test_changing_a_role_asks_for_the_password_when_not_recent(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await _tenant(workspace)
    user_id = await add_person(client, workspace)
    await sign_in(client, workspace)
    await _stale(tenant, client)
    users = f"/w/{workspace.slug}/admin/users"
    url = f"{users}/{user_id}"
    asked = await post_form(client, users, url, {"role": "key_user"})
    assert asked.status_code == 200 and "Confirm your password" in asked.text
    async with tenant_scope(tenant.id) as scope:
        assert (await scope.get(User, user_id)).role == "end_user"
    done = await post_form(
        client, users, url, {"role": "key_user", "reauth_password": STRONG_PASSWORD}
    )
    assert done.status_code == 303
    async with tenant_scope(tenant.id) as scope:
        assert (await scope.get(User, user_id)).role == "key_user"


async def test_changing_the_password_counts_as_a_recent_entry(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await _tenant(workspace)
    await sign_in(client, workspace)
    await _stale(tenant, client)
    account = f"/w/{workspace.slug}/account/sessions"
    new = "Encore-une-phrase-de-passe-2027"
    changed = await post_form(
        client,
        account,
        f"/w/{workspace.slug}/account/password",
        {"current_password": STRONG_PASSWORD, "password": new, "password_confirm": new},
    )
    assert changed.status_code == 303
    token = client.cookies.get("comptoir_session")
    assert token
    loaded = await service.load_session(tenant, token)
    assert loaded is not None and service.recently_authenticated(loaded[0])


async def test_support_staff_impersonating_cannot_confirm(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await _tenant(workspace)
    staff = await create_staff("support@comptoir.test", "Tr3s-bon-mot-de-passe")
    impersonation = await start_impersonation(
        tenant,
        workspace.admin_user_id,
        staff=staff.staff,
        reason="Ticket 42: the user cannot export",
        ip="::1",
    )
    client.cookies.set(
        "comptoir_session",
        impersonation.opened.token,
        domain="testserver.local",
        path=f"/w/{workspace.slug}",
    )
    client.cookies.set("lang", "en", domain="testserver.local", path="/")
    url = f"/w/{workspace.slug}/admin/tokens"
    before = await _token_count(tenant)
    refused = await post_form(
        client,
        url,
        url,
        {"name": "x", "user_id": workspace.admin_user_id, "reauth_password": STRONG_PASSWORD},
    )
    assert refused.status_code == 403 and "Support staff" in refused.text
    assert await _token_count(tenant) == before


async def test_adding_an_administrator_asks_for_the_password_when_not_recent(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await _tenant(workspace)
    await sign_in(client, workspace)
    await _stale(tenant, client)
    users = f"/w/{workspace.slug}/admin/users"
    person = {"email": "nouvel.admin@exemple.fr", "role": "admin", "mode": "add"}
    asked = await post_form(client, users, users, person)
    assert asked.status_code == 200 and "Confirm your password" in asked.text
    async with tenant_scope(tenant.id) as scope:
        assert await scope.count(User).where(User.email == person["email"]) == 0
    # Someone without the administrator role is added at once.
    plain = await post_form(
        client, users, users, {"email": "simple@exemple.fr", "role": "end_user", "mode": "add"}
    )
    assert plain.status_code == 303
    done = await post_form(client, users, users, {**person, "reauth_password": STRONG_PASSWORD})
    assert done.status_code == 303
    async with tenant_scope(tenant.id) as scope:
        added = await scope.objects(User).where(User.email == person["email"]).first()
    assert added is not None and added.role == "admin"
