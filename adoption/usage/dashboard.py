"""What the adoption dashboard shows (workspace and console alike): the
summary, the weekly trends, and the same figures as chart data (a JSON block
the page's script reads; the tables beside the charts need no script)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from comptoir.adoption.telemetry.classify import MODULES, ROLES
from comptoir.adoption.usage.queries import NO_FILTERS, Filters
from comptoir.adoption.usage.summary import Trends, UsageSummary, usage_summary, weekly_trends
from comptoir.platform.i18n import gettext as _

MODULE_LABELS = {
    "sales": "Sales",
    "marketing": "Marketing",
    "service": "After-sales",
    "admin": "Administration",
    "training": "Training",
}
ROLE_LABELS = {"admin": "Administrator", "key_user": "Key user", "end_user": "User"}
LIFECYCLE_LABELS = {
    "new": "New",
    "returning": "Returning",
    "resurrecting": "Resurrecting",
    "dormant": "Dormant",
}


@dataclass
class Dashboard:
    summary: UsageSummary
    trends: Trends

    def chart_data(self) -> dict[str, Any]:
        """Labels already translated, numbers as numbers."""
        summary, trends = self.summary, self.trends
        return {
            "activity": {
                "labels": [day.day.isoformat() for day in summary.days],
                "series": [
                    {"label": _("Daily active users"), "data": [d.dau for d in summary.days]},
                    {"label": _("Weekly active users"), "data": [d.wau for d in summary.days]},
                    {"label": _("Monthly active users"), "data": [d.mau for d in summary.days]},
                ],
            },
            "modules": _segments_chart(summary.by_module, MODULES, MODULE_LABELS),
            "roles": _segments_chart(summary.by_role, ROLES, ROLE_LABELS),
            "lifecycle": {
                "labels": [week.week.isoformat() for week in trends.lifecycle],
                "series": [
                    {
                        "key": key,
                        "label": _(label),
                        "data": [
                            -getattr(week, key) if key == "dormant" else getattr(week, key)
                            for week in trends.lifecycle
                        ],
                    }
                    for key, label in LIFECYCLE_LABELS.items()
                ],
            },
        }


def _segments_chart(
    segments: dict[str, Any], names: tuple[str, ...], labels: dict[str, str]
) -> dict[str, Any]:
    return {
        "labels": [_(labels[name]) for name in names],
        "series": [
            {"label": _("Active users"), "data": [segments[n].active_users for n in names]},
            {
                "label": _("Value events"),
                "data": [segments[n].events for n in names],
                "axis": "right",
            },
        ],
    }


async def load_dashboard(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    filters: Filters = NO_FILTERS,
    *,
    now: dt.datetime | None = None,
) -> Dashboard:
    summary = await usage_summary(tenant_id, start, end, filters, now=now)
    return Dashboard(summary, await weekly_trends(tenant_id, summary, filters))
