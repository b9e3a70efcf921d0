"""The adoption dashboard at /w/{slug}/adoption, for administrators and key
users: key figures, charts with their tables, filters by period, role,
module and team."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Template

from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.telemetry.clock import today, zone
from comptoir.adoption.usage.dashboard import (
    LIFECYCLE_LABELS,
    MODULE_LABELS,
    ROLE_LABELS,
    load_dashboard,
)
from comptoir.adoption.usage.filters import DayRange, read_filters, read_range
from comptoir.adoption.usage.formatting import helpers
from comptoir.adoption.usage.queries import NO_FILTERS
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.teams.tables import Team
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import render_page

Query = Annotated[str | None, QueryParameter(max_length=40, required=False)]
DateQuery = Annotated[str | None, QueryParameter(max_length=10, required=False)]

# The service's messages, as the page says them.
PAGE_ERRORS = {
    "from": "Choose a start date in the calendar, on or before the end date.",
    "to": "Choose an end date in the calendar, at most a year after the start date.",
    "role": "This role does not exist.",
    "module": "This module does not exist.",
    "team": "This team does not exist.",
}


class UsagePages(Controller):
    path = "/w/{slug:str}"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/adoption", name="adoption-dashboard", opt=requires("usage", "view"))
    async def dashboard(
        self,
        page: NamedDependency[WorkspacePage],
        from_: Annotated[
            str | None, QueryParameter(name="from", max_length=10, required=False)
        ] = None,
        to: DateQuery = None,
        role: Query = None,
        module: Query = None,
        team: Query = None,
    ) -> Template:
        tenant = page.tenant
        local_today = today(zone(tenant.timezone))
        days, errors = read_range(from_, to, local_today)
        if errors:
            days, _ignored = read_range(None, None, local_today)
        filters, filter_errors = await read_filters(tenant.id, role, module, team)
        errors.update(filter_errors)
        if filter_errors:
            filters = NO_FILTERS
        dashboard = await load_dashboard(tenant.id, days.start, days.end, filters)
        async with tenant_scope(tenant.id) as scope:
            teams = await scope.select(Team, Team.id, Team.name).order_by(Team.name)
        chosen = {
            "from": days.start.isoformat() if "from" not in errors else (from_ or ""),
            "to": days.end.isoformat() if "to" not in errors else (to or ""),
            "role": role if "role" not in errors else "",
            "module": module if "module" not in errors else "",
            "team": team if "team" not in errors else "",
        }
        return render_page(
            page,
            "adoption/dashboard.html",
            section="adoption",
            dashboard=dashboard,
            summary=dashboard.summary,
            trends=dashboard.trends,
            chart_data=dashboard.chart_data(),
            chosen=chosen,
            filter_errors={name: _(PAGE_ERRORS[name]) for name in errors},
            filtered=any(chosen[name] for name in ("role", "module", "team")),
            days=DayRange(days.start, dashboard.summary.end),
            teams=teams,
            module_names=MODULES,
            role_names=ROLES,
            module_labels=MODULE_LABELS,
            role_labels=ROLE_LABELS,
            lifecycle_labels=LIFECYCLE_LABELS,
            **helpers(),
        )
