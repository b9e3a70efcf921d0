"""Insights pages: outcomes by adoption quartile with everyone's line, and
one person's timeline (training, use, completeness, before and after)."""

from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from comptoir.adoption.insights import service
from comptoir.adoption.insights.controllers import period
from comptoir.platform.features import requires
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import render_page


def chart_data(timeline: service.PersonTimeline) -> dict[str, Any]:
    weeks = timeline.weeks
    markers = []
    if timeline.before_after is not None:
        trained = service.week_start(timeline.before_after.trained_at.date())
        markers.append({"day": trained.isoformat(), "text": _("Training completed")})
    return {
        "labels": [w.start.isoformat() for w in weeks],
        "series": [
            {
                "label": _("Value events"),
                "values": [w.value_events for w in weeks],
                "axis": "count",
            },
            {"label": _("Active days"), "values": [w.active_days for w in weeks], "axis": "count"},
            {
                "label": _("Completeness of records created"),
                "values": [w.completeness for w in weeks],
                "axis": "pct",
            },
        ],
        "markers": markers,
    }


class InsightsPages(Controller):
    path = "/w/{slug:str}/adoption/people"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="adoption-people", opt=requires("insights", "view"))
    async def overview(self, page: NamedDependency[WorkspacePage]) -> Template:
        first, last = period(None, None)
        groups = await service.adoption_quartiles(page.tenant.id, first, last)
        return render_page(
            page,
            "adoption/insights.html",
            section="adoption-people",
            quartiles=groups,
            start=first,
            end=last,
        )

    @get("/{user_id:str}", name="adoption-person", opt=requires("insights", "view"))
    async def person(
        self, page: NamedDependency[WorkspacePage], user_id: FromPath[str]
    ) -> Template:
        timeline = await service.person_timeline(page.tenant.id, user_id)
        return render_page(
            page,
            "adoption/insights_person.html",
            section="adoption-people",
            timeline=timeline,
            chart=chart_data(timeline),
        )
