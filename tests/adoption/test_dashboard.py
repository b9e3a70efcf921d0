"""The adoption dashboard page: figures, tables beside the charts, filters,
readable messages for bad filters, and end users refused."""

from __future__ import annotations

import datetime as dt

import httpx

from comptoir.adoption.rollups.service import rollup_tenant
from tests.adoption.test_usage_support import event, record
from tests.support.fixtures import Workspace
from tests.support.pages import EN, add_person, sign_in, sign_in_as


def _ago(days: int, hour: int = 10) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%d %H:%M")


async def _history(client: httpx.AsyncClient, ws: Workspace) -> dict[str, str]:
    people = {"ann": await add_person(client, ws), "kim": await add_person(client, ws, "key_user")}
    events = []
    for days in range(1, 20):
        events.append(event(ws.tenant_id, people["ann"], _ago(days)))
        if days % 3 == 0:
            events.append(
                event(ws.tenant_id, people["kim"], _ago(days), "quote.sent", role="key_user")
            )
    await record(*events)
    await rollup_tenant(__import__("uuid").UUID(ws.tenant_id), "Europe/Paris")
    return people


async def test_the_dashboard_shows_the_figures_with_tables(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await _history(client, workspace)
    await sign_in(client, workspace)
    page = await client.get(f"/w/{workspace.slug}/adoption", headers=EN)
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert 'id="adoption-chart-data"' in html and 'data-chart="activity"' in html
    assert "/static/vendor/chart.umd.min.js" in html
    assert "Retention by cohort" in html and "Inactive seats" in html
    assert 'data-stat="wau-mau">2 / 2<' in html  # ann and kim
    assert "<script>" not in html  # the CSP forbids inline scripts
    narrowed = await client.get(
        f"/w/{workspace.slug}/adoption", params={"role": "key_user"}, headers=EN
    )
    assert 'data-stat="wau-mau">1 / 1<' in narrowed.text


async def test_bad_filters_say_so_and_show_the_rest(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await sign_in(client, workspace)
    page = await client.get(
        f"/w/{workspace.slug}/adoption",
        params={"from": "2026-13-01", "module": "golf"},
        headers=EN,
    )
    assert page.status_code == 200
    assert "This module does not exist." in page.text
    assert "Choose a start date in the calendar" in page.text


async def test_end_users_are_refused_and_do_not_see_the_link(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    end_user = await add_person(client, workspace)
    await sign_in_as(client, workspace, end_user)
    refused = await client.get(f"/w/{workspace.slug}/adoption", headers=EN)
    assert refused.status_code == 403
    home = await client.get(f"/w/{workspace.slug}/", headers=EN)
    assert f'href="/w/{workspace.slug}/adoption"' not in home.text
