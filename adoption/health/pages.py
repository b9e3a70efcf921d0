"""The console's adoption pages: every tenant's health score, at-risk first,
and one tenant's adoption figures with the dashboard's charts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from comptoir.adoption.health.score import STICKINESS_TARGET, WEIGHTS, components
from comptoir.adoption.health.service import health_inputs, snapshot_of, tenants_by_health
from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.telemetry.clock import today, zone
from comptoir.adoption.usage.dashboard import (
    LIFECYCLE_LABELS,
    MODULE_LABELS,
    ROLE_LABELS,
    load_dashboard,
)
from comptoir.adoption.usage.formatting import helpers
from comptoir.platform.console import tenants as directory
from comptoir.platform.console.pages import console_page, provide_staff
from comptoir.platform.console.service import StaffIdentity
from comptoir.tenants.workspace.rendering import Formatters

BANDS = ("at_risk", "watch", "healthy")
BAND_LABELS = {"healthy": "Healthy", "watch": "To watch", "at_risk": "At risk"}
COMPONENT_LABELS = {
    "activation": "Seat activation",
    "stickiness": "Stickiness",
    "completeness": "Data completeness",
    "training": "Training",
    "trend": "Trend",
}
BandQuery = Annotated[str | None, QueryParameter(name="band", max_length=10, required=False)]


class HealthConsole(Controller):
    path = "/console"
    include_in_schema = False
    dependencies = {"staff": Provide(provide_staff)}

    @get("/adoption")
    async def health(
        self, staff: NamedDependency[StaffIdentity], band_: BandQuery = None
    ) -> Template:
        chosen = band_ if band_ in BANDS else ""
        return console_page(
            "adoption/console_health.html",
            staff=staff,
            nav="adoption",
            rows=await tenants_by_health(chosen),
            band=chosen,
            bands=BANDS,
            band_labels=BAND_LABELS,
            weights=WEIGHTS,
            component_labels=COMPONENT_LABELS,
            stickiness_target=STICKINESS_TARGET,
            **helpers(),
        )

    @get("/tenants/{tenant_id:str}/adoption")
    async def tenant_adoption(
        self, staff: NamedDependency[StaffIdentity], tenant_id: FromPath[str]
    ) -> Template:
        tenant = await directory.get_tenant(tenant_id)
        last = today(zone(tenant.timezone))
        dashboard = await load_dashboard(tenant.id, last - dt.timedelta(days=29), last)
        inputs = await health_inputs(tenant.id, tenant.timezone)
        return console_page(
            "adoption/console_tenant.html",
            staff=staff,
            nav="tenants",
            tenant=tenant,
            snapshot=await snapshot_of(tenant.id),
            parts=components(inputs),
            inputs=inputs,
            summary=dashboard.summary,
            trends=dashboard.trends,
            chart_data=dashboard.chart_data(),
            fmt=Formatters(tenant.timezone or "Europe/Paris"),
            band_labels=BAND_LABELS,
            weights=WEIGHTS,
            component_labels=COMPONENT_LABELS,
            module_names=MODULES,
            role_names=ROLES,
            module_labels=MODULE_LABELS,
            role_labels=ROLE_LABELS,
            lifecycle_labels=LIFECYCLE_LABELS,
            **helpers(),
        )
