"""The workspace audit log: bounded pages, filtered by action and by days."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from comptoir.platform.ids import new_id
from comptoir.tenants.audit_log.service import PAGE_SIZE, AuditFilter
from tests.support.pages import sign_in

ACTION = re.compile(r'<span class="cell-secondary mono">([a-z_.]+)</span>')
OLDER = re.compile(r'data-older href="([^"]+)"')


def _actions(html: str) -> list[str]:
    return ACTION.findall(html)


async def _contacts(client, workspace, count: int) -> None:
    for n in range(count):
        created = await client.post(
            "/api/v1/contacts", headers=workspace.headers, json={"last_name": f"Durand {n}"}
        )
        assert created.status_code == 201, created.text


async def test_filter_by_action_pages_through_and_keeps_the_filter(client, workspace) -> None:
    await _contacts(client, workspace, PAGE_SIZE + 5)
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/admin/audit"

    everything = await client.get(url)
    assert everything.status_code == 200
    assert len(_actions(everything.text)) == PAGE_SIZE  # a page is bounded

    first = await client.get(url, params={"action": "contact.create"})
    assert first.status_code == 200
    assert _actions(first.text) == ["contact.create"] * PAGE_SIZE
    older = OLDER.search(first.text)
    assert older
    next_url = older.group(1).replace("&amp;", "&")
    assert "action=contact.create" in next_url
    second = await client.get(next_url)
    assert _actions(second.text) == ["contact.create"] * 5
    assert OLDER.search(second.text) is None

    signed_in = await client.get(url, params={"action": "user.login"})
    assert _actions(signed_in.text) == ["user.login"]
    assert 'value="user.login" selected' in signed_in.text


async def test_filter_by_days_in_the_workspace_time_zone(client, workspace) -> None:
    await _contacts(client, workspace, 2)
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/admin/audit"
    today = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    day = dt.timedelta(days=1)

    same_day = await client.get(
        url, params={"since": today.isoformat(), "until": today.isoformat()}
    )
    assert _actions(same_day.text).count("contact.create") == 2
    for params in (
        {"since": (today + day).isoformat()},
        {"until": (today - day).isoformat()},
        {"since": (today - 3 * day).isoformat(), "until": (today - day).isoformat()},
    ):
        none = await client.get(url, params=params)
        assert none.status_code == 200
        assert _actions(none.text) == []
        assert "No entry matches these filters" in none.text
        assert "Clear filters" in none.text


async def test_unusable_filters_are_said_and_left_out(client, workspace) -> None:
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/admin/audit"
    unknown = await client.get(url, params={"action": "contact.explode"})
    assert unknown.status_code == 200
    assert "This action is not one the audit log records." in unknown.text
    assert "user.login" in _actions(unknown.text)
    bad_day = await client.get(url, params={"since": "31/12/2026"})
    assert "Choose a date in the calendar." in bad_day.text
    backwards = await client.get(url, params={"since": "2026-05-02", "until": "2026-05-01"})
    assert "The end date comes before the start date." in backwards.text
    too_long = await client.get(url, params={"action": "x" * 200})
    assert too_long.status_code in (400, 422)


def test_days_become_a_range_of_ids() -> None:
    today = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    low, high = AuditFilter(since=today, until=today).id_range()
    assert low is not None and high is not None
    assert low <= new_id() < high
    low, high = AuditFilter(since=today + dt.timedelta(days=1)).id_range()
    assert high is None and low is not None and new_id() < low
