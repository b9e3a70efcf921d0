"""/api/v1/adoption/people/{user_id} (one person's timeline) and
/api/v1/adoption/quartiles (outcomes by adoption quartile). No ``from
__future__ import annotations``: Litestar reads the handlers' annotations."""

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from comptoir.adoption.insights import service
from comptoir.adoption.insights.schemas import (
    BeforeAfterOut,
    PersonOut,
    PersonWeekOut,
    QuartileOut,
    QuartilesOut,
)
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires

DEFAULT_DAYS = 90


def person_out(timeline: service.PersonTimeline) -> PersonOut:
    split = timeline.before_after
    return PersonOut(
        user_id=timeline.user_id,
        name=timeline.name,
        role=timeline.role,
        training_percent=timeline.training.percent if timeline.training else None,
        training_status=timeline.training.status if timeline.training else None,
        completeness=timeline.completeness_now,
        weeks=[
            PersonWeekOut(
                week=w.start,
                active_days=w.active_days,
                value_events=w.value_events,
                steps_completed=w.steps_completed,
                records_created=w.records_created,
                completeness=w.completeness,
            )
            for w in timeline.weeks
        ],
        before_after=BeforeAfterOut(
            trained_at=split.trained_at,
            active_days_before=split.active_days_before,
            active_days_after=split.active_days_after,
            value_events_before=split.value_events_before,
            value_events_after=split.value_events_after,
            completeness_before=split.completeness_before,
            completeness_after=split.completeness_after,
        )
        if split is not None
        else None,
    )


def quartile_out(q: service.Quartile) -> QuartileOut:
    return QuartileOut(
        quartile=q.rank,
        users=q.users,
        mean_value_events=q.mean_value_events,
        win_rate=q.win_rate,
        mean_days_to_close=q.mean_days_to_close,
        completeness=q.mean_completeness,
        training_completion=q.mean_training,
    )


def period(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(dt.UTC).date()
    try:
        last = dt.date.fromisoformat(end) if end else today
    except ValueError:
        raise ValidationFailed({"to": "must be a date, YYYY-MM-DD"}) from None
    try:
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=DEFAULT_DAYS)
    except ValueError:
        raise ValidationFailed({"from": "must be a date, YYYY-MM-DD"}) from None
    if first > last:
        raise ValidationFailed({"from": "must be on or before to"})
    if (last - first).days > 366:
        raise ValidationFailed({"from": "the period is at most a year"})
    return first, last


class InsightsController(Controller):
    path = "/api/v1/adoption"
    tags = ["Adoption"]

    @get(
        "/people/{user_id:str}",
        summary="One person's adoption timeline",
        description="The last 12 weeks (Monday to Sunday, workspace time): active days, value "
        "events, training steps completed, records created and their completeness; and, once "
        "their training is completed, the same before and after it.",
        opt=requires("insights", "view"),
    )
    async def person(self, caller: NamedDependency[ApiCaller], user_id: FromPath[str]) -> PersonOut:
        return person_out(await service.person_timeline(caller.tenant.id, user_id))

    @get(
        "/quartiles",
        summary="Outcomes by adoption quartile",
        description="Active users ranked by value events over `from`..`to` (default the last "
        "90 days), cut into quartiles (1 = least active): win rate, days to close a won deal, "
        "completeness and training per quartile. Ticket resolution: no data yet.",
        opt=requires("insights", "view"),
    )
    async def quartiles(
        self,
        caller: NamedDependency[ApiCaller],
        start: Annotated[str | None, QueryParameter(name="from", max_length=10)] = None,
        end: Annotated[str | None, QueryParameter(name="to", max_length=10)] = None,
    ) -> QuartilesOut:
        first, last = period(start, end)
        groups = await service.adoption_quartiles(caller.tenant.id, first, last)
        return QuartilesOut(start=first, end=last, quartiles=[quartile_out(q) for q in groups])
