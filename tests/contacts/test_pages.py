"""A contact's pages: the record page (facts, history with readable changes,
related account), the edit form with the new fields, and who may see it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from comptoir.platform.db.engine import get_engine
from tests.support.fixtures import Workspace
from tests.support.pages import EN, add_person, post_form, sign_in, sign_in_as


async def _contact(client: httpx.AsyncClient, ws: Workspace, **fields: object) -> str:
    created = await client.post(
        "/api/v1/contacts",
        headers=ws.headers,
        json={"first_name": "Inès", "last_name": "Garnier", **fields},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_record_page_shows_facts_account_and_history(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    account = await client.post(
        "/api/v1/accounts", headers=workspace.headers, json={"name": "Fromagerie Garnier"}
    )
    contact_id = await _contact(
        client,
        workspace,
        email="ines@exemple.fr",
        phone="01 23 45 67 89",
        account_id=account.json()["id"],
        marketing_consent=True,
        profession_category="2",
        birth_date="1986-09-14",
        interests=["fromage", "vin"],
    )
    await client.patch(
        f"/api/v1/contacts/{contact_id}",
        headers=workspace.headers,
        json={"phone": "06 98 76 54 32", "gender": "female"},
    )
    await sign_in(client, workspace)
    page = await client.get(f"/w/{workspace.slug}/contacts/{contact_id}", headers=EN)
    assert page.status_code == 200
    text = page.text
    assert 'href="mailto:ines@exemple.fr"' in text and 'href="tel:0698765432"' in text
    assert "Fromagerie Garnier" in text and f"/accounts/{account.json()['id']}" in text
    assert "Marketing consent" in text and "badge-success" in text
    assert "Craftspeople, shopkeepers and business owners" in text
    assert '<span class="chip">fromage</span>' in text and "September 14, 1986" in text
    # The history: the change, field by field, newest first, then the creation.
    history = text[text.index('id="record-history"') :]
    assert history.index("Changed a contact") < history.index("Created a contact")
    assert re.search(
        r'change-key">Work phone</span> <span class="change-old">01 23 45 67 89</span> → '
        r'<span class="change-new">06 98 76 54 32</span>',
        history,
    )
    assert re.search(r'change-key">Gender</span> <span class="change-old">—</span>', history)
    assert f"/contacts/{contact_id}/edit" in text


async def test_french_record_page(client: httpx.AsyncClient, workspace: Workspace) -> None:
    contact_id = await _contact(client, workspace, profession_category="7", gender="male")
    await sign_in(client, workspace, english=False)
    client.cookies.set("lang", "fr", domain="testserver.local", path="/")
    page = await client.get(f"/w/{workspace.slug}/contacts/{contact_id}")
    assert page.status_code == 200
    assert "Retraités" in page.text and "Historique" in page.text


async def test_edit_form_saves_the_new_fields(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    contact_id = await _contact(client, workspace)
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/contacts/{contact_id}"
    form = await client.get(f"{base}/edit", headers=EN)
    assert form.status_code == 200
    assert '<select class="select" id="f-profession_category"' in form.text
    assert '<option value="5">Clerical and service employees</option>' in form.text
    assert 'type="date"' in form.text and 'type="number"' in form.text
    fields = {
        "first_name": "Inès",
        "last_name": "Garnier",
        "mobile": "06 11 22 33 44",
        "city": "Dijon",
        "marketing_consent": "true",
        "consent_source": "trade show",
        "preferred_channel": "email",
        "birth_date": "1990-02-03",
        "family_situation": "couple",
        "children": "1",
        "profession_category": "5",
        "interests": "moutarde, vélo ,, moutarde",
    }
    bad = await post_form(client, f"{base}/edit", base, {**fields, "children": "30"})
    assert bad.status_code == 422
    assert "Must be at most 20" in bad.text and 'value="moutarde, vélo ,, moutarde"' in bad.text
    wrong_choice = await post_form(client, f"{base}/edit", base, {**fields, "gender": "x"})
    assert wrong_choice.status_code == 422 and "Is not a valid choice" in wrong_choice.text
    future = await post_form(client, f"{base}/edit", base, {**fields, "birth_date": "2999-01-01"})
    assert future.status_code == 422 and "Cannot be in the future" in future.text

    saved = await post_form(client, f"{base}/edit", base, fields)
    assert saved.status_code == 303 and saved.headers["location"] == base
    api = (await client.get(f"/api/v1/contacts/{contact_id}", headers=workspace.headers)).json()
    assert api["interests"] == ["moutarde", "vélo"]
    assert api["children"] == 1 and api["birth_date"] == "1990-02-03"
    assert api["marketing_consent"] is True and api["consent_at"] is not None
    again = await client.get(f"{base}/edit", headers=EN)
    assert 'value="moutarde, vélo"' in again.text


async def test_an_end_user_sees_only_their_records(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    shared = await client.put(
        "/api/v1/settings/sharing", headers=workspace.headers, json={"sharing_rule": "own_and_team"}
    )
    assert shared.status_code == 200, shared.text
    theirs = await _contact(client, workspace)
    end_user = await add_person(client, workspace, "end_user")
    await sign_in_as(client, workspace, end_user)
    for path in (f"/contacts/{theirs}", f"/contacts/{theirs}/edit"):
        response = await client.get(f"/w/{workspace.slug}{path}", headers=EN)
        assert response.status_code == 404, path


async def test_list_filters_by_city_and_owner_and_shows_consent(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await _contact(client, workspace, last_name="Lyonnais", city="Lyon", marketing_consent=True)
    colleague = await add_person(client, workspace, "end_user")
    await _contact(client, workspace, last_name="Nantais", city="Nantes", owner_id=colleague)
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/contacts"
    lyon = await client.get(base, params={"city": "Lyon"}, headers=EN)
    assert "Lyonnais" in lyon.text and "Nantais" not in lyon.text
    assert 'badge-success">Given' in lyon.text
    consenting = await client.get(base, params={"marketing_consent": "false"}, headers=EN)
    assert "Nantais" in consenting.text and "Lyonnais" not in consenting.text
    mine = await client.get(base, params={"owner_id": workspace.admin_user_id}, headers=EN)
    assert "Lyonnais" in mine.text and "Nantais" not in mine.text
    rows = await client.get(base, params={"city": "Nantes"}, headers={**EN, "HX-Request": "true"})
    assert "Nantais" in rows.text and "<html" not in rows.text


async def test_timeline_api_merges_changes_and_activities(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    h = workspace.headers
    contact_id = await _contact(client, workspace, phone="01 00 00 00 00")
    await client.patch(f"/api/v1/contacts/{contact_id}", headers=h, json={"phone": "06 00"})
    note = await client.post(
        "/api/v1/activities",
        headers=h,
        json={"kind": "note", "subject": "Préfère être appelée le matin", "contact_id": contact_id},
    )
    assert note.status_code == 201, note.text
    timeline = await client.get(f"/api/v1/contacts/{contact_id}/timeline", headers=h)
    assert timeline.status_code == 200, timeline.text
    body = timeline.json()
    assert body["next_cursor"] is None
    kinds = [item["kind"] for item in body["items"]]
    assert kinds == ["activity", "change", "create"]
    change = body["items"][1]
    assert [(c["before"], c["after"]) for c in change["changes"]] == [("01 00 00 00 00", "06 00")]
    assert change["actor_id"] == workspace.admin_user_id and change["actor_name"]
    assert body["items"][0]["title"] == "Préfère être appelée le matin"
    hidden = await client.get(
        f"/api/v1/contacts/{contact_id}/timeline", headers=other_workspace.headers
    )
    assert hidden.status_code == 404
    account = await client.post("/api/v1/accounts", headers=h, json={"name": "Atelier"})
    history = await client.get(f"/api/v1/accounts/{account.json()['id']}/timeline", headers=h)
    assert [item["kind"] for item in history.json()["items"]] == ["create"]


async def test_record_pages_cost_the_same_whatever_their_history(
    client: httpx.AsyncClient, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record pages read a bounded history: more changes, contacts or
    activities do not mean more queries."""
    count = [0]
    engine_type = type(get_engine())
    original = engine_type.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        count[0] += 1
        return await original(self, querystring, in_pool=in_pool)

    monkeypatch.setattr(engine_type, "run_querystring", counting)
    h = workspace.headers
    account = (await client.post("/api/v1/accounts", headers=h, json={"name": "Atelier"})).json()
    contact_id = await _contact(client, workspace, account_id=account["id"])
    await sign_in(client, workspace)

    async def cost(path: str) -> int:
        before = count[0]
        response = await client.get(f"/w/{workspace.slug}{path}", headers=EN)
        assert response.status_code == 200
        return count[0] - before

    first = {p: await cost(p) for p in (f"/contacts/{contact_id}", f"/accounts/{account['id']}")}
    for i in range(40):
        await client.patch(f"/api/v1/contacts/{contact_id}", headers=h, json={"city": f"V{i}"})
        await client.post(
            "/api/v1/contacts", headers=h, json={"last_name": f"N{i}", "account_id": account["id"]}
        )
        await client.post(
            "/api/v1/activities",
            headers=h,
            json={"kind": "note", "subject": f"Note {i}", "contact_id": contact_id},
        )
    later = {p: await cost(p) for p in first}
    assert later == first
    assert max(first.values()) <= 25, first
    page = await client.get(f"/w/{workspace.slug}/contacts/{contact_id}", headers=EN)
    history = page.text[page.text.index('id="record-history"') :]
    assert history.count('class="timeline-item') == 30
    assert f'hx-get="/w/{workspace.slug}/contacts/{contact_id}/history"' in history
    older = await client.get(
        f"/w/{workspace.slug}/contacts/{contact_id}/history",
        headers={**EN, "HX-Request": "true"},
    )
    assert older.status_code == 200 and "<html" not in older.text
    # 40 changes, 40 notes and the creation, all shown; no further "Show more".
    assert older.text.count('class="timeline-item') == 81
    assert "/history" not in older.text
    account_history = await client.get(
        f"/w/{workspace.slug}/accounts/{account['id']}/history", headers=EN
    )
    # Its creation and the notes of its contact (activities take the contact's account).
    assert account_history.text.count('class="timeline-item') == 41
