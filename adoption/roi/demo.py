"""Demo ROI baseline: `comptoir demo` fills in what a small sales team would,
so the ROI page shows its figures (time saved, payback, NPV) from the start."""

from __future__ import annotations

from comptoir.adoption.roi.service import save_baseline
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant

DEMO_BASELINE = {
    "subscription_monthly": "245",
    "implementation_cost": "4000",
    "training_cost": "1500",
    "sales_staff": "5",
    "sales_hourly_cost": "45",
    "quote_minutes": "40",
    "quotes_per_month": "60",
    "history_minutes": "8",
    "history_lookups_per_month": "200",
    "win_rate": "22",
}


async def seed_roi_demo(tenant: Tenant) -> None:
    async with tenant_scope(tenant.id) as scope:
        admin = await scope.objects(User).where(User.role == "admin").order_by(User.id).first()
    if admin is None:
        return
    actor = Actor(
        kind="user", id=admin.id, label=str(admin.email), tenant_id=tenant.id, role="admin"
    )
    await save_baseline(tenant.id, DEMO_BASELINE, actor=actor)
