"""/api/v1/adoption/summary: the tenant's usage figures over a range of days.
No ``from __future__ import annotations``: Litestar reads the annotations."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from comptoir.adoption.telemetry.clock import today, zone
from comptoir.adoption.usage.filters import read_filters, read_range
from comptoir.adoption.usage.schemas import InactiveSeatOut, SegmentOut, UsageSummaryOut
from comptoir.adoption.usage.summary import UsageSummary, usage_summary
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires

DateQuery = Annotated[
    str | None,
    QueryParameter(max_length=10, required=False, description="YYYY-MM-DD, included."),
]
FilterQuery = Annotated[str | None, QueryParameter(max_length=40, required=False)]


def summary_out(summary: UsageSummary) -> UsageSummaryOut:
    return UsageSummaryOut(
        from_=summary.start,
        to=summary.end,
        dau=round(summary.dau, 4),
        wau=summary.wau,
        mau=summary.mau,
        stickiness=round(summary.stickiness, 4),
        active_users=summary.active_users,
        seats=summary.seats,
        seat_activation=(
            round(summary.seat_activation, 4) if summary.seat_activation is not None else None
        ),
        inactive_seats=summary.inactive_seats,
        inactive_users=[
            InactiveSeatOut(
                user_id=str(seat.user_id),
                name=seat.name,
                role=seat.role,
                last_active_day=seat.last_active_day,
            )
            for seat in summary.inactive
        ],
        by_role={
            k: SegmentOut(active_users=v.active_users, events=v.events)
            for k, v in summary.by_role.items()
        },
        by_module={
            k: SegmentOut(active_users=v.active_users, events=v.events)
            for k, v in summary.by_module.items()
        },
    )


class UsageController(Controller):
    path = "/api/v1/adoption"
    tags = ["Adoption"]

    @get(
        "/summary",
        summary="Usage summary",
        description="Over `from`..`to` (days of the workspace's time zone, both included; "
        "by default the 30 days ending today; at most 366 days; days after today are left "
        "out): `dau` (mean of each day's active users), `wau` and `mau` (distinct active "
        "users over the 7 and 30 days ending on `to`), `stickiness` (DAU/MAU of each day, "
        "averaged), `active_users` (active at least once in the range), `inactive_seats` "
        "(active users of the workspace with no value event in the 14 days ending on `to`), "
        "`seat_activation` (MAU/seats), and `by_role` / `by_module`: the users active there "
        "and their value events. Active means at least one value event that day: a sign-in "
        "or a look at the home page alone is not use. `role`, `module` and `team` narrow "
        "the figures. Administrators and key users only.",
        opt=requires("usage", "view"),
    )
    async def summary(
        self,
        caller: NamedDependency[ApiCaller],
        from_: Annotated[
            str | None,
            QueryParameter(
                name="from", max_length=10, required=False, description="YYYY-MM-DD, included."
            ),
        ] = None,
        to: DateQuery = None,
        role: FilterQuery = None,
        module: FilterQuery = None,
        team: FilterQuery = None,
    ) -> UsageSummaryOut:
        days, errors = read_range(from_, to, today(zone(caller.tenant.timezone)))
        filters, filter_errors = await read_filters(caller.tenant.id, role, module, team)
        errors.update(filter_errors)
        if errors:
            raise ValidationFailed(errors)
        return summary_out(await usage_summary(caller.tenant.id, days.start, days.end, filters))
