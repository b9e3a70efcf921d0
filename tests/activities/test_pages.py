"""The activity pages and the home page's follow-ups."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from zoneinfo import ZoneInfo

import httpx

from comptoir.tenants.activities.follow_ups import follow_ups
from tests.support.fixtures import Workspace
from tests.support.pages import EN, new_contact, post_form, sign_in_as

API = "/api/v1/activities"
PARIS = ZoneInfo("Europe/Paris")


async def _activity(client: httpx.AsyncClient, ws: Workspace, **fields: str) -> str:
    response = await client.post(API, headers=ws.headers, json=fields)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_overdue_and_today_follow_the_workspace_day(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """At 00:30 in Paris on 2 December (23:30 UTC on the 1st), a call due at
    23:00 Paris on the 1st is overdue, and one at 08:00 Paris on the 2nd is today's."""
    owner = workspace.admin_user_id
    late = await _activity(
        client, workspace, subject="Hier soir", due_at="2026-12-01T23:00:00+01:00"
    )
    today = await _activity(
        client, workspace, subject="Ce matin", due_at="2026-12-02T08:00:00+01:00"
    )
    await _activity(client, workspace, subject="Demain", due_at="2026-12-03T08:00:00+01:00")
    done = await _activity(client, workspace, subject="Fait", due_at="2026-12-01T09:00:00+01:00")
    await client.post(f"{API}/{done}/done", headers=workspace.headers)
    other = await client.post(
        "/api/v1/users",
        headers=workspace.headers,
        json={"email": "paul@exemple.fr", "role": "end_user"},
    )
    await _activity(
        client,
        workspace,
        subject="Celui de Paul",
        owner_id=other.json()["id"],
        due_at="2026-12-01T10:00:00+01:00",
    )
    now = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)
    found = await follow_ups(
        uuid.UUID(workspace.tenant_id), uuid.UUID(owner), timezone="Europe/Paris", now=now
    )
    assert [str(a.id) for a in found.overdue] == [late]
    assert [str(a.id) for a in found.today] == [today]
    assert found.day.date == dt.date(2026, 12, 2)
    # In UTC the same moment is still the 1st: the evening call is today's, the
    # morning one tomorrow's.
    in_utc = await follow_ups(
        uuid.UUID(workspace.tenant_id), uuid.UUID(owner), timezone="UTC", now=now
    )
    assert [str(a.id) for a in in_utc.today] == [late]
    assert in_utc.overdue == []


async def test_each_list_is_bounded(client: httpx.AsyncClient, workspace: Workspace) -> None:
    for n in range(4):
        await _activity(client, workspace, subject=f"Retard {n}", due_at=f"2026-11-2{n}T09:00:00Z")
    found = await follow_ups(
        uuid.UUID(workspace.tenant_id),
        uuid.UUID(workspace.admin_user_id),
        timezone="Europe/Paris",
        now=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
        limit=3,
    )
    assert [a.subject for a in found.overdue] == ["Retard 0", "Retard 1", "Retard 2"]
    assert found.more_overdue and not found.more_today


