"""The insights API's payloads."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class PersonWeekOut(msgspec.Struct, kw_only=True):
    week: dt.date  # its Monday
    active_days: int
    value_events: int
    steps_completed: int
    records_created: int
    completeness: float | None


class BeforeAfterOut(msgspec.Struct, kw_only=True):
    trained_at: dt.datetime
    active_days_before: float | None
    active_days_after: float | None
    value_events_before: float | None
    value_events_after: float | None
    completeness_before: float | None
    completeness_after: float | None


class PersonOut(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    name: str
    role: str
    training_percent: int | None
    training_status: str | None
    completeness: float | None
    weeks: list[PersonWeekOut]
    before_after: BeforeAfterOut | None


class QuartileOut(msgspec.Struct, kw_only=True):
    quartile: int  # 1 least active .. 4 most active
    users: int
    mean_value_events: float | None
    win_rate: float | None
    mean_days_to_close: float | None
    completeness: float | None
    training_completion: float | None
    ticket_resolution_hours: None = None  # no after-sales data yet


class QuartilesOut(msgspec.Struct, kw_only=True):
    start: dt.date
    end: dt.date
    quartiles: list[QuartileOut]
