"""The plans Comptoir sells, the modules each enables, and their prices.

Billing owns plan data: the modules are fixed here, the prices are versioned
rows (``PlanPrice``) — a new price applies from a period on and never rewrites
an earlier invoice. ``LAUNCH_PRICES`` is the version every database starts
with (the migration writes it) and the answer when no row applies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from comptoir.billing.periods import Period, current_period
from comptoir.billing.plans.tables import PlanPrice
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ValidationFailed

PLANS = ("essentiel", "pro", "entreprise")
PLAN_LABELS = {"essentiel": "Essentiel", "pro": "Pro", "entreprise": "Entreprise"}
# What each plan enables in the workspace; a route of another module answers
# 403 (pages show the upgrade page).
PLAN_MODULES: Mapping[str, frozenset[str]] = {
    "essentiel": frozenset({"sales"}),
    "pro": frozenset({"sales", "marketing", "service"}),
    "entreprise": frozenset({"sales", "marketing", "service", "sso", "api_clients"}),
}
MODULE_LABELS = {
    "sales": "Sales",
    "marketing": "Marketing",
    "service": "After-sales",
    "sso": "Single sign-on",
    "api_clients": "API clients",
}
LAUNCH_PRICES: Mapping[str, Decimal] = {
    "essentiel": Decimal("19.00"),
    "pro": Decimal("35.00"),
    "entreprise": Decimal("59.00"),
}


def plan_rank(plan: str) -> int:
    return PLANS.index(plan)


def is_upgrade(current: str, target: str) -> bool:
    return plan_rank(target) > plan_rank(current)


def entitlement(tenant: Tenant) -> Collection[str] | None:
    """The modules the tenant's plan enables (``Tenant.plan`` follows the
    subscription's plan)."""
    return PLAN_MODULES.get(str(tenant.plan), PLAN_MODULES["essentiel"])


def validate_plan(plan: str, field: str = "plan") -> str:
    if plan not in PLANS:
        raise ValidationFailed({field: f"must be one of {', '.join(PLANS)}"})
    return plan


@dataclass(frozen=True)
class PriceList:
    """The price per seat per month (excl. VAT) of every plan for one period."""

    period: Period
    prices: Mapping[str, Decimal]

    def __getitem__(self, plan: str) -> Decimal:
        return self.prices[plan]


# The current prices, for pages that cannot wait on the database (the upgrade
# page is rendered by an error handler); refreshed by every read of prices.
_current: dict[str, Decimal] = dict(LAUNCH_PRICES)


def cached_current_prices() -> Mapping[str, Decimal]:
    return dict(_current)


async def price_list(period: Period) -> PriceList:
    """Each plan's price for ``period``: the newest version starting at or
    before it, else the launch price."""
    rows = await (
        PlanPrice.select(PlanPrice.plan, PlanPrice.effective_from, PlanPrice.price_per_seat)
        .where(PlanPrice.effective_from <= str(period))
        .order_by(PlanPrice.effective_from)
    )
    prices = dict(LAUNCH_PRICES)
    for row in rows:  # later versions overwrite earlier ones
        if row["plan"] in prices:
            prices[row["plan"]] = Decimal(row["price_per_seat"]).quantize(Decimal("0.01"))
    if period == current_period():
        _current.update(prices)
    return PriceList(period=period, prices=prices)


async def set_price(plan: str, price: Decimal, effective_from: Period, *, note: str = "") -> None:
    """A new price of ``plan`` from ``effective_from`` on (replacing a
    version that starts the same month). Invoices already issued keep theirs."""
    validate_plan(plan)
    if price <= 0 or price != price.quantize(Decimal("0.01")):
        raise ValidationFailed({"price": "must be a positive amount in euros and cents"})
    existing = await PlanPrice.objects().where(
        (PlanPrice.plan == plan) & (PlanPrice.effective_from == str(effective_from))
    )
    if existing:
        await PlanPrice.update({PlanPrice.price_per_seat: price, PlanPrice.note: note}).where(
            PlanPrice.id == existing[0].id
        )
    else:
        await PlanPrice.insert(
            PlanPrice(
                plan=plan,
                effective_from=str(effective_from),
                price_per_seat=price,
                note=note,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    await price_list(current_period())
