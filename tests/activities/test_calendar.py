"""iCalendar: one activity's event, and each user's private subscription feed."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlsplit

import httpx
from icalendar import Calendar, Component

from comptoir.platform.auth.credentials import digest
from comptoir.platform.db.scope import tenant_scope
from comptoir.tenants.activities.tables import FollowUpSettings
from tests.support.fixtures import Workspace
from tests.support.pages import add_person, post_form, sign_in, sign_in_as

API = "/api/v1/activities"


def _events(body: bytes) -> list[Component]:
    calendar = Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


async def _activity(client: httpx.AsyncClient, ws: Workspace, **fields: str) -> dict[str, str]:
    response = await client.post(API, headers=ws.headers, json=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_an_activity_as_an_event(client: httpx.AsyncClient, workspace: Workspace) -> None:
    meeting = await _activity(
        client,
        workspace,
        kind="meeting",
        subject="Démo, atelier; suite",
        body="Apporter le devis\net les échantillons",
        location="12 rue de la Paix, Lyon",
        due_at="2026-12-02T09:00:00+01:00",
        ends_at="2026-12-02T10:30:00+01:00",
    )
    response = await client.get(f"{API}/{meeting['id']}.ics", headers=workspace.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    [event] = _events(response.content)
    assert str(event["UID"]) == f"{meeting['id']}@comptoir"
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    assert str(event["SUMMARY"]) == "Démo, atelier; suite"
    assert str(event["DESCRIPTION"]) == "Apporter le devis\net les échantillons"
    assert str(event["LOCATION"]) == "12 rue de la Paix, Lyon"
    assert str(event["URL"]).endswith(f"/w/{workspace.slug}/activities/{meeting['id']}")
    # A call without an end lasts half an hour in a calendar.
    call = await _activity(client, workspace, subject="Appel", due_at="2026-12-03T14:00:00Z")
    [event] = _events(
        (await client.get(f"{API}/{call['id']}.ics", headers=workspace.headers)).content
    )
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=30)
    # Without a date there is no event; another tenant's activity is not found.
    note = await _activity(client, workspace, subject="Note", kind="note")
    assert (
        await client.get(f"{API}/{note['id']}.ics", headers=workspace.headers)
    ).status_code == 404
    # The same file from the activity's page.
    await sign_in(client, workspace)
    page = await client.get(f"/w/{workspace.slug}/activities/{meeting['id']}.ics")
    assert page.status_code == 200 and _events(page.content)[0]["UID"] == event_uid(meeting)


def event_uid(activity: dict[str, str]) -> str:
    return f"{activity['id']}@comptoir"


async def test_the_feed_opens_with_its_current_secret_only(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    h = workspace.headers
    now = dt.datetime.now(dt.UTC)
    soon = await _activity(
        client, workspace, subject="Rendez-vous", due_at=(now + dt.timedelta(days=2)).isoformat()
    )
    await _activity(
        client, workspace, subject="Trop loin", due_at=(now + dt.timedelta(days=400)).isoformat()
    )
    await _activity(
        client, workspace, subject="Trop vieux", due_at=(now - dt.timedelta(days=120)).isoformat()
    )
    await _activity(client, workspace, subject="Sans date")
    colleague = await add_person(client, workspace, "end_user")
    await _activity(
        client,
        workspace,
        subject="Celui d'un collègue",
        owner_id=colleague,
        due_at=(now + dt.timedelta(days=1)).isoformat(),
    )
    made = await client.post("/api/v1/me/calendar-feed", headers=h)
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    path = urlsplit(url).path
    assert path.startswith(f"/calendar/{workspace.slug}/") and path.endswith(".ics")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes, url-safe
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        stored = await scope.select(FollowUpSettings).where(
            FollowUpSettings.user_id == uuid.UUID(workspace.admin_user_id)
        )
    assert token not in str(stored) and len(stored[0]["calendar_token_hash"]) == 64

    feed = await client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert [str(e["SUMMARY"]) for e in _events(feed.content)] == ["Rendez-vous"]
    assert str(_events(feed.content)[0]["UID"]) == event_uid(soon)
    assert (await client.get("/api/v1/me/follow-up-settings", headers=h)).json()["calendar_feed"]

    # Another workspace's slug with this secret, a wrong secret, no suffix: 404.
    assert (await client.get(f"/calendar/{other_workspace.slug}/{token}.ics")).status_code == 404
    assert (await client.get(f"/calendar/{workspace.slug}/{token[:-1]}x.ics")).status_code == 404
    assert (await client.get(f"/calendar/{workspace.slug}/{token}")).status_code == 404
    assert (await client.get(f"/calendar/nowhere/{token}.ics")).status_code == 404

    # A new address turns the old one off; turning it off ends both.
    rotated = (await client.post("/api/v1/me/calendar-feed", headers=h)).json()["url"]
    assert rotated != url
    assert (await client.get(path)).status_code == 404
    assert (await client.get(urlsplit(rotated).path)).status_code == 200
    assert (await client.delete("/api/v1/me/calendar-feed", headers=h)).status_code == 204
    assert (await client.get(urlsplit(rotated).path)).status_code == 404
    assert not (await client.get("/api/v1/me/follow-up-settings", headers=h)).json()[
        "calendar_feed"
    ]


async def test_the_settings_page_shows_the_address_once(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await sign_in_as(client, workspace, workspace.admin_user_id)
    base = f"/w/{workspace.slug}/account/follow-ups"
    page = await client.get(base)
    assert page.status_code == 200 and "Turn on the subscription" in page.text
    made = await post_form(client, base, f"{base}/calendar", {})
    assert made.status_code == 200
    assert f"/calendar/{workspace.slug}/" in made.text
    again = await client.get(base)
    assert f"/calendar/{workspace.slug}/" not in again.text  # shown once
    token = made.text.split(f"/calendar/{workspace.slug}/")[1].split(".ics")[0]
    assert digest(token)[:8] in again.text and token[:8] not in again.text  # a fingerprint
    assert "Make a new address" in again.text
    off = await post_form(client, base, f"{base}/reminders", {})
    assert off.status_code == 303
    settings = await client.get("/api/v1/me/follow-up-settings", headers=workspace.headers)
    assert settings.json() == {"reminder_emails": False, "calendar_feed": True}
    assert (await post_form(client, base, f"{base}/calendar/off", {})).status_code == 303
    settings = await client.get("/api/v1/me/follow-up-settings", headers=workspace.headers)
    assert settings.json()["calendar_feed"] is False


def test_the_feed_secret_stays_out_of_the_request_log() -> None:
    from comptoir.platform.logs import loggable_path

    assert loggable_path("/calendar/acme/Zx9-secret_Token.ics") == "/calendar/acme/[secret]"
    assert loggable_path("/w/acme/activities/0193") == "/w/acme/activities/0193"
