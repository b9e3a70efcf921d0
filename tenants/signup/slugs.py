"""Workspace slugs: they appear in every URL, so they are short, plain and safe.

A workspace lives at ``/w/{slug}/``, but a slug equal to a top-level word of the
site (``api``, ``schema``, ``healthz``…) would still be confusing in links and
dangerous wherever a rule matches a path by its first word: every top-level
path word of the app is reserved (``tests/signup/test_slugs.py`` reads them
from the app's routes and fails on one missing here)."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")
# The first word of every path the app serves, or will serve (webhooks, docs).
TOP_LEVEL_WORDS = frozenset(
    {
        "api",
        "calendar",
        "console",
        "docs",
        "healthz",
        "lang",
        "login",
        "logout",
        "readyz",
        "schema",
        "signup",
        "static",
        "w",
        "webhooks",
    }
)
RESERVED_SLUGS = TOP_LEVEL_WORDS | frozenset(
    {
        "admin",
        "app",
        "assets",
        "auth",
        "billing",
        "blog",
        "comptoir",
        "dashboard",
        "demo",
        "help",
        "mail",
        "new",
        "ops",
        "root",
        "settings",
        "staff",
        "status",
        "support",
        "system",
        "test",
        "www",
    }
)
# Letters that Unicode decomposition does not reduce to ASCII.
TRANSLITERATIONS = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ẞ": "SS",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
        "\u0131": "i",  # dotless i
    }
)


def slug_problem(slug: str) -> str | None:
    if not SLUG_PATTERN.match(slug):
        return (
            "must be 3 to 40 characters: lowercase letters, digits and hyphens, "
            "not starting or ending with a hyphen"
        )
    if "--" in slug:
        return "must not contain two hyphens in a row"
    if slug in RESERVED_SLUGS:
        return "is reserved; please choose another"
    return None


def transliterate(text: str) -> str:
    """Plain ASCII for a name: accents dropped, œ→oe, æ→ae, ß→ss."""
    decomposed = unicodedata.normalize("NFKD", text.translate(TRANSLITERATIONS))
    return decomposed.translate(TRANSLITERATIONS).encode("ascii", "ignore").decode()


def suggest_slug(company_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", transliterate(company_name).lower()).strip("-")
    return slug[:40].strip("-")
