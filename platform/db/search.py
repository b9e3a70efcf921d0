"""Search text: lower-case and without accents, so 'Hélène' finds 'helene'."""

import unicodedata
from typing import Any

from comptoir.platform.db.engine import get_engine, is_postgres


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def like_pattern(query: str) -> str:
    """A LIKE pattern for a search box. '%' is dropped rather than escaped, as
    the two engines escape differently; '_' may match any one character."""
    return f"%{normalise(query.strip()).replace('%', '')}%"


def contains_ignoring_case(column: Any, query: str) -> Any:
    """A WHERE clause: the column contains the query, whatever the case. SQLite's
    LIKE already ignores ASCII case (and has no ILIKE); PostgreSQL needs ILIKE."""
    pattern = f"%{query.strip().replace('%', '')}%"
    return column.ilike(pattern) if is_postgres(get_engine()) else column.like(pattern)
