"""The pipeline's figures for the opportunities the viewer sees: the totals
of each board column and the forecast by month. Both read the maintained
figures (``totals``); a board narrowed by a search sums the matching
opportunities themselves (the search bounds them)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.db.search import like_pattern
from comptoir.tenants.opportunities import totals
from comptoir.tenants.opportunities.schemas import (
    ForecastMonth,
    ForecastOut,
)
from comptoir.tenants.opportunities.service import local_today, money
from comptoir.tenants.opportunities.tables import (
    Opportunity,
)

FORECAST_MONTHS = 12


def _visible(scope: TenantScope, args: list[Any]) -> str:
    """The viewer's visibility as SQL for a raw query (its values go to ``args``)."""
    owners = scope.visible_owner_ids()
    if owners is None:
        return ""
    if not owners:
        return " AND FALSE"
    args.extend(sorted(owners))
    return f" AND owner_id IN ({', '.join('{}' for _ in owners)})"


def _searched(q: str | None, args: list[Any]) -> str:
    if not q or not q.strip():
        return ""
    args.append(like_pattern(q))
    if is_postgres(get_engine()):
        return " AND id = ANY(ARRAY(SELECT opportunities_search_ids({})))"
    return " AND search_text LIKE {} ESCAPE '\\'"


@dataclass(frozen=True)
class StageTotals:
    count: int
    amount: Decimal
    weighted: Decimal


def _cents(value: Any) -> Decimal:
    return money(Decimal(int(value or 0)) / 100)


async def stage_totals(
    tenant_id: uuid.UUID, *, owner_id: uuid.UUID | None = None, q: str | None = None
) -> dict[str, StageTotals]:
    """{stage id: count, total and weighted amount} of the opportunities the
    viewer sees (one query)."""
    async with tenant_scope(tenant_id) as scope:
        if not q or not q.strip():
            rows = await totals.by_stage(scope, owner_id=owner_id)
            return {
                str(row["stage_id"]): StageTotals(
                    count=int(row["n"]),
                    amount=_cents(row["amount_cents"]),
                    weighted=money(Decimal(int(row["weighted"] or 0)) / 10_000),
                )
                for row in rows
            }
        args: list[Any] = [scope.tenant_id]
        sql = (
            "SELECT stage_id, COUNT(*) AS n, SUM(amount) AS amount, "
            "SUM(amount * probability) AS weighted FROM opportunities WHERE tenant_id = {}"
        )
        sql += _visible(scope, args)
        if owner_id is not None:
            sql += " AND owner_id = {}"
            args.append(owner_id)
        sql += _searched(q, args)
        found = await scope.raw(Opportunity, sql + " GROUP BY stage_id", *args)
    return {
        str(row["stage_id"]): StageTotals(
            count=int(row["n"]),
            amount=money(row["amount"]),
            weighted=money(Decimal(str(row["weighted"] or 0)) / 100),
        )
        for row in found
    }


def _month_start(day: dt.date, months_later: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months_later
    return dt.date(index // 12, index % 12 + 1, 1)


async def forecast(
    tenant_id: uuid.UUID, *, today: dt.date | None = None, owner_id: uuid.UUID | None = None
) -> ForecastOut:
    """Open opportunities by month of expected close, this month and the next
    eleven: their amount and weighted amount (amount * probability, summed,
    then rounded half-up to the cent). One grouped query."""
    first = _month_start(today or local_today())
    end = _month_start(first, FORECAST_MONTHS)
    async with tenant_scope(tenant_id) as scope:
        rows = await totals.by_month(scope, first, end, owner_id=owner_id)
    found = {str(row["close_month"]): row for row in rows}
    months = []
    for n in range(FORECAST_MONTHS):
        key = _month_start(first, n).strftime("%Y-%m")
        row = found.get(key)
        months.append(
            ForecastMonth(
                month=key,
                count=int(row["n"]) if row else 0,
                amount=_cents(row["amount_cents"] if row else 0),
                weighted=money(Decimal(int(row["weighted"] or 0) if row else 0) / 10_000),
            )
        )
    return ForecastOut(
        months=months,
        total_amount=sum((m.amount for m in months), Decimal("0.00")),
        total_weighted=sum((m.weighted for m in months), Decimal("0.00")),
    )
