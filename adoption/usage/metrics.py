"""The usage figures, as defined by the adoption issue, computed from who was
active on which day (``{day: {user ids}}``). Pure functions: the rollups
give the days, these count.

- Active user on a day: at least one value event that day.
- DAU / WAU / MAU of a day: distinct active users over the trailing 1 / 7 / 30
  days ending that day.
- Stickiness: DAU ÷ MAU of each day (0 when MAU is 0), averaged over the range.
- Lifecycle of a week (Monday to Sunday): *new* (first week ever active),
  *returning* (active this week and the week before), *resurrecting* (active
  this week, not the week before, but some week earlier), *dormant* (active
  the week before, not this week).
- Retention: users grouped by the week of their first activity ever; for
  each later week, the share of the group active that week."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

Active = Mapping[dt.date, Set[uuid.UUID]]
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    dau: int
    wau: int
    mau: int

    @property
    def stickiness(self) -> float:
        return self.dau / self.mau if self.mau else 0.0


def trailing(active: Active, start: dt.date, end: dt.date) -> list[DayFigures]:
    """DAU, WAU and MAU of each day from ``start`` to ``end``. ``active`` must
    hold the 29 days before ``start`` too (missing days count as nobody)."""
    windows = {7: Counter[uuid.UUID](), 30: Counter[uuid.UUID]()}
    figures: list[DayFigures] = []
    day = start - 29 * DAY
    while day <= end:
        for size, counter in windows.items():
            counter.update(active.get(day, ()))
            leaving = active.get(day - size * DAY, ())
            counter.subtract(leaving)
            for user in leaving:
                if counter[user] <= 0:
                    del counter[user]
        if day >= start:
            figures.append(
                DayFigures(day, len(active.get(day, ())), len(windows[7]), len(windows[30]))
            )
        day += DAY
    return figures


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekLifecycle:
    week: dt.date  # its Monday
    new: int
    returning: int
    resurrecting: int
    dormant: int


def weekly_active(active: Active) -> dict[dt.date, set[uuid.UUID]]:
    weeks: dict[dt.date, set[uuid.UUID]] = {}
    for day, users in active.items():
        if users:
            weeks.setdefault(monday(day), set()).update(users)
    return weeks


def lifecycle(
    active: Active, first_days: Mapping[uuid.UUID, dt.date], start: dt.date, end: dt.date
) -> list[WeekLifecycle]:
    """The weeks from ``start``'s to ``end``'s; ``active`` must hold the week
    before ``start``'s too, ``first_days`` each user's first active day ever."""
    weeks = weekly_active(active)
    found: list[WeekLifecycle] = []
    week = monday(start)
    while week <= end:
        now = weeks.get(week, set())
        before = weeks.get(week - 7 * DAY, set())
        new = {user for user in now if user in first_days and monday(first_days[user]) == week}
        returning = now & before
        resurrecting = now - before - new
        found.append(
            WeekLifecycle(week, len(new), len(returning), len(resurrecting), len(before - now))
        )
        week += 7 * DAY
    return found


@dataclass(frozen=True)
class Cohort:
    week: dt.date  # the Monday of its users' first active week
    size: int
    retained: list[float] = field(default_factory=list)  # share active in week 0, 1, 2…


def retention(
    active: Active, first_days: Mapping[uuid.UUID, dt.date], start: dt.date, end: dt.date
) -> list[Cohort]:
    """Cohorts of the users whose first activity falls from ``start`` to ``end``."""
    weeks = weekly_active(active)
    groups: dict[dt.date, set[uuid.UUID]] = {}
    for user, first in first_days.items():
        if start <= first <= end:
            groups.setdefault(monday(first), set()).add(user)
    last_week = monday(end)
    cohorts: list[Cohort] = []
    for week in sorted(groups):
        users = groups[week]
        shares: list[float] = []
        later = week
        while later <= last_week:
            shares.append(len(users & weeks.get(later, set())) / len(users))
            later += 7 * DAY
        cohorts.append(Cohort(week, len(users), shares))
    return cohorts
