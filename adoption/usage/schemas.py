"""The adoption summary as JSON (``GET /api/v1/adoption/summary``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta


class SegmentOut(msgspec.Struct, kw_only=True):
    active_users: Annotated[int, Meta(title="Active users")]
    events: Annotated[int, Meta(title="Value events")]


class InactiveSeatOut(msgspec.Struct, kw_only=True):
    user_id: str
    name: str
    role: str
    last_active_day: dt.date | None


class UsageSummaryOut(msgspec.Struct, kw_only=True):
    from_: Annotated[dt.date, Meta(title="From")] = msgspec.field(name="from")
    to: Annotated[dt.date, Meta(title="To")]
    dau: Annotated[float, Meta(title="Daily active users (mean over the range)")]
    wau: Annotated[int, Meta(title="Weekly active users (the 7 days ending on to)")]
    mau: Annotated[int, Meta(title="Monthly active users (the 30 days ending on to)")]
    stickiness: Annotated[float, Meta(title="Stickiness (DAU/MAU per day, averaged)")]
    active_users: Annotated[int, Meta(title="Users active in the range")]
    seats: Annotated[int, Meta(title="Seats")]
    seat_activation: Annotated[float | None, Meta(title="Seat activation (MAU/seats)")]
    inactive_seats: Annotated[int, Meta(title="Seats inactive for 14 days")]
    inactive_users: list[InactiveSeatOut]
    by_role: dict[str, SegmentOut]
    by_module: dict[str, SegmentOut]
