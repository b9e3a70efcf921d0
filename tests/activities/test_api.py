"""/api/v1/activities: fields and their checks, done/undone, filters, events, audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import httpx

from comptoir.platform import events
from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.db.scope import tenant_scope
from tests.support.fixtures import Workspace
from tests.support.pages import new_contact

API = "/api/v1/activities"


async def activity(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> dict[str, Any]:
    response = await client.post(API, headers=ws.headers, json=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_crud_and_links(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    contact_id = await new_contact(client, workspace, "Martin")
    account = await client.post("/api/v1/accounts", headers=h, json={"name": "Boulangerie Émile"})
    created = await activity(
        client,
        workspace,
        kind="meeting",
        subject="  Démo chez le client  ",
        due_at="2026-12-02T09:00:00+01:00",
        ends_at="2026-12-02T10:30:00+01:00",
        location="Lyon",
        contact_id=contact_id,
        account_id=account.json()["id"],
    )
    assert created["subject"] == "Démo chez le client"
    assert created["owner_id"] == workspace.admin_user_id
    assert created["due_at"].startswith("2026-12-02T08:00:00")  # UTC
    assert created["done_at"] is None
    url = f"{API}/{created['id']}"
    changed = await client.patch(url, headers=h, json={"body": "Apporter le devis"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["body"] == "Apporter le devis"
    assert changed.json()["location"] == "Lyon"
    assert (await client.get(url, headers=h)).json() == changed.json()
    assert (await client.delete(url, headers=h)).status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404


async def test_each_bad_field_is_named(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    missing = str(uuid.uuid4())
    refused = await client.post(
        API,
        headers=h,
        json={
            "subject": "Relance",
            "due_at": "2026-12-02T10:00:00Z",
            "ends_at": "2026-12-02T09:00:00Z",
            "contact_id": missing,
            "account_id": missing,
            "opportunity_id": missing,
        },
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    text = refused.text
    for name in ("ends_at", "contact_id", "account_id", "opportunity_id"):
        assert name in text, (name, text)
    blank = await client.post(API, headers=h, json={"subject": "   "})
    assert blank.status_code == 422 and "subject" in blank.text
    kind = await client.post(API, headers=h, json={"subject": "x", "kind": "fax"})
    assert kind.status_code in (400, 422) and "kind" in kind.text
    naive = await client.post(API, headers=h, json={"subject": "x", "due_at": "2026-12-02T10:00"})
    assert naive.status_code in (400, 422), naive.text
    lone_end = await client.post(
        API, headers=h, json={"subject": "x", "ends_at": "2026-12-02T10:00:00Z"}
    )
    assert lone_end.status_code == 422 and "ends_at" in lone_end.text
    for far in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1850-06-01T10:00:00Z"):
        odd = await client.post(API, headers=h, json={"subject": "x", "due_at": far})
        assert odd.status_code == 422 and "due_at" in odd.text, (far, odd.text)
        window = await client.get(API, headers=h, params={"due_after": far})
        assert window.status_code == 422, (far, window.text)
    # A change is checked against the stored values too.
    meeting = await activity(
        client, workspace, subject="Réunion", due_at="2026-12-02T09:00:00Z", kind="meeting"
    )
    early = await client.patch(
        f"{API}/{meeting['id']}", headers=h, json={"ends_at": "2026-12-02T08:00:00Z"}
    )
    assert early.status_code == 422 and "ends_at" in early.text


async def test_another_tenants_contact_cannot_be_linked(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    theirs = await new_contact(client, other_workspace, "Durand")
    refused = await client.post(
        API, headers=workspace.headers, json={"subject": "Espionner", "contact_id": theirs}
    )
    assert refused.status_code == 422 and "contact_id" in refused.text


async def test_done_undone_events_and_audit(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    created = await activity(client, workspace, subject="Appeler Mme Roux", kind="call")
    seen: list[events.DomainEvent] = []

    async def listen(batch: Sequence[events.DomainEvent]) -> None:
        seen.extend(batch)

    events.subscribe(listen)
    try:
        done = await client.post(f"{API}/{created['id']}/done", headers=h)
        assert done.status_code == 200, done.text
        first = done.json()["done_at"]
        assert first is not None
        again = await client.post(f"{API}/{created['id']}/done", headers=h)
        assert again.json()["done_at"] == first  # idempotent
        undone = await client.post(f"{API}/{created['id']}/undone", headers=h)
        assert undone.status_code == 200 and undone.json()["done_at"] is None
    finally:
        events.unsubscribe(listen)
    names = [e.name for e in seen if e.object_id == created["id"]]
    assert names == ["activity.done", "activity.updated"], names
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        actions = await scope.select(AuditEntry, AuditEntry.action).where(
            AuditEntry.object_id == created["id"]
        )
    assert {"activity.create", "activity.done", "activity.update"} <= {
        row["action"] for row in actions
    }


async def test_filters_window_sort_and_search(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    contact_id = await new_contact(client, workspace, "Petit")
    early = await activity(
        client, workspace, subject="Relance devis", kind="call", due_at="2026-12-01T08:00:00Z"
    )
    late = await activity(
        client,
        workspace,
        subject="Visite atelier",
        kind="meeting",
        due_at="2026-12-03T08:00:00Z",
        contact_id=contact_id,
    )
    note = await activity(client, workspace, subject="Note sur l'équipe", kind="note")
    await client.post(f"{API}/{early['id']}/done", headers=h)

    async def ids(**params: Any) -> list[str]:
        response = await client.get(API, headers=h, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(done="open") == [note["id"], late["id"]]
    assert await ids(done="done") == [early["id"]]
    assert await ids(kind="meeting") == [late["id"]]
    assert await ids(contact_id=contact_id) == [late["id"]]
    assert await ids(sort="due_at") == [early["id"], late["id"]]  # undated left out
    window = {"due_after": "2026-12-02T00:00:00Z", "due_before": "2026-12-04T00:00:00+01:00"}
    assert await ids(**window) == [late["id"]]
    assert await ids(q="equipe") == [note["id"]]  # accents and case ignored
    paged, cursor = [], None
    while True:
        params: dict[str, Any] = {"sort": "-due_at", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(API, headers=h, params=params)).json()
        paged += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == [late["id"], early["id"]]
    for bad in ({"done": "maybe"}, {"due_after": "demain"}, {"due_before": "2026-12-01T00:00"}):
        refused = await client.get(API, headers=h, params=bad)
        assert refused.status_code in (400, 422), (bad, refused.text)
