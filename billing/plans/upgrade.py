"""The upgrade page: what a workspace user sees on a page of a module their
plan does not include (the API answers 403 problem+json instead)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from comptoir.billing.plans.catalog import (
    MODULE_LABELS,
    PLAN_LABELS,
    PLAN_MODULES,
    PLANS,
    cached_current_prices,
    plan_rank,
)
from comptoir.platform.errors import ComptoirError, ModuleNotInPlan
from comptoir.platform.web.problems import register_error_page


def upgrade_page(
    request: Request[Any, Any, Any], error: ComptoirError
) -> tuple[str, dict[str, Any]] | None:
    if not isinstance(error, ModuleNotInPlan):
        return None
    parts = request.url.path.split("/")
    if len(parts) < 3 or parts[1] != "w" or not parts[2]:
        return None
    slug = parts[2]
    prices = cached_current_prices()
    current = error.plan if error.plan in PLANS else "essentiel"
    plans = [
        {
            "key": plan,
            "label": PLAN_LABELS[plan],
            "price": prices[plan],
            "modules": [MODULE_LABELS[m] for m in MODULE_LABELS if m in PLAN_MODULES[plan]],
            "current": plan == current,
            "includes_module": error.module in PLAN_MODULES[plan],
            "higher": plan_rank(plan) > plan_rank(current),
        }
        for plan in PLANS
    ]
    return (
        "billing/upgrade.html",
        {
            "slug": slug,
            "module_label": MODULE_LABELS.get(error.module, error.module),
            "plan_label": PLAN_LABELS.get(current, current),
            "plans": plans,
            "billing_url": f"/w/{slug}/admin/billing",
            "home_url": f"/w/{slug}/",
        },
    )


def register_upgrade_page() -> None:
    register_error_page(ModuleNotInPlan.type_slug, upgrade_page)
