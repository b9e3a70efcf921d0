"""Record ids: UUIDv7, sortable by creation time and not guessable."""

import datetime as dt
import uuid

from piccolo.columns.defaults.uuid import UUID7
from uuid_utils.compat import uuid7


def new_id() -> uuid.UUID:
    return uuid7()


class UUIDv7Default(UUID7):
    """Piccolo default for id columns: the application always supplies a UUIDv7.

    PostgreSQL before 18 has no ``uuidv7()``, so the database-side default,
    used only by hand-written inserts, is a random v4."""

    @property
    def postgres(self) -> str:
        return "gen_random_uuid()"

    @property
    def sqlite(self) -> str:
        return "null"

    def python(self) -> uuid.UUID:
        return new_id()


def parse_id(value: str) -> uuid.UUID | None:
    """Parse an id from a URL or payload; None when it is not a UUID."""
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


def id_floor(moment: dt.datetime) -> uuid.UUID:
    """The smallest UUIDv7 of ``moment``: ids at or above it were made at or after it."""
    millis = int(moment.timestamp() * 1000)
    return uuid.UUID(int=(millis << 80) | (0x7 << 76) | (0b10 << 62))
