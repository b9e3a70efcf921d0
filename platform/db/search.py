"""Search text: lower-case and without accents, so 'Hélène' finds 'helene'."""

import unicodedata


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def like_pattern(query: str) -> str:
    """A LIKE pattern for a search box. '%' is dropped rather than escaped, as
    the two engines escape differently; '_' may match any one character."""
    return f"%{normalise(query.strip()).replace('%', '')}%"
