"""Workspace slugs: transliterated from the company's name, and never a word
the site itself uses at the top of its paths."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from comptoir.tenants.signup.slugs import RESERVED_SLUGS, slug_problem, suggest_slug


@pytest.mark.parametrize(
    ("company", "slug"),
    [
        ("Boulangerie Émile & Cœur", "boulangerie-emile-coeur"),
        ("ŒUVRES d'Art", "oeuvres-d-art"),
        ("Æsthétique Ørsted", "aesthetique-orsted"),
        ("Weißbäckerei Groß", "weissbackerei-gross"),
        ("Łódź Café", "lodz-cafe"),
        ("  --Ça va--  ", "ca-va"),
    ],
)
def test_slugs_are_transliterated(company: str, slug: str) -> None:
    assert suggest_slug(company) == slug
    assert slug_problem(slug) is None


def top_level_words(app: Litestar) -> set[str]:
    """The first word of every path the app serves (``/w/{slug}`` gives ``w``)."""
    words = set()
    for route in app.routes:
        first = route.path.strip("/").split("/", 1)[0]
        if first and not first.startswith("{"):
            words.add(first)
    return words


def test_every_top_level_path_word_is_reserved() -> None:
    from comptoir.platform.app import create_app

    words = top_level_words(create_app())
    assert {"api", "w", "console", "schema", "static", "healthz", "readyz"} <= words
    assert words <= RESERVED_SLUGS, sorted(words - RESERVED_SLUGS)
    for word in words:
        if len(word) >= 3:  # shorter words are refused by the pattern already
            assert slug_problem(word) == "is reserved; please choose another", word


@pytest.mark.parametrize("slug", ["api", "schema", "healthz", "readyz", "console", "webhooks"])
async def test_signup_refuses_a_reserved_slug(client: httpx.AsyncClient, slug: str) -> None:
    response = await client.post(
        "/api/v1/signup",
        json={
            "company_name": "Réservé",
            "slug": slug,
            "admin_email": f"admin@{slug}-exemple.fr",
            "admin_password": "Tr0p-de-caf3-ce-matin",
            "plan": "pro",
        },
    )
    assert response.status_code == 422, response.text
