"""The training page: an end-user's own steps, marking a lesson read; the
admin's view of everyone, the programs editor and the sessions log."""

from __future__ import annotations

import httpx

from tests.adoption.records_support import member
from tests.support.fixtures import Workspace
from tests.support.pages import post_form, sign_in, sign_in_as

PAGE = "/w/{slug}/adoption/training"


async def test_end_user_sees_and_completes_their_steps(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lea = await member(client, workspace, "end_user")
    await sign_in_as(client, workspace, lea.admin_user_id)
    url = PAGE.format(slug=workspace.slug)
    page = await client.get(url)
    assert page.status_code == 200, page.text
    assert "Your training" in page.text and "Créer votre premier contact" in page.text
    assert "Everyone's progress" not in page.text and "Programs" not in page.text
    mine = (await client.get("/api/v1/adoption/training/me", headers=lea.headers)).json()
    lesson = next(s for s in mine["steps"] if s["kind"] == "lesson")
    done = await post_form(client, url, f"{url}/steps/{lesson['step_id']}/complete", {})
    assert done.status_code == 303
    page = await client.get(url)
    assert 'data-stat="my-percent">16 %' in page.text
    refused = await post_form(client, url, f"{url}/programs", {"name": "X", "role": "end_user"})
    assert refused.status_code == 403


async def test_admin_edits_programs_and_records_a_session(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lea = await member(client, workspace, "end_user")
    await sign_in(client, workspace)
    url = PAGE.format(slug=workspace.slug)
    page = await client.get(url)
    assert page.status_code == 200, page.text
    assert "Everyone's progress" in page.text and "Référent Comptoir" in page.text

    missing = await post_form(client, url, f"{url}/programs", {"name": "", "role": "end_user"})
    assert missing.status_code == 422 and "A program needs a name" in missing.text
    created = await post_form(
        client, url, f"{url}/programs", {"name": "Service client", "role": "end_user"}
    )
    assert created.status_code == 303
    programs = (
        await client.get("/api/v1/adoption/training/programs", headers=workspace.headers)
    ).json()
    program = next(p for p in programs if p["name"] == "Service client")
    bad = await post_form(
        client, url, f"{url}/programs/{program['id']}/steps", {"kind": "link", "title": "Vidéo"}
    )
    assert bad.status_code == 422
    added = await post_form(
        client,
        url,
        f"{url}/programs/{program['id']}/steps",
        {"kind": "link", "title": "Vidéo", "url": "https://example.org/v", "due_days": "4"},
    )
    assert added.status_code == 303
    session = await post_form(
        client,
        url,
        f"{url}/sessions",
        {
            "held_on": "2026-11-25",
            "topic": "Les relances",
            "duration_minutes": "45",
            "attendee_ids": lea.admin_user_id,
        },
    )
    assert session.status_code == 303, session.text
    page = await client.get(url)
    assert "Vidéo" in page.text and "Les relances" in page.text
