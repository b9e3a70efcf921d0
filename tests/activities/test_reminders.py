"""The morning reminder: once a day from 07:00 in the workspace's time zone,
only to who has something due, never to who turned it off; real SMTP."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from comptoir.platform.directory.tables import Tenant
from comptoir.platform.jobs.worker import run_due_jobs
from comptoir.tenants.activities.reminders import MORNING_REMINDER, send_morning_reminders
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import add_person
from tests.support.smtp import Mailbox

API = "/api/v1/activities"
# 07:30 in Paris on 1 December 2026.
MORNING = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)


async def _plan(
    client: httpx.AsyncClient, ws: Workspace, owner: str, subject: str, due: str
) -> str:
    body = {"subject": subject, "kind": "call", "due_at": due, "owner_id": owner}
    response = await client.post(API, headers=ws.headers, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _email_of(client: httpx.AsyncClient, ws: Workspace, user_id: str) -> str:
    response = await client.get(f"/api/v1/users/{user_id}", headers=ws.headers)
    return str(response.json()["email"])


async def test_once_a_day_to_who_has_something_due(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    admin = workspace.admin_user_id
    await _plan(client, workspace, admin, "Relancer la mairie", "2026-11-28T09:00:00+01:00")
    await _plan(client, workspace, admin, "Appeler Mme Roux", "2026-12-01T15:00:00+01:00")
    await _plan(client, workspace, admin, "Visite de demain", "2026-12-02T10:00:00+01:00")
    done = await _plan(client, workspace, admin, "Déjà fait", "2026-12-01T08:00:00+01:00")
    await client.post(f"{API}/{done}/done", headers=workspace.headers)
    idle = await add_person(client, workspace, "end_user")  # nothing due: no e-mail

    # Before 07:00 in Paris nothing is sent.
    assert await send_morning_reminders(now=MORNING - dt.timedelta(hours=1)) == 0
    assert await send_morning_reminders(now=MORNING) == 1
    await deliver_mail()
    received = mailbox.to(workspace.admin_email)
    assert len(received) == 1
    text = Mailbox.text_of(received[0])
    assert "Relancer la mairie" in text and "Appeler Mme Roux" in text
    assert "Visite de demain" not in text and "Déjà fait" not in text
    assert "retard" in str(received[0]["Subject"])  # French by default
    idle_mail = mailbox.to(await _email_of(client, workspace, idle))
    assert not [m for m in idle_mail if "relances" in str(m["Subject"])]  # only their welcome

    # The job runs again later that day (every quarter of an hour): nothing more.
    assert await send_morning_reminders(now=MORNING + dt.timedelta(minutes=15)) == 0
    assert await send_morning_reminders(now=MORNING + dt.timedelta(hours=10)) == 0
    await deliver_mail()
    assert len(mailbox.to(workspace.admin_email)) == 1
    # The next morning, again (the overdue call is still open).
    assert await send_morning_reminders(now=MORNING + dt.timedelta(days=1)) == 1


async def test_opted_out_users_get_nothing(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    h = workspace.headers
    assert (await client.get("/api/v1/me/follow-up-settings", headers=h)).json() == {
        "reminder_emails": True,
        "calendar_feed": False,
    }
    off = await client.put(
        "/api/v1/me/follow-up-settings", headers=h, json={"reminder_emails": False}
    )
    assert off.status_code == 200 and off.json()["reminder_emails"] is False
    await _plan(client, workspace, workspace.admin_user_id, "Rappel", "2026-12-01T09:00:00+01:00")
    assert await send_morning_reminders(now=MORNING) == 0
    back = await client.put(
        "/api/v1/me/follow-up-settings", headers=h, json={"reminder_emails": True}
    )
    assert back.json()["reminder_emails"] is True
    assert await send_morning_reminders(now=MORNING) == 1
    await deliver_mail()
    assert len(mailbox.to(workspace.admin_email)) == 1


async def test_the_workspace_time_zone_decides_the_morning(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    await Tenant.update({Tenant.timezone: "America/New_York"}).where(
        Tenant.id == uuid.UUID(other_workspace.tenant_id)
    )
    await _plan(client, workspace, workspace.admin_user_id, "Paris", "2026-12-01T09:00:00+01:00")
    await _plan(
        client,
        other_workspace,
        other_workspace.admin_user_id,
        "New York",
        "2026-12-01T09:00:00-05:00",
    )
    # 07:30 in Paris is 01:30 in New York: only Paris is reminded.
    assert await send_morning_reminders(now=MORNING) == 1
    # 07:05 in New York.
    assert await send_morning_reminders(now=dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC)) == 1


async def test_the_job_kind_is_periodic_and_bounded() -> None:
    assert MORNING_REMINDER.periodic == "*/15 * * * *"
    assert MORNING_REMINDER.max_attempts >= 1 and MORNING_REMINDER.timeout > 0


async def test_the_worker_runs_the_job_of_the_slot(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    await _plan(client, workspace, workspace.admin_user_id, "Rappel", "2026-12-01T09:00:00+01:00")
    assert await run_due_jobs(kinds=(MORNING_REMINDER,), now=MORNING) == 1
    await deliver_mail()
    assert len(mailbox.to(workspace.admin_email)) == 1
    # The same slot is not run twice; the next one finds the day done.
    assert await run_due_jobs(kinds=(MORNING_REMINDER,), now=MORNING) == 0
    later = MORNING + dt.timedelta(minutes=15)
    assert await run_due_jobs(kinds=(MORNING_REMINDER,), now=later) == 1
    await deliver_mail()
    assert len(mailbox.to(workspace.admin_email)) == 1


async def test_in_each_users_language_and_never_to_a_disabled_user(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    from comptoir.platform.auth.actor import Actor
    from comptoir.platform.auth.tables import User
    from comptoir.platform.db.scope import tenant_scope
    from comptoir.tenants.workspace.preferences import set_user_locale

    tenant = uuid.UUID(workspace.tenant_id)
    english = await add_person(client, workspace, "end_user")
    gone = await add_person(client, workspace, "end_user")
    await set_user_locale(
        tenant,
        uuid.UUID(english),
        "en",
        actor=Actor(kind="user", id=uuid.UUID(english), label="x", tenant_id=tenant),
    )
    for owner in (english, gone):
        await _plan(client, workspace, owner, "Call back", "2026-12-01T09:00:00+01:00")
    async with tenant_scope(tenant) as scope:  # disabled after their call was planned
        await scope.update(User, {User.status: "disabled"}).where(User.id == uuid.UUID(gone))
    assert await send_morning_reminders(now=MORNING) == 1
    await deliver_mail()
    [sent] = [
        m
        for m in mailbox.to(await _email_of(client, workspace, english))
        if "follow-ups" in str(m["Subject"])
    ]
    assert str(sent["Subject"]) == "Your follow-ups today: 1 due"
    assert not [
        m
        for m in mailbox.to(await _email_of(client, workspace, gone))
        if "follow" in str(m["Subject"])
    ]
