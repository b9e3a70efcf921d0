"""Interface languages. Messages are written in English in the code and
templates; ``fr.po`` translates them, and French is the default."""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
_CATALOG_DIR = Path(__file__).parent

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def catalog(locale: str) -> dict[str, str]:
    path = _CATALOG_DIR / f"{locale}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    return {
        str(message.id): str(message.string)
        for message in po
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str)
    }


def gettext(message: str) -> str:
    return catalog(current_locale.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def pick_locale(requested: str | None, accept_language: str | None = None) -> str:
    """The explicit choice if it is a known locale, else the browser's first
    known language, else French."""
    if requested in LOCALES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LOCALES:
            return code
    return DEFAULT_LOCALE
