"""The landing and signup pages promise only what this release does, and show the prices."""

from __future__ import annotations

import re

import pytest

from comptoir.tenants.signup.defaults import PLAN_PRICES, PLANS

# Modules this release does not have: the public pages must not advertise them.
NOT_IN_THIS_RELEASE = {
    "fr": [
        r"pipeline",
        r"devis",
        r"campagne",
        r"segment",
        r"ticket",
        r"\bSLA",
        r"\bSSO\b|authentification unique",
        r"\bROI\b|retour sur investissement",
        r"import",
        r"formation",
        r"adoption",
        r"opportunit",
    ],
    "en": [
        r"pipeline",
        r"quote",
        r"campaign",
        r"segment",
        r"ticket",
        r"\bSLA",
        r"single sign-on|\bSSO\b",
        r"\bROI\b|return on investment",
        r"import",
        r"training",
        r"adoption",
        r"opportunit",
    ],
}


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_public_pages_list_what_works_and_the_prices(client, lang: str) -> None:
    client.cookies.set("lang", lang, domain="testserver.local", path="/")
    for path in ("/", "/signup"):
        page = await client.get(path)
        assert page.status_code == 200
        text = _visible_text(page.text)
        for word in NOT_IN_THIS_RELEASE[lang]:
            found = re.search(word, text, flags=re.I)
            assert found is None, f"{path} ({lang}) advertises {found.group(0)!r}"
        for plan in PLANS:
            whole = int(PLAN_PRICES[plan])
            shown = re.search(rf'data-plan-price="{plan}">([^<]+)<', page.text)
            assert shown, f"no price for {plan} on {path}"
            price = shown.group(1).replace("\xa0", " ")
            assert price == (f"{whole} €" if lang == "fr" else f"€{whole}"), price
        assert ("HT par utilisateur et par mois" if lang == "fr" else "excl. VAT") in text
