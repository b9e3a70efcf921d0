"""Making users and records through the API for the completeness, training,
ROI and insights tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.service import create_api_token
from comptoir.platform.directory.service import tenant_by_slug
from tests.support.fixtures import Workspace


async def member(
    client: httpx.AsyncClient, ws: Workspace, role: str, name: str = "Léa"
) -> Workspace:
    """A user of ``ws`` with ``role`` and their own API token."""
    email = f"{name.lower()}.{role}@{ws.slug}.fr"
    response = await client.post(
        "/api/v1/users",
        headers=ws.headers,
        json={"email": email, "first_name": name, "last_name": "Test", "role": role},
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    created = await create_api_token(
        tenant.id, uuid.UUID(user_id), name="tests", actor=Actor.system()
    )
    return Workspace(ws.slug, ws.tenant_id, email, user_id, created.token)


async def post(client: httpx.AsyncClient, ws: Workspace, path: str, **body: Any) -> dict[str, Any]:
    response = await client.post(path, headers=ws.headers, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def stages(client: httpx.AsyncClient, ws: Workspace) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/v1/pipeline/stages", headers=ws.headers)
    return {stage["key"]: stage for stage in response.json()["items"]}


async def lost_reason(client: httpx.AsyncClient, ws: Workspace) -> str:
    response = await client.get("/api/v1/pipeline/lost-reasons", headers=ws.headers)
    return str(response.json()["items"][0]["id"])


def template_contexts() -> dict[str, Callable[[], dict[str, Any]]]:
    """Contexts of the adoption partials the crawl may not reach (an admin,
    who crawls, has no training program by default)."""
    import datetime as dt
    from types import SimpleNamespace

    from comptoir.adoption.training.progress import StepProgress, UserProgress

    def training_panel() -> dict[str, Any]:
        step = StepProgress(
            step_id=uuid.UUID(int=1),
            program_id=uuid.UUID(int=2),
            program="Prise en main",
            position=0,
            kind="lesson",
            title="Découvrir votre page d'accueil",
            body="",
            url="",
            task="",
            due=dt.date(2026, 12, 3),
            completed_at=None,
        )
        panel = UserProgress(
            user_id=uuid.UUID(int=3),
            name="Léa Test",
            email="lea@exemple.fr",
            role="end_user",
            joined_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            steps=(step,),
        )
        return {"ws": SimpleNamespace(base="/w/test"), "panel": panel}

    return {"adoption/_home_training.html": training_panel}
