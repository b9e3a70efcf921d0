"""Keyset pagination over UUIDv7 ids: newest first, stable under inserts."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from comptoir.platform.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(record_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(record_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (ValueError, TypeError) as error:
        raise ValidationFailed({"cursor": "is not a cursor this API returned"}) from error


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed({"limit": f"must be between 1 and {MAX_LIMIT}"})
    return limit


async def keyset_page(
    query: Any, table: Any, *, cursor: str | None, limit: int | None
) -> Page[Any]:
    """Run an Objects query of a table with UUIDv7 ids, newest first, one page."""
    size = clamp_limit(limit)
    after = decode_cursor(cursor)
    query = query.order_by(table.id, ascending=False).limit(size + 1)
    if after is not None:
        query = query.where(table.id < after)
    rows = await query
    next_cursor = encode_cursor(rows[size - 1].id) if len(rows) > size else None
    return Page(items=rows[:size], next_cursor=next_cursor)
