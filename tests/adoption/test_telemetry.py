"""Telemetry: every committed domain event lands in the event store, through
a buffer written off the request path and emptied on a clean shutdown."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from comptoir.adoption.telemetry import buffer
from comptoir.adoption.telemetry.buffer import BUFFER, flush, record_events, telemetry_writer
from comptoir.adoption.telemetry.tables import UsageEvent
from comptoir.platform.db.scope import tenant_scope
from tests.adoption.test_usage_support import event
from tests.support.fixtures import Workspace
from tests.support.pages import sign_in


async def _events(tenant_id: str) -> list[dict[str, Any]]:
    async with tenant_scope(uuid.UUID(tenant_id)) as scope:
        return list(await scope.select(UsageEvent).order_by(UsageEvent.occurred_at))


async def test_domain_events_are_recorded_with_role_module_and_counts(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    BUFFER.clear()
    created = await client.post(
        "/api/v1/contacts", headers=workspace.headers, json={"last_name": "Durand"}
    )
    assert created.status_code == 201
    await sign_in(client, workspace)
    await client.get(f"/w/{workspace.slug}/contacts")
    assert len(BUFFER) >= 3  # buffered: nothing written during the request
    await flush()
    rows = await _events(workspace.tenant_id)
    names = [row["event"] for row in rows]
    assert "contact.created" in names and "user.signed_in" in names
    contact = next(row for row in rows if row["event"] == "contact.created")
    assert contact["role"] == "admin" and contact["module"] == "sales"
    assert str(contact["user_id"]) == workspace.admin_user_id
    login = next(row for row in rows if row["event"] == "user.signed_in")
    assert login["module"] == "admin"  # the platform's "" counts as admin
    views = [row for row in rows if row["event"] == "page.viewed"]
    assert {row["object_type"] for row in views} >= {"contacts"}


async def test_future_modules_and_jobs_and_row_counts(workspace: Workspace) -> None:
    BUFFER.clear()
    tenant = workspace.tenant_id
    await record_events(
        [
            event(
                tenant,
                workspace.admin_user_id,
                "2026-03-02 10:00",
                "ticket.status_changed",
                module="service",
                object_type="ticket",
            ),
            event(
                tenant,
                workspace.admin_user_id,
                "2026-03-02 10:05",
                "import.done",
                module="",
                object_type="import",
                data={"rows": 1200},
            ),
            event(tenant, None, "2026-03-02 10:10", "quote.expired", object_type="quote"),
            event(
                tenant,
                workspace.admin_user_id,
                "2026-03-02 10:15",
                "training.step_completed",
                module="training",
                object_type="training_step",
            ),
        ]
    )
    assert await flush() == 4
    rows = {row["event"]: row for row in await _events(tenant)}
    assert rows["ticket.status_changed"]["module"] == "service"
    assert rows["import.done"]["quantity"] == 1200 and rows["import.done"]["module"] == "admin"
    assert rows["quote.expired"]["user_id"] is None and rows["quote.expired"]["role"] == ""
    assert rows["training.step_completed"]["module"] == "training"
    assert (
        rows["import.done"]["hour"] * 3600
        == int(rows["import.done"]["occurred_at"].timestamp()) // 3600 * 3600
    )


async def test_clean_shutdown_writes_everything_buffered(workspace: Workspace) -> None:
    """Events buffered in the last moment before the process stops are written
    when the lifespan is left (the background writer never got to them)."""
    BUFFER.clear()
    tenant = workspace.tenant_id
    async with telemetry_writer():
        await asyncio.sleep(0)
        await record_events(
            [event(tenant, workspace.admin_user_id, f"2026-03-02 11:{n:02d}") for n in range(50)]
        )
        assert len(BUFFER) == 50
    assert len(BUFFER) == 0
    assert len(await _events(tenant)) == 50


async def test_the_background_writer_writes_a_full_batch_at_once(
    workspace: Workspace, monkeypatch: object
) -> None:
    BUFFER.clear()
    tenant = workspace.tenant_id
    small = buffer.TelemetryBuffer(batch=10)
    task = asyncio.create_task(small.run(interval=60))
    try:
        await asyncio.sleep(0)
        small.add(
            [buffer.event_row(event(tenant, workspace.admin_user_id, "2026-03-02 12:00"))] * 1
            + [
                buffer.event_row(event(tenant, workspace.admin_user_id, f"2026-03-02 12:{n:02d}"))
                for n in range(1, 12)
            ]
        )
        for _ in range(100):
            if not len(small):
                break
            await asyncio.sleep(0.02)
        assert len(small) == 0  # long before the 60 s interval
    finally:
        task.cancel()
    assert len(await _events(tenant)) == 12


async def test_a_failed_write_keeps_the_rows_for_the_next_round(workspace: Workspace) -> None:
    BUFFER.clear()
    kept = buffer.TelemetryBuffer()
    broken = event(workspace.tenant_id, workspace.admin_user_id, "2026-03-02 12:00")
    row = list(buffer.event_row(broken))
    row[7] = None  # no event name: the INSERT fails (NOT NULL)
    kept.add([tuple(row)])
    assert await kept.flush() == 0
    assert len(kept) == 1


async def test_a_batch_of_many_tenants_lands_in_each_tenant(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    """One transaction (one call on PostgreSQL) for the whole batch, each
    tenant's rows checked by row-level security against that tenant."""
    BUFFER.clear()
    mixed = []
    for n in range(300):  # one tenant past the slice threshold, the other below
        ws = workspace if n % 5 else other_workspace
        mixed.append(event(ws.tenant_id, ws.admin_user_id, f"2026-03-02 13:{n % 60:02d}"))
    await record_events(mixed)
    assert await flush() == 300
    assert len(await _events(workspace.tenant_id)) == 240
    assert len(await _events(other_workspace.tenant_id)) == 60


async def test_what_support_staff_do_as_a_user_is_not_their_use(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """Staff impersonating the admin browse and create a contact: recorded
    (with no user), never counted as the admin's use; the admin's own view
    right after counts again."""
    from comptoir.platform.console.impersonation import start_impersonation
    from comptoir.platform.console.service import create_staff
    from comptoir.platform.directory.service import tenant_by_slug
    from tests.support.pages import form_token

    BUFFER.clear()
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    staff = (await create_staff("ops@provider.example", "Console-ops-2026-secure")).staff
    started = await start_impersonation(
        tenant,
        workspace.admin_user_id,
        staff=staff,
        reason="Ticket 4521: the export fails",
        ip="10.0.0.1",
    )
    client.cookies.set(
        "comptoir_session", started.token, domain="testserver.local", path=f"/w/{workspace.slug}"
    )
    new_contact = f"/w/{workspace.slug}/contacts/new"
    token = await form_token(client, new_contact)
    created = await client.post(
        f"/w/{workspace.slug}/contacts",
        data={"_csrf_token": token, "last_name": "Vu par le support"},
    )
    assert created.status_code in (302, 303), created.text
    await flush()
    rows = await _events(workspace.tenant_id)
    assert {"page.viewed", "contact.created"} <= {row["event"] for row in rows}
    assert all(row["user_id"] is None and row["role"] == "" for row in rows)

    client.cookies.clear()
    await sign_in(client, workspace)
    await client.get(f"/w/{workspace.slug}/contacts")
    await flush()
    mine = [r for r in await _events(workspace.tenant_id) if r["user_id"] is not None]
    assert any(r["event"] == "page.viewed" and r["object_type"] == "contacts" for r in mine)
