"""Search text: lower-case and without accents, so 'Hélène' finds 'helene'."""

import unicodedata

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw

from comptoir.platform.db.engine import get_engine, is_postgres

# Ligatures that NFKD leaves whole but a French reader types as two letters.
# Letters with no decomposition to a base letter: "Zabłocki" is found by "zablocki".
LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",  # dotless i
    }
)


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def escape_like(text: str) -> str:
    """``text`` matched literally by ``LIKE … ESCAPE '\\'``: % and _ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(query: str) -> str:
    """A LIKE pattern (with ``ESCAPE '\\'``) for a search box: contains the
    query, accent- and case-insensitively, with % and _ taken literally."""
    return f"%{escape_like(normalise(query.strip()))}%"


def contains_ignoring_case(column: Column, query: str) -> WhereRaw:
    """A WHERE clause: the column contains the query, whatever the case, with %
    and _ taken literally. SQLite's LIKE already ignores ASCII case (and has no
    ILIKE); PostgreSQL needs ILIKE."""
    operator = "ILIKE" if is_postgres(get_engine()) else "LIKE"
    name = f'"{column._meta.table._meta.tablename}"."{column._meta.db_column_name}"'
    return WhereRaw(f"{name} {operator} {{}} ESCAPE '\\'", f"%{escape_like(query.strip())}%")
