"""Workspace slugs: they appear in every URL, so they are short, plain and safe."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "app",
        "assets",
        "auth",
        "billing",
        "blog",
        "comptoir",
        "console",
        "dashboard",
        "demo",
        "docs",
        "help",
        "healthz",
        "login",
        "logout",
        "mail",
        "new",
        "ops",
        "readyz",
        "root",
        "schema",
        "settings",
        "signup",
        "staff",
        "static",
        "status",
        "support",
        "system",
        "test",
        "webhooks",
        "www",
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


def suggest_slug(company_name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", company_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:40].strip("-")
