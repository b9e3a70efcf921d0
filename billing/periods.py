"""Billing periods: calendar months anchored on the 1st, in UTC.

A period is named ``YYYY-MM``; it runs from its first day at midnight UTC up
to (not including) the first day of the next month. Proration counts days:
a seat added on the 29th of February of a leap year is billed 1/29 of the
month, one added on the 31st of January 1/31."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_PATTERN.match(text.strip())
        if match is None:
            raise InvalidPeriod(f"{text!r} is not a month written YYYY-MM")
        year = int(match.group(1))
        if year < 2000 or year > 2999:
            raise InvalidPeriod(f"{text!r} is out of range")
        return cls(year, int(match.group(2)))

    @classmethod
    def of(cls, moment: dt.datetime | dt.date) -> Period:
        if isinstance(moment, dt.datetime):
            moment = moment.astimezone(dt.UTC).date()
        return cls(moment.year, moment.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The start of the next period (exclusive end)."""
        return self.next().start

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    def days_from(self, moment: dt.datetime | dt.date) -> int:
        """Days of this period from ``moment``'s day to its last day, both
        included (a seat added on the last day is billed one day); 0 when
        ``moment`` is after the period, all of it when before."""
        day = moment.astimezone(dt.UTC).date() if isinstance(moment, dt.datetime) else moment
        if day > self.last_day:
            return 0
        if day < self.first_day:
            return self.days
        return (self.last_day - day).days + 1


def current_period(now: dt.datetime | None = None) -> Period:
    return Period.of(now or dt.datetime.now(dt.UTC))