async def test_home_shows_follow_ups_and_one_click_marks_done(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    now = dt.datetime.now(dt.UTC)
    start_of_day = dt.datetime.combine(now.astimezone(PARIS).date(), dt.time(), tzinfo=PARIS)
    late = await _activity(
        client,
        workspace,
        subject="Relancer la mairie",
        due_at=(now - dt.timedelta(days=3)).isoformat(),
    )
    today = await _activity(
        client,
        workspace,
        kind="call",
        subject="Appeler Mme Roux",
        due_at=(start_of_day + dt.timedelta(minutes=1)).isoformat(),
    )
    await _activity(
        client, workspace, subject="Plus tard", due_at=(now + dt.timedelta(days=3)).isoformat()
    )
    await sign_in_as(client, workspace, workspace.admin_user_id)
    home = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert home.status_code == 200
    overdue_part = home.text.split('id="follow-ups-overdue"')[1].split('id="follow-ups-today"')[0]
    assert "Relancer la mairie" in overdue_part and "Appeler Mme Roux" not in overdue_part
    today_part = home.text.split('id="follow-ups-today"')[1].split('id="quick-follow-up"')[0]
    assert "Appeler Mme Roux" in today_part and "Plus tard" not in home.text
    assert f"fu-{late}" in home.text

    # One click (htmx): the line comes back done, nothing else is sent.
    token = re.search(r'name="_csrf_token" value="([^"]+)"', home.text)
    assert token
    clicked = await client.post(
        f"/w/{workspace.slug}/activities/{today}/done",
        data={"_csrf_token": token.group(1), "view": "follow-up", "next": f"/w/{workspace.slug}/"},
        headers={**EN, "HX-Request": "true"},
    )
    assert clicked.status_code == 200, clicked.text
    assert clicked.text.lstrip().startswith("<li") and "is-done" in clicked.text
    assert f"/activities/{today}/undone" in clicked.text and "<html" not in clicked.text
    read = await client.get(f"{API}/{today}", headers=workspace.headers)
    assert read.json()["done_at"] is not None
    # Without htmx, the browser goes back where it was.
    plain = await client.post(
        f"/w/{workspace.slug}/activities/{late}/done",
        data={"_csrf_token": token.group(1), "next": f"/w/{workspace.slug}/"},
        headers=EN,
    )
    assert plain.status_code == 303 and plain.headers["location"] == f"/w/{workspace.slug}/"
    after = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert "Relancer la mairie" not in after.text and "Appeler Mme Roux" not in after.text


async def test_quick_add_form_errors_and_list_filters(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    slug = workspace.slug
    await sign_in_as(client, workspace, workspace.admin_user_id)
    home = f"/w/{slug}/"
    tomorrow = (dt.datetime.now(PARIS) + dt.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    added = await post_form(
        client,
        home,
        f"/w/{slug}/activities",
        {"subject": "Rappeler le garage", "kind": "call", "due_at": tomorrow, "next": home},
    )
    assert added.status_code == 303 and added.headers["location"] == home
    listed = await client.get(API, headers=workspace.headers, params={"q": "garage"})
    [item] = listed.json()["items"]
    assert item["owner_id"] == workspace.admin_user_id and item["kind"] == "call"
    local = dt.datetime.fromisoformat(item["due_at"]).astimezone(PARIS)
    assert local.strftime("%Y-%m-%dT%H:%M") == tomorrow  # typed in the workspace's time zone

    # A form with errors comes back with every message and what was typed.
    contact_id = await new_contact(client, workspace, "Lemoine")
    refused = await post_form(
        client,
        f"/w/{slug}/activities/new",
        f"/w/{slug}/activities",
        {
            "subject": "",
            "kind": "meeting",
            "location": "Salle Vauban",
            "due_at": "2026-12-02T10:00",
            "ends_at": "2026-12-02T09:00",
            "contact_id": contact_id,
            "account_id": str(uuid.uuid4()),
        },
    )
    assert refused.status_code == 422
    assert refused.text.count('class="field-error"') >= 3  # subject, ends_at, account_id
    assert 'value="Salle Vauban"' in refused.text and 'value="2026-12-02T10:00"' in refused.text
    assert "Zoé Lemoine" in refused.text  # the chosen contact is kept, by name
    far = await post_form(
        client,
        f"/w/{slug}/activities/new",
        f"/w/{slug}/activities",
        {"subject": "Loin", "due_at": "0001-01-01T00:10", "ends_at": "demain"},
    )
    assert far.status_code == 422 and far.text.count('class="field-error"') == 2

    # The list: mine and open by default; filters and the live search answer rows.
    await _activity(client, workspace, subject="Note d'équipe", kind="note")
    page = await client.get(f"/w/{slug}/activities", headers=EN)
    assert page.status_code == 200 and "Rappeler le garage" in page.text
    rows = await client.get(
        f"/w/{slug}/activities", params={"kind": "note"}, headers={**EN, "HX-Request": "true"}
    )
    assert "Note d&#39;équipe" in rows.text and "Rappeler le garage" not in rows.text
    assert "<html" not in rows.text
    upcoming = await client.get(f"/w/{slug}/activities", params={"when": "upcoming"}, headers=EN)
    assert "Rappeler le garage" in upcoming.text and "Note d&#39;équipe" not in upcoming.text
    overdue = await client.get(f"/w/{slug}/activities", params={"when": "overdue"}, headers=EN)
    assert "Rappeler le garage" not in overdue.text
    # By due date, only dated activities are listed, soonest first.
    by_due = await client.get(f"/w/{slug}/activities", params={"order": "due"}, headers=EN)
    assert "Rappeler le garage" in by_due.text and "Note d&#39;équipe" not in by_due.text


async def test_edit_done_box_and_delete(client: httpx.AsyncClient, workspace: Workspace) -> None:
    slug = workspace.slug
    activity_id = await _activity(client, workspace, subject="Envoyer la brochure", kind="email")
    await sign_in_as(client, workspace, workspace.admin_user_id)
    url = f"/w/{slug}/activities/{activity_id}"
    page = await client.get(url, headers=EN)
    assert page.status_code == 200 and "Envoyer la brochure" in page.text
    saved = await post_form(
        client, url, url, {"subject": "Envoyer la brochure 2027", "kind": "email", "done": "1"}
    )
    assert saved.status_code == 303
    read = (await client.get(f"{API}/{activity_id}", headers=workspace.headers)).json()
    assert read["subject"] == "Envoyer la brochure 2027" and read["done_at"] is not None
    again = await post_form(
        client, url, url, {"subject": "Envoyer la brochure 2027", "kind": "email", "done": "1"}
    )
    assert again.status_code == 303
    kept = (await client.get(f"{API}/{activity_id}", headers=workspace.headers)).json()
    assert kept["done_at"] == read["done_at"]  # ticked again: the done time stays
    deleted = await post_form(client, url, f"{url}/delete", {})
    assert deleted.status_code == 303
    assert (await client.get(f"{API}/{activity_id}", headers=workspace.headers)).status_code == 404


async def test_record_panel_and_history(client: httpx.AsyncClient, workspace: Workspace) -> None:
    from comptoir.tenants.activities.follow_ups import history_of, next_follow_ups

    tenant = uuid.UUID(workspace.tenant_id)
    contact_id = await new_contact(client, workspace, "Garnier")
    later = await _activity(
        client, workspace, subject="Rappel", contact_id=contact_id, due_at="2026-12-09T09:00:00Z"
    )
    sooner = await _activity(
        client, workspace, subject="Devis", contact_id=contact_id, due_at="2026-12-04T09:00:00Z"
    )
    undated = await _activity(client, workspace, subject="Un jour", contact_id=contact_id)
    note = await _activity(
        client, workspace, subject="Aime le vélo", contact_id=contact_id, kind="note"
    )
    call = await _activity(
        client, workspace, subject="Premier appel", contact_id=contact_id, kind="call"
    )
    await client.post(f"{API}/{call}/done", headers=workspace.headers)
    await _activity(client, workspace, subject="Autre contact", due_at="2026-12-01T09:00:00Z")

    panel = await next_follow_ups(tenant, "contact", uuid.UUID(contact_id))
    assert [str(row.id) for row in panel] == [sooner, later, undated, note]
    assert len(await next_follow_ups(tenant, "contact", uuid.UUID(contact_id), limit=2)) == 2
    assert await next_follow_ups(tenant, "quote", uuid.UUID(contact_id)) == []

    history = await history_of(tenant, "contact", uuid.UUID(contact_id), 10)
    assert [entry.title for entry in history] == ["Premier appel", "Aime le vélo"]
    assert history[0].kind == "call" and history[0].link == f"/activities/{call}"
    assert len(await history_of(tenant, "contact", uuid.UUID(contact_id), 1)) == 1

    # An account's history includes its contacts' activities.
    account = await client.post(
        "/api/v1/accounts", headers=workspace.headers, json={"name": "Vélos Garnier"}
    )
    account_id = account.json()["id"]
    await client.patch(
        f"/api/v1/contacts/{contact_id}", headers=workspace.headers, json={"account_id": account_id}
    )
    own = await _activity(
        client, workspace, subject="Visite du magasin", account_id=account_id, kind="note"
    )
    titles = [e.title for e in await history_of(tenant, "account", uuid.UUID(account_id), 10)]
    assert titles == ["Visite du magasin", "Premier appel", "Aime le vélo"], (titles, own)


async def test_a_contacts_page_shows_its_follow_ups_and_history(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    contact_id = await new_contact(client, workspace, "Fabre")
    planned = await _activity(
        client,
        workspace,
        subject="Rappeler Mme Fabre",
        contact_id=contact_id,
        due_at="2026-12-04T09:00:00Z",
    )
    done = await _activity(
        client, workspace, subject="Premier rendez-vous", contact_id=contact_id, kind="meeting"
    )
    await client.post(f"{API}/{done}/done", headers=workspace.headers)
    await sign_in_as(client, workspace, workspace.admin_user_id)
    page = await client.get(f"/w/{workspace.slug}/contacts/{contact_id}", headers=EN)
    assert page.status_code == 200
    panel = page.text.split('id="panel-next-follow-ups"')[1].split("</section>")[0]
    assert "Next follow-ups" in page.text and "Rappeler Mme Fabre" in panel
    assert f"/activities/{planned}/done" in panel and "Premier rendez-vous" not in panel
    assert f"activities/new?contact_id={contact_id}" in panel
    # Planned from the contact's page, the new follow-up sends the user back there.
    back = f"/w/{workspace.slug}/contacts/{contact_id}"
    form = f"/w/{workspace.slug}/activities/new?contact_id={contact_id}&back={back}"
    added = await post_form(
        client,
        form,
        f"/w/{workspace.slug}/activities",
        {"subject": "Envoyer le catalogue", "contact_id": contact_id, "next": back},
    )
    assert added.status_code == 303 and added.headers["location"] == back
    elsewhere = await client.get(
        f"/w/{workspace.slug}/activities/new", params={"back": "https://evil.example/"}, headers=EN
    )
    assert (
        'value="https://evil' not in elsewhere.text and 'href="https://evil' not in elsewhere.text
    )
    history = page.text.split('id="record-history"')[1]
    assert "Premier rendez-vous" in history


async def test_an_opportunitys_follow_ups(client: httpx.AsyncClient, workspace: Workspace) -> None:
    deal = await client.post(
        "/api/v1/opportunities", headers=workspace.headers, json={"name": "Cuisine Lambert"}
    )
    assert deal.status_code == 201, deal.text
    deal_id = deal.json()["id"]
    await _activity(
        client,
        workspace,
        subject="Relancer M. Lambert",
        opportunity_id=deal_id,
        due_at="2026-12-04T09:00:00Z",
    )
    await sign_in_as(client, workspace, workspace.admin_user_id)
    form = await client.get(
        f"/w/{workspace.slug}/activities/new?opportunity_id={deal_id}", headers=EN
    )
    assert "/opportunities/options" in form.text  # the opportunity picker
    assert "Cuisine Lambert" in form.text  # the linked one, by name
    listed = await client.get(f"/w/{workspace.slug}/activities", headers=EN)
    assert f"/opportunities/{deal_id}" in listed.text and "Cuisine Lambert" in listed.text
    page = await client.get(f"/w/{workspace.slug}/opportunities/{deal_id}", headers=EN)
    assert page.status_code == 200
    assert "Relancer M. Lambert" in page.text.split('id="panel-next-follow-ups"')[1]


async def test_the_list_loads_more(client: httpx.AsyncClient, workspace: Workspace) -> None:
    for n in range(27):
        await _activity(
            client, workspace, subject=f"Appel {n:02d}", due_at=f"2026-12-{n + 1:02d}T09:00:00Z"
        )
    await sign_in_as(client, workspace, workspace.admin_user_id)
    first = await client.get(f"/w/{workspace.slug}/activities", params={"order": "due"}, headers=EN)
    assert first.text.count('class="act-row') == 25 and "Appel 24" in first.text
    more = re.search(r'hx-get="(/w/[^"]*cursor=[^"]*)"', first.text)
    assert more, "no Load more button"
    rest = await client.get(html.unescape(more.group(1)), headers={**EN, "HX-Request": "true"})
    assert rest.text.count('class="act-row') == 2
    assert "Appel 25" in rest.text and "Appel 26" in rest.text and "Load more" not in rest.text
