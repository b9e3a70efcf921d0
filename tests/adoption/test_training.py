"""Training: the starter programs of a new workspace, tasks completed from
the user's own work, lessons completed by hand, progress, on-time rate, days
to complete, role changes and the sessions key-users give."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
import time_machine

from comptoir.adoption.training.progress import tenant_training_completion
from tests.adoption.records_support import member, post
from tests.support.fixtures import Workspace

API = "/api/v1/adoption/training"


async def _mine(client: httpx.AsyncClient, ws: Workspace) -> dict[str, Any]:
    response = await client.get(f"{API}/me", headers=ws.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _programs(client: httpx.AsyncClient, ws: Workspace) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/programs", headers=ws.headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_starter_programs_are_provisioned_in_french(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    programs = {p["role"]: p for p in await _programs(client, workspace)}
    assert set(programs) == {"key_user", "end_user"}
    titles = [s["title"] for s in programs["end_user"]["steps"]]
    assert "Créer votre premier contact" in titles and "Envoyer un devis" in titles
    key_titles = [s["title"] for s in programs["key_user"]["steps"]]
    assert "Animer une session de formation" in key_titles
    assert all(s["due_days"] is not None for s in programs["end_user"]["steps"])


async def test_tasks_complete_from_work_and_lessons_by_hand(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lea = await member(client, workspace, "end_user")
    mine = await _mine(client, lea)
    assert mine["progress"]["assigned_steps"] == 6
    assert mine["progress"]["status"] == "not_started"

    await post(client, lea, "/api/v1/contacts", last_name="Martin", email="m@x.fr")
    await post(client, lea, "/api/v1/activities", kind="meeting", subject="Visite")
    mine = await _mine(client, lea)
    done = {s["title"] for s in mine["steps"] if s["completed_at"]}
    assert done == {"Créer votre premier contact"}  # a meeting is not a call
    await post(client, lea, "/api/v1/activities", kind="call", subject="Appel")
    mine = await _mine(client, lea)
    done = {s["title"] for s in mine["steps"] if s["completed_at"]}
    assert done == {"Créer votre premier contact", "Enregistrer un appel"}
    assert mine["progress"]["percent"] == 33
    assert mine["progress"]["status"] == "in_progress"

    steps = {s["title"]: s for s in mine["steps"]}
    lesson = steps["Découvrir votre page d'accueil"]["step_id"]
    answer = await client.post(f"{API}/steps/{lesson}/complete", headers=lea.headers)
    assert answer.status_code == 200, answer.text
    again = await client.post(f"{API}/steps/{lesson}/complete", headers=lea.headers)
    assert again.json()["completed_at"] == answer.json()["completed_at"]
    task = steps["Envoyer un devis"]["step_id"]
    refused = await client.post(f"{API}/steps/{task}/complete", headers=lea.headers)
    assert refused.status_code == 409
    key_program = next(p for p in await _programs(client, workspace) if p["role"] == "key_user")
    other_role = key_program["steps"][0]["id"]
    missing = await client.post(f"{API}/steps/{other_role}/complete", headers=lea.headers)
    assert missing.status_code == 404

    # End-users see their own line only; admins everyone's.
    own = (await client.get(API, headers=lea.headers)).json()
    assert [u["user_id"] for u in own["users"]] == [lea.admin_user_id]
    assert own["users"][0]["completed_steps"] == 3 and own["users"][0]["percent"] == 50
    everyone = (await client.get(API, headers=workspace.headers)).json()
    assert {u["user_id"] for u in everyone["users"]} == {
        lea.admin_user_id,
        workspace.admin_user_id,
    }
    # Only Léa has assigned steps (admins have no starter program): 3 of 6.
    assert await tenant_training_completion(uuid.UUID(workspace.tenant_id)) == pytest.approx(0.5)
    assert (await client.get(f"{API}/programs", headers=lea.headers)).status_code == 403


async def test_role_change_moves_the_assignment(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lea = await member(client, workspace, "end_user")
    await post(client, lea, "/api/v1/contacts", last_name="Martin")
    assert (await _mine(client, lea))["progress"]["completed_steps"] == 1
    changed = await client.patch(
        f"/api/v1/users/{lea.admin_user_id}", headers=workspace.headers, json={"role": "key_user"}
    )
    assert changed.status_code == 200, changed.text
    mine = await _mine(client, lea)
    assert mine["progress"]["role"] == "key_user"
    assert mine["progress"]["assigned_steps"] == 6
    assert mine["progress"]["completed_steps"] == 0
    assert {s["program"] for s in mine["steps"]} == {"Référent Comptoir"}
    back = await client.patch(
        f"/api/v1/users/{lea.admin_user_id}", headers=workspace.headers, json={"role": "end_user"}
    )
    assert back.status_code == 200
    assert (await _mine(client, lea))["progress"]["completed_steps"] == 1


async def test_on_time_rate_and_days_to_complete(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    starter = next(p for p in await _programs(client, workspace) if p["role"] == "end_user")
    deleted = await client.delete(f"{API}/programs/{starter['id']}", headers=workspace.headers)
    assert deleted.status_code == 204
    program = await post(client, workspace, f"{API}/programs", name="Court", role="end_user")
    first = await post(
        client,
        workspace,
        f"{API}/programs/{program['id']}/steps",
        kind="lesson",
        title="Lire la charte",
        due_days=1,
    )
    second = await post(
        client,
        workspace,
        f"{API}/programs/{program['id']}/steps",
        kind="link",
        title="Voir la vidéo",
        url="https://example.org/video",
        due_days=3,
    )
    bad = await client.post(
        f"{API}/programs/{program['id']}/steps",
        headers=workspace.headers,
        json={"kind": "link", "title": "", "url": "ftp://x"},
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "url"}

    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        lea = await member(client, workspace, "end_user")
    with time_machine.travel(dt.datetime(2026, 11, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        # Due on the 3rd: late.
        await client.post(f"{API}/steps/{first['id']}/complete", headers=lea.headers)
    with time_machine.travel(dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC), tick=False):
        # Due on the 5th: on time.
        await client.post(f"{API}/steps/{second['id']}/complete", headers=lea.headers)
        mine = await _mine(client, lea)
    progress = mine["progress"]
    assert progress["status"] == "completed" and progress["percent"] == 100
    assert progress["on_time_rate"] == pytest.approx(0.5)
    assert progress["on_time"] is False
    assert progress["days_to_complete"] == 3
    steps = {s["title"]: s for s in mine["steps"]}
    assert steps["Lire la charte"]["due"] == "2026-11-03"
    assert steps["Lire la charte"]["on_time"] is False
    assert steps["Voir la vidéo"]["on_time"] is True

    moved = await client.post(
        f"{API}/steps/{second['id']}/move", headers=workspace.headers, json={"direction": "up"}
    )
    assert moved.status_code == 204
    order = (await client.get(f"{API}/programs/{program['id']}", headers=workspace.headers)).json()
    assert [s["title"] for s in order["steps"]] == ["Voir la vidéo", "Lire la charte"]


async def test_key_users_record_sessions(client: httpx.AsyncClient, workspace: Workspace) -> None:
    karim = await member(client, workspace, "key_user", "Karim")
    lea = await member(client, workspace, "end_user")
    refused = await client.post(
        f"{API}/sessions",
        headers=lea.headers,
        json={"held_on": "2026-11-20", "topic": "Devis", "attendee_ids": [karim.admin_user_id]},
    )
    assert refused.status_code == 403
    invalid = await client.post(
        f"{API}/sessions",
        headers=karim.headers,
        json={"topic": "", "attendee_ids": [str(uuid.uuid4())], "duration_minutes": 1},
    )
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {
        "topic",
        "held_on",
        "duration_minutes",
        "attendee_ids",
    }
    session = await post(
        client,
        karim,
        f"{API}/sessions",
        held_on="2026-11-20",
        topic="Prise en main des devis",
        attendee_ids=[lea.admin_user_id],
        duration_minutes=90,
    )
    assert session["given_by"] == karim.admin_user_id
    listed = (await client.get(f"{API}/sessions", headers=karim.headers)).json()
    assert [s["topic"] for s in listed] == ["Prise en main des devis"]
    mine = await _mine(client, karim)
    done = {s["title"] for s in mine["steps"] if s["completed_at"]}
    assert "Animer une session de formation" in done


async def test_starter_programs_and_baseline_are_made_in_the_signup_transaction(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Provisioned with the workspace, and gone with it when a later step of
    the same signup fails."""
    from comptoir.adoption.roi.tables import RoiBaseline
    from comptoir.adoption.training.tables import TrainingProgram
    from comptoir.platform.assembly import all_features
    from comptoir.platform.auth.tables import User
    from comptoir.platform.db.scope import TenantScope
    from comptoir.platform.directory.tables import Tenant
    from comptoir.platform.features import Feature
    from comptoir.tenants.signup import service as signup
    from tests.support.fixtures import STRONG_PASSWORD

    seen: dict[str, int] = {}

    async def count_then_fail(scope: TenantScope, tenant: Tenant, admin: User) -> None:
        seen["programs"] = await scope.count(TrainingProgram)
        seen["baselines"] = await scope.count(RoiBaseline)
        seen["tenant"] = 1
        raise RuntimeError("a later step fails")

    features = (
        *all_features(),
        Feature(name="test_late", label="L", provisioners=(count_then_fail,)),
    )
    monkeypatch.setattr(signup, "all_features", lambda: features)
    failed = await client.post(
        "/api/v1/signup",
        json={
            "company_name": "Rollback",
            "slug": "rollback",
            "admin_email": "admin@rollback.fr",
            "admin_password": STRONG_PASSWORD,
            "plan": "pro",
        },
    )
    assert failed.status_code == 500
    # Both were there inside the transaction, one empty baseline and two programs…
    assert seen == {"programs": 2, "baselines": 1, "tenant": 1}
    # …and nothing is left of them: the workspace itself was never committed.
    from comptoir.platform.directory.service import tenant_by_slug

    assert await tenant_by_slug("rollback") is None


def test_due_dates_and_on_time_follow_the_workspace_time_zone() -> None:
    """Joined at 23:30 UTC on 2 November is 3 November in Paris: a step due a
    day later is due on the 4th; completed at 23:30 UTC on the 4th (00:30 on
    the 5th in Paris) it is late, though still the 4th in UTC."""
    from zoneinfo import ZoneInfo

    from comptoir.adoption.training.progress import StepProgress, due_date

    paris = ZoneInfo("Europe/Paris")
    joined = dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC)
    assert due_date({"due_days": 1}, joined, paris) == dt.date(2026, 11, 4)
    assert due_date({"due_days": 1}, joined) == dt.date(2026, 11, 3)
    step = StepProgress(
        step_id=uuid.UUID(int=1),
        program_id=uuid.UUID(int=2),
        program="P",
        position=0,
        kind="lesson",
        title="T",
        body="",
        url="",
        task="",
        due=dt.date(2026, 11, 4),
        completed_at=dt.datetime(2026, 11, 4, 23, 30, tzinfo=dt.UTC),
        zone=paris,
    )
    assert step.on_time is False
