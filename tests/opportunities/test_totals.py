"""The pipeline's maintained figures stay equal to the sums over the
opportunities themselves, whatever the writes: create, change of amount,
probability, owner and close date, moves to won and lost, delete; and they
follow the viewer's visibility like the lists."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx

from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import tenant_scope
from comptoir.tenants.opportunities.figures import forecast, stage_totals
from comptoir.tenants.opportunities.tables import Opportunity, OpportunityTotal
from comptoir.tenants.opportunities.totals import rebuild_sql
from tests.support.fixtures import Workspace
from tests.support.pages import add_person

API = "/api/v1/opportunities"


async def _live(tenant_id: uuid.UUID) -> dict[str, tuple[int, Decimal, Decimal]]:
    """{stage id: (count, amount, weighted)} summed from the opportunities."""
    sums: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
    async with tenant_scope(tenant_id) as scope:
        for row in await scope.select(
            Opportunity, Opportunity.stage_id, Opportunity.amount, Opportunity.probability
        ):
            entry = sums[str(row["stage_id"])]
            amount = Decimal(str(row["amount"])).quantize(Decimal("0.01"))
            entry[0] += 1
            entry[1] += amount
            entry[2] += amount * row["probability"] / 100
    return {k: (v[0], v[1], v[2].quantize(Decimal("0.01"))) for k, v in sums.items()}


async def _kept(tenant_id: uuid.UUID) -> dict[str, tuple[int, Decimal, Decimal]]:
    found = await stage_totals(tenant_id)
    return {k: (v.count, v.amount, v.weighted) for k, v in found.items()}


async def test_maintained_figures_equal_the_sums_after_every_kind_of_write(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h, tenant = workspace.headers, uuid.UUID(workspace.tenant_id)
    stages = {
        s["key"]: s
        for s in (await client.get("/api/v1/pipeline/stages", headers=h)).json()["items"]
    }
    reason = (await client.get("/api/v1/pipeline/lost-reasons", headers=h)).json()["items"][0]
    other = await add_person(client, workspace, "end_user")
    today = dt.date.today()
    ids = []
    for n, amount in enumerate(["1000.10", "2500", "333.33", "0.01", "120000.99"]):
        body = {
            "name": f"Affaire {n}",
            "amount": amount,
            "expected_close_date": (today + dt.timedelta(days=31 * n)).isoformat(),
        }
        created = await client.post(API, headers=h, json=body)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    assert await _kept(tenant) == await _live(tenant)

    changes: list[tuple[str, dict[str, Any]]] = [
        (ids[0], {"amount": "999.99", "probability": 35}),
        (ids[1], {"owner_id": str(other)}),
        (ids[2], {"expected_close_date": (today + dt.timedelta(days=200)).isoformat()}),
        (ids[3], {"stage_id": stages["won"]["id"]}),
        (ids[4], {"stage_id": stages["lost"]["id"], "lost_reason_id": reason["id"]}),
        (ids[4], {"stage_id": stages["proposal"]["id"]}),
    ]
    for record_id, body in changes:
        changed = await client.patch(f"{API}/{record_id}", headers=h, json=body)
        assert changed.status_code == 200, changed.text
        assert await _kept(tenant) == await _live(tenant), body
    moved = await client.post(
        f"{API}/{ids[2]}/move", headers=h, json={"stage_id": stages["negotiation"]["id"]}
    )
    assert moved.status_code == 200, moved.text
    assert (await client.delete(f"{API}/{ids[1]}", headers=h)).status_code == 204
    assert await _kept(tenant) == await _live(tenant)

    # The forecast reads the same figures: open deals per month of expected close.
    figures = await forecast(tenant, today=today)
    open_deals = [
        d
        for d in (await client.get(API, headers=h, params={"status": "open", "limit": 100})).json()[
            "items"
        ]
    ]
    assert sum(m.count for m in figures.months) == len(open_deals)
    assert figures.total_amount == sum(Decimal(d["amount"]) for d in open_deals)

    # Rebuilt from scratch (as the migration and the benchmark's seed do), the
    # buckets hold the same figures.
    before = await _kept(tenant)
    postgres = is_postgres(get_engine())
    async with tenant_scope(tenant) as scope:
        everyone = scope.unrestricted()
        await everyone.delete(OpportunityTotal).where(OpportunityTotal.tenant_id == tenant)
        # As the application role: row-level security keeps it to this tenant.
        await scope.raw(OpportunityTotal, rebuild_sql(postgres=postgres, one_tenant=True), tenant)
    assert await _kept(tenant) == before
