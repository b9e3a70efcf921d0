"""ROI: figures computed by hand (benefit, payback, NPV), the no-baseline
case, modules without measured data, validation and who may see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest
import time_machine

from comptoir.adoption.roi.calculator import TaskBaseline, monthly_rate, roi
from tests.adoption.records_support import member
from tests.quotes.support import send, sendable_quote
from tests.support.fixtures import Workspace

API = "/api/v1/roi"


def test_benefit_payback_and_npv_by_hand() -> None:
    quote = TaskBaseline(
        key="quote",
        module="sales",
        label="Producing a quote",
        baseline_minutes=Decimal("60"),
        baseline_volume=100,
        hourly_cost=Decimal("50"),
        measured_minutes=Decimal("15"),
        measured_volume=Decimal("80"),
    )
    ticket = TaskBaseline(
        key="ticket",
        module="service",
        label="Handling a ticket",
        baseline_minutes=Decimal("30"),
        baseline_volume=200,
        hourly_cost=Decimal("35"),
        measured_minutes=None,
        measured_volume=None,
    )
    result = roi([quote, ticket], monthly_cost=Decimal("1000"), one_off_cost=Decimal("5000"))
    # (60 - 15) / 60 h x 100 quotes x 80 % done in Comptoir = 60 h, x 50 EUR.
    assert result.time_saved_hours == Decimal("60.0")
    assert result.monthly_benefit == Decimal("3000.00")
    # Net 2000 a month against 5000 once: month 3 is the first >= 0.
    assert result.payback_months == 3
    # (36 x 3000 - (5000 + 36 x 1000)) / 41000 = 163.4 %.
    assert result.roi_percent == Decimal("163.4")
    rate = 1.1 ** (1 / 12) - 1
    expected_npv = -5000 + sum(2000 / (1 + rate) ** m for m in range(1, 37))
    assert float(result.npv_3y) == pytest.approx(expected_npv, abs=0.01)
    assert float(monthly_rate()) == pytest.approx(rate)
    assert result.by_module["service"].status == "no_data"
    assert result.by_module["service"].benefit == 0
    # Losing money every month never pays back.
    losing = roi([quote], monthly_cost=Decimal("4000"), one_off_cost=Decimal("0"))
    assert losing.payback_months is None
    free = roi([quote], monthly_cost=Decimal("0"), one_off_cost=Decimal("0"))
    assert free.payback_months == 1 and free.roi_percent is None


async def test_no_baseline_says_so(client: httpx.AsyncClient, workspace: Workspace) -> None:
    body = (await client.get(API, headers=workspace.headers)).json()
    assert body["baseline"]["entered"] is False
    assert body["baseline"]["quote_minutes"] is None
    for figure in ("monthly_benefit", "monthly_cost", "roi_percent", "payback_months", "npv_3y"):
        assert body[figure] is None
    assert body["time_saved_hours_per_month"] is None
    assert body["message"]
    assert body["by_module"]["service"]["status"] == "no_data"


async def test_measured_quotes_and_figures(client: httpx.AsyncClient, workspace: Workspace) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    for n, minutes in enumerate((10, 30, 20)):
        with time_machine.travel(start + dt.timedelta(days=n), tick=False):
            quote = await sendable_quote(client, workspace)
        with time_machine.travel(start + dt.timedelta(days=n, minutes=minutes), tick=False):
            sent = await send(client, workspace, quote["id"])
            assert sent.status_code == 200, sent.text
    baseline = {
        "subscription_monthly": "500",
        "implementation_cost": "2000.00",
        "training_cost": "1000",
        "sales_staff": 4,
        "sales_hourly_cost": "40",
        "quote_minutes": "60",
        "quotes_per_month": 2,
        "ticket_minutes": "25",
        "tickets_per_month": 300,
    }
    answer = await client.put(f"{API}/baseline", headers=workspace.headers, json=baseline)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["baseline"]["entered"] is True
    assert body["baseline"]["subscription_monthly"] == "500.00"
    assert body["measured"]["quote_minutes"] == "20.00"  # the median
    assert body["measured"]["quotes_sent"] == 3
    assert body["measured"]["quotes_per_month"] == "1.00"  # 3 in 90 days
    # (60 - 20) / 60 h x 2 quotes x 50 % handled in Comptoir = 0.667 h, x 40 EUR.
    quote = body["by_module"]["sales"]["tasks"][0]
    assert quote["key"] == "quote" and quote["share"] == "0.500"
    assert body["time_saved_hours_per_month"] == "0.7"
    assert body["monthly_benefit"] == "26.67"
    assert body["monthly_cost"] == "500.00"
    assert body["payback_months"] is None
    assert body["message"] == ""
    service = body["by_module"]["service"]
    assert service["status"] == "no_data" and service["monthly_benefit"] == "0.00"
    assert service["tasks"][0]["reason"]
    history = body["by_module"]["sales"]["tasks"][1]
    assert history["key"] == "history" and history["status"] == "no_data"


async def test_baseline_is_checked_field_by_field(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    answer = await client.put(
        f"{API}/baseline",
        headers=workspace.headers,
        json={"quote_minutes": "abc", "sales_staff": "1.5", "win_rate": "101", "training_cost": -1},
    )
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {
        "quote_minutes",
        "sales_staff",
        "win_rate",
        "training_cost",
    }
    body = (await client.get(API, headers=workspace.headers)).json()
    assert body["baseline"]["entered"] is False


async def test_who_may_see_and_change_it(client: httpx.AsyncClient, workspace: Workspace) -> None:
    lea = await member(client, workspace, "end_user")
    karim = await member(client, workspace, "key_user", "Karim")
    assert (await client.get(API, headers=lea.headers)).status_code == 403
    assert (await client.get(API, headers=karim.headers)).status_code == 200
    refused = await client.put(f"{API}/baseline", headers=karim.headers, json={})
    assert refused.status_code == 403


async def test_roi_page_form_and_results(client: httpx.AsyncClient, workspace: Workspace) -> None:
    from tests.support.pages import post_form, sign_in

    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/adoption/roi"
    page = await client.get(url)
    assert page.status_code == 200, page.text
    assert "No baseline entered yet" in page.text
    refused = await post_form(client, url, f"{url}/baseline", {"quote_minutes": "beaucoup"})
    assert refused.status_code == 422 and "Must be a number" in refused.text
    saved = await post_form(
        client,
        url,
        f"{url}/baseline",
        {"subscription_monthly": "300", "quote_minutes": "45,5", "quotes_per_month": "10"},
    )
    assert saved.status_code == 303
    page = await client.get(url)
    assert "No baseline entered yet" not in page.text
    assert 'value="45.5"' in page.text
    assert "No measured data" in page.text
