"""Helpers of the ledger's tests: workspaces signed up at a given moment, users
added through the API, invoices read back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
import time_machine

from comptoir.billing.invoices.run import RunResult, billing_run
from comptoir.billing.invoices.tables import Invoice, InvoiceLine
from comptoir.billing.periods import Period
from comptoir.billing.subscriptions.tables import Subscription
from tests.support.fixtures import Workspace, make_workspace

UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


async def signup_at(
    client: httpx.AsyncClient, moment: dt.datetime, slug: str, plan: str = "pro"
) -> Workspace:
    with frozen(moment):
        return await make_workspace(client, slug, plan=plan)


async def run_at(moment: dt.datetime, period: str | None = None, **kwargs: Any) -> RunResult:
    with frozen(moment):
        return await billing_run(Period.parse(period) if period else Period.of(moment), **kwargs)


async def add_user(client: httpx.AsyncClient, ws: Workspace, email: str) -> str:
    response = await client.post(
        "/api/v1/users",
        headers=ws.headers,
        json={"email": email, "first_name": "Camille", "last_name": "Test", "role": "end_user"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def disable_user(client: httpx.AsyncClient, ws: Workspace, user_id: str) -> None:
    response = await client.patch(
        f"/api/v1/users/{user_id}", headers=ws.headers, json={"status": "disabled"}
    )
    assert response.status_code == 200, response.text


async def subscription(ws: Workspace) -> Subscription:
    found = (
        await Subscription.objects()
        .where(Subscription.for_tenant_id == uuid.UUID(ws.tenant_id))
        .first()
    )
    assert found is not None
    return found


async def invoices(ws: Workspace | None = None) -> list[Invoice]:
    query = Invoice.objects()
    if ws is not None:
        query = query.where(Invoice.for_tenant_id == uuid.UUID(ws.tenant_id))
    return list(await query.order_by(Invoice.sequence_number))


async def lines(invoice: Invoice) -> list[InvoiceLine]:
    return list(
        await InvoiceLine.objects()
        .where(InvoiceLine.invoice_id == invoice.id)
        .order_by(InvoiceLine.position)
    )


def euros(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def template_contexts() -> dict[str, Callable[[], dict[str, Any]]]:
    """Representative contexts of the ledger's templates no crawled page shows
    (the upgrade page appears only for a module outside the plan, and no
    module is outside any plan today), for the suite that renders every template."""
    from comptoir.billing.plans.catalog import (
        MODULE_LABELS,
        PLAN_LABELS,
        PLAN_MODULES,
        PLANS,
        cached_current_prices,
    )

    def upgrade_context() -> dict[str, Any]:
        prices = cached_current_prices()
        return {
            "status": 403,
            "title": "Not in your plan",
            "detail": "",
            "csrf_token": lambda: "token",
            "slug": "exemple",
            "module_label": "Marketing",
            "plan_label": "Essentiel",
            "plans": [
                {
                    "key": plan,
                    "label": PLAN_LABELS[plan],
                    "price": prices[plan],
                    "modules": [m for k, m in MODULE_LABELS.items() if k in PLAN_MODULES[plan]],
                    "current": plan == "essentiel",
                    "includes_module": "marketing" in PLAN_MODULES[plan],
                    "higher": plan != "essentiel",
                }
                for plan in PLANS
            ],
            "billing_url": "/w/exemple/admin/billing",
            "home_url": "/w/exemple/",
        }

    return {"billing/upgrade.html": upgrade_context}
