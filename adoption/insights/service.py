"""What no other CRM shows: one timeline per person joining their training,
their use of the CRM and the completeness of their records, before and after
they completed their training; and business outcomes compared between
adoption quartiles.

Definitions:
- a person's weeks run Monday to Sunday in the workspace's time zone; per
  week: active days and value events (the usage rollups,
  ``adoption.usage.queries``), training steps completed, records created and
  the completeness score of those records (with today's rules);
- before/after training: split at the moment their last assigned step was
  completed (only for people who completed their training): mean weekly
  active days and value events, and the completeness of the records they
  created, on each side;
- adoption quartiles: the workspace's active users ranked by value events in
  the period, cut into four groups of near-equal size (Q1 the least active);
  per quartile: mean value events, win rate (won / (won + lost) of the deals
  they own closed in the period), mean days to close a won deal (created ->
  closed), the completeness score of their records and their training
  completion. Ticket resolution time: no data until after-sales exists."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from comptoir.adoption.completeness.objects import completeness_objects
from comptoir.adoption.completeness.scores import (
    ObjectFigures,
    mean,
    object_figures,
    report_in,
    rules_in_force,
    total,
)
from comptoir.adoption.training.progress import UserProgress, progress_in
from comptoir.adoption.usage.queries import Filters, activity_rows, tenant_zone, user_activity
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.tenants.opportunities.tables import Opportunity

WEEKS = 12


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass
class PersonWeek:
    start: dt.date
    active_days: int = 0
    value_events: int = 0
    steps_completed: int = 0
    records_created: int = 0
    completeness: float | None = None


@dataclass(frozen=True)
class BeforeAfter:
    trained_at: dt.datetime
    weeks_before: int
    weeks_after: int
    active_days_before: float | None
    active_days_after: float | None
    value_events_before: float | None
    value_events_after: float | None
    completeness_before: float | None
    completeness_after: float | None


@dataclass(frozen=True)
class PersonTimeline:
    user_id: uuid.UUID
    name: str
    role: str
    training: UserProgress | None
    weeks: list[PersonWeek]
    completeness_now: float | None
    before_after: BeforeAfter | None
    usage_available: bool = True


async def _records_score(
    scope: TenantScope,
    owner_id: uuid.UUID,
    created_from: dt.datetime | None,
    created_until: dt.datetime | None,
) -> tuple[float | None, int]:
    """The mean score of the objects of the records they created in the
    period (today's rules), and how many records that is."""
    rules = await rules_in_force(scope)
    scores: list[float | None] = []
    records = 0
    for obj in completeness_objects():
        weights = rules.weights(obj)
        figures = await object_figures(
            scope,
            obj,
            rules,
            owner_id=owner_id,
            created_from=created_from,
            created_until=created_until,
        )
        summed: ObjectFigures = total(figures, weights)
        records += summed.records
        if weights:
            scores.append(summed.score)
    return mean(scores), records


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


async def person_timeline(
    tenant_id: uuid.UUID, user_id: uuid.UUID | str, *, today: dt.date | None = None
) -> PersonTimeline:
    tz = await tenant_zone(tenant_id)
    today = today or dt.datetime.now(tz).date()
    first_week = week_start(today) - dt.timedelta(weeks=WEEKS - 1)
    async with tenant_scope(tenant_id) as scope:
        everyone = scope.unrestricted()
        user = await everyone.get(User, user_id)
        found = await progress_in(everyone, user_ids=[user.id], include_disabled=True)
        training = found[0] if found and found[0].steps else None
        weeks = [PersonWeek(first_week + dt.timedelta(weeks=n)) for n in range(WEEKS)]
        for week in weeks:
            week.completeness, week.records_created = await _records_score(
                everyone,
                user.id,
                _local_midnight(week.start, tz),
                _local_midnight(week.start + dt.timedelta(days=7), tz),
            )
        now_score, _ = await _records_score(everyone, user.id, None, None)
        trained_at = training.completed_at if training is not None else None
        split: tuple[float | None, float | None] = (None, None)
        if trained_at is not None:
            before, _ = await _records_score(everyone, user.id, None, trained_at)
            after, _ = await _records_score(everyone, user.id, trained_at, None)
            split = (before, after)
    rows = await activity_rows(
        tenant_id, first_week, today, Filters(user_ids=frozenset({user.id})), tz=tz
    )
    by_week = {week.start: week for week in weeks}
    active: dict[dt.date, set[dt.date]] = {}
    for row in rows:
        in_week = by_week.get(week_start(row.day))
        if in_week is None:
            continue
        in_week.value_events += row.value_events
        if row.value_events:
            active.setdefault(in_week.start, set()).add(row.day)
    for start, days in active.items():
        by_week[start].active_days = len(days)
    if training is not None:
        for step in training.steps:
            if step.completed_at is not None:
                local = _aware(step.completed_at).astimezone(tz).date()
                completed_in = by_week.get(week_start(local))
                if completed_in is not None:
                    completed_in.steps_completed += 1
    before_after = None
    if trained_at is not None:
        cut = _aware(trained_at).astimezone(tz).date()
        earlier = [w for w in weeks if w.start + dt.timedelta(days=6) < cut]
        later = [w for w in weeks if w.start > cut]
        before_after = BeforeAfter(
            trained_at=trained_at,
            weeks_before=len(earlier),
            weeks_after=len(later),
            active_days_before=_mean([w.active_days for w in earlier]),
            active_days_after=_mean([w.active_days for w in later]),
            value_events_before=_mean([w.value_events for w in earlier]),
            value_events_after=_mean([w.value_events for w in later]),
            completeness_before=split[0],
            completeness_after=split[1],
        )
    name = f"{user.first_name} {user.last_name}".strip() or user.email
    return PersonTimeline(
        user_id=user.id,
        name=name,
        role=user.role,
        training=training,
        weeks=weeks,
        completeness_now=now_score,
        before_after=before_after,
    )


# --- Adoption quartiles ---------------------------------------------------------------


@dataclass
class Quartile:
    rank: int  # 1 (least active) to 4
    user_ids: list[uuid.UUID] = field(default_factory=list)
    value_events: list[int] = field(default_factory=list)
    won: int = 0
    lost: int = 0
    days_to_close: list[float] = field(default_factory=list)
    completeness: list[float] = field(default_factory=list)
    training: list[float] = field(default_factory=list)

    @property
    def users(self) -> int:
        return len(self.user_ids)

    @property
    def mean_value_events(self) -> float | None:
        return _mean([float(v) for v in self.value_events])

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    @property
    def mean_days_to_close(self) -> float | None:
        return _mean(self.days_to_close)

    @property
    def mean_completeness(self) -> float | None:
        return _mean(self.completeness)

    @property
    def mean_training(self) -> float | None:
        return _mean(self.training)


def quartiles_of(ranked: Sequence[tuple[uuid.UUID, int]]) -> list[Quartile]:
    """Users sorted by value events (least first) cut into four groups of
    near-equal size; the first groups take one fewer when it does not divide."""
    ordered = sorted(ranked, key=lambda item: (item[1], str(item[0])))
    groups = [Quartile(rank) for rank in range(1, 5)]
    size, extra = divmod(len(ordered), 4)
    index = 0
    for quartile in groups:
        count = size + (1 if quartile.rank > 4 - extra else 0)
        for user_id, events in ordered[index : index + count]:
            quartile.user_ids.append(user_id)
            quartile.value_events.append(events)
        index += count
    return groups


async def adoption_quartiles(tenant_id: uuid.UUID, start: dt.date, end: dt.date) -> list[Quartile]:
    tz = await tenant_zone(tenant_id)
    activity = await user_activity(tenant_id, start, end)
    since = _local_midnight(start, tz)
    until = _local_midnight(end + dt.timedelta(days=1), tz)
    async with tenant_scope(tenant_id) as scope:
        everyone = scope.unrestricted()
        users = await everyone.select(User, User.id).where(User.status == "active")
        ranked = [
            (row["id"], activity[row["id"]].value_events if row["id"] in activity else 0)
            for row in users
        ]
        groups = quartiles_of(ranked)
        owner_of = {user_id: q for q in groups for user_id in q.user_ids}
        deals = await (
            everyone.select(
                Opportunity,
                Opportunity.owner_id,
                Opportunity.status,
                Opportunity.created_at,
                Opportunity.closed_at,
            )
            .where(Opportunity.status.is_in(["won", "lost"]))
            .where(Opportunity.closed_at >= since)
            .where(Opportunity.closed_at < until)
        )
        for deal in deals:
            quartile = owner_of.get(deal["owner_id"])
            if quartile is None:
                continue
            if deal["status"] == "won":
                quartile.won += 1
                days = (_aware(deal["closed_at"]) - _aware(deal["created_at"])).total_seconds()
                quartile.days_to_close.append(days / 86400)
            else:
                quartile.lost += 1
        report = await report_in(everyone)
        for owner in report.owners:
            quartile = owner_of.get(owner.owner_id) if owner.owner_id else None
            if quartile is not None and owner.score is not None:
                quartile.completeness.append(owner.score)
        for progress in await progress_in(everyone):
            quartile = owner_of.get(progress.user_id)
            if quartile is not None and progress.ratio is not None:
                quartile.training.append(progress.ratio)
    return groups
