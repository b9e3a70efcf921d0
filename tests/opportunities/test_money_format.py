"""The board's fast amount formatting writes exactly what Babel writes."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_currency

from comptoir.platform import i18n
from comptoir.tenants.opportunities.forms import euros

AMOUNTS = [Decimal("0"), Decimal("5"), Decimal("0.5"), Decimal("999.99"), Decimal("1234567.89")]
AMOUNTS += [Decimal(random.Random(7).randrange(0, 10**10)) / 100 for _ in range(500)]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_euros_match_babel(locale: str) -> None:
    token = i18n.current_locale.set(locale)
    try:
        whole = "¤#,##0" if locale == "en" else "#,##0 ¤"
        for amount in AMOUNTS:
            assert euros(amount) == format_currency(amount, "EUR", locale=locale)
            rounded = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert euros(amount, whole=True) == format_currency(
                rounded, "EUR", locale=locale, format=whole, currency_digits=False
            )
    finally:
        i18n.current_locale.reset(token)
