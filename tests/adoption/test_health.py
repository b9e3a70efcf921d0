"""The health score: its formula by hand, snapshots on the control plane,
the console listing tenants at-risk first and each tenant's adoption page."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from comptoir.adoption.health.score import HealthInputs, band, components, health_score
from comptoir.adoption.health.service import compute_all, compute_health, snapshot_of
from comptoir.adoption.rollups.service import rollup_tenant
from tests.adoption.test_usage_support import event, record
from tests.support.console import signed_in_staff
from tests.support.fixtures import Workspace, make_workspace
from tests.support.pages import add_person


def test_the_formula_by_hand() -> None:
    inputs = HealthInputs(
        seats=10, mau=5, stickiness=0.25, completeness=0.8, training=None, wau=6, wau_week_before=4
    )
    parts = components(inputs)
    assert parts == {
        "activation": 0.5,
        "stickiness": 0.5,
        "completeness": 0.8,
        "training": None,
        "trend": 0.75,
    }
    # (30*0.5 + 20*0.5 + 20*0.8 + 15*0.75) / 85 = 52.25 / 85 = 0.6147…
    assert health_score(inputs) == 61 and band(61) == "watch"
    collapsed = HealthInputs(
        seats=4, mau=0, stickiness=0.0, completeness=None, training=None, wau=0, wau_week_before=9
    )
    assert health_score(collapsed) == 0 and band(0) == "at_risk"
    thriving = HealthInputs(
        seats=2, mau=2, stickiness=0.7, completeness=1.0, training=1.0, wau=2, wau_week_before=1
    )
    assert health_score(thriving) == 100 and band(100) == "healthy"


def _ago(days: int) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return moment.replace(hour=9, minute=0).strftime("%Y-%m-%d %H:%M")


async def test_console_lists_tenants_at_risk_first_with_their_pages(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    quiet = await make_workspace(client, "calme")
    busy_user = await add_person(client, workspace)
    await record(
        *[
            event(workspace.tenant_id, user, _ago(days))
            for days in range(0, 20)
            for user in (busy_user, workspace.admin_user_id)
        ]
    )
    for ws in (workspace, quiet):
        await rollup_tenant(uuid.UUID(ws.tenant_id), "Europe/Paris")
    assert await compute_all() == 2
    busy = await snapshot_of(uuid.UUID(workspace.tenant_id))
    idle = await snapshot_of(uuid.UUID(quiet.tenant_id))
    assert busy is not None and idle is not None
    assert busy["mau"] == 2 and busy["seats"] == 2 and busy["seat_activation"] == 1.0
    assert idle["mau"] == 0 and idle["score"] < busy["score"]
    again = await compute_health(uuid.UUID(quiet.tenant_id))  # one snapshot per tenant
    assert again.score == idle["score"]

    await signed_in_staff(client)
    listing = await client.get("/console/adoption", headers={"Accept-Language": "en"})
    assert listing.status_code == 200, listing.text[:300]
    html = listing.text
    assert html.index('data-tenant="calme"') < html.index('data-tenant="alpha"')
    assert "How the score is computed" in html
    page = await client.get(
        f"/console/tenants/{workspace.tenant_id}/adoption", headers={"Accept-Language": "en"}
    )
    assert page.status_code == 200, page.text[:300]
    assert 'data-chart="activity"' in page.text and f'data-score="{busy["score"]}"' in page.text
    tenant_page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert f"/console/tenants/{workspace.tenant_id}/adoption" in tenant_page.text


async def test_the_console_pages_need_staff(client: httpx.AsyncClient) -> None:
    response = await client.get("/console/adoption")
    assert response.status_code in (302, 303)
