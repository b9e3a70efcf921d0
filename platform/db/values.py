"""Values read back from raw SQL rows, the same on both engines: SQLite
gives dates and UUIDs back as text where PostgreSQL gives typed values."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else as_uuid(value)
