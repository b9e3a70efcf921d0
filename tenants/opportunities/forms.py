"""The opportunity form: what it shows and how a posted one is read.

Amounts are typed the French way as often as not ("12 500,50"): spaces go,
a decimal comma is a point."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from comptoir.platform import i18n
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id

FIELDS = (
    "name",
    "account_id",
    "contact_id",
    "amount",
    "probability",
    "expected_close_date",
    "stage_id",
    "lost_reason_id",
    "owner_id",
    "notes",
)
ID_FIELDS = ("account_id", "contact_id", "stage_id", "lost_reason_id", "owner_id")
SPACES = (" ", "\u00a0", "\u202f", "€")


@cache
def _money_shape(locale: str, whole: bool) -> tuple[str, str, str]:
    """(group separator, decimal separator, template) of a euro amount in
    ``locale``, read once from Babel's own rendering of 1234.50: the board
    writes hundreds of amounts per page, and Babel takes 0.1 ms for each."""
    if whole:
        pattern = "¤#,##0" if locale.startswith("en") else "#,##0 ¤"
        sample = format_currency(
            Decimal(1234), "EUR", locale=locale, format=pattern, currency_digits=False
        )
        digits = re.search(r"1(\D?)234", sample)
        assert digits is not None
        return digits.group(1), "", sample.replace(digits.group(0), "{}", 1)
    sample = format_currency(Decimal("1234.50"), "EUR", locale=locale)
    digits = re.search(r"1(\D?)234(\D)50", sample)
    assert digits is not None
    return digits.group(1), digits.group(2), sample.replace(digits.group(0), "{}", 1)


def euros(value: Any, whole: bool = False) -> str:
    """An amount in the reader's language: "12 500,50 €" or "€12,500.50";
    ``whole`` rounds to the euro (column totals). The same text as Babel's."""
    amount = Decimal(str(value or 0))
    group, point, template = _money_shape(i18n.current_locale.get(), whole)
    if whole:
        rounded = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        number = f"{rounded:,.0f}".replace(",", group)
    else:
        cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        number = f"{cents:,.2f}".replace(",", "\0").replace(".", point).replace("\0", group)
    return template.format(number)


def parse_amount(raw: str) -> Decimal:
    text = raw
    for space in SPACES:
        text = text.replace(space, "")
    text = text.replace(",", ".")
    if not text:
        return Decimal("0")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not amount.is_finite():
        raise ValueError(raw)
    return amount


def parse_opportunity_form(data: Mapping[str, str], *, only_sent: bool = False) -> dict[str, Any]:
    """The posted fields as the service takes them; every problem at once."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FIELDS:
        if only_sent and name not in data:
            continue
        raw = str(data.get(name, ""))
        value = raw.strip()
        if name in ID_FIELDS:
            parsed = parse_id(value) if value else None
            if value and parsed is None:
                errors[name] = "is not a valid choice"
            values[name] = parsed
        elif name == "name":
            values[name] = value
            if not value:
                errors[name] = "is required"
            elif len(value) > 200:
                errors[name] = "must be at most 200 characters"
        elif name == "amount":
            try:
                values[name] = parse_amount(value)
            except ValueError:
                errors[name] = "must be an amount in euros, e.g. 1234.50"
        elif name == "probability":
            if not value:
                values[name] = None
            elif not value.isdigit() or not 0 <= int(value) <= 100:
                errors[name] = "must be a whole number from 0 to 100"
            else:
                values[name] = int(value)
        elif name == "expected_close_date":
            try:
                values[name] = dt.date.fromisoformat(value) if value else None
            except ValueError:
                errors[name] = "must be a date (YYYY-MM-DD)"
        else:  # notes
            if len(raw) > 10_000:
                errors[name] = "must be at most 10000 characters"
            values[name] = raw
    if errors:
        raise ValidationFailed(errors)
    return values


def form_values(opportunity: Any | None, data: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the form shows: what was typed, else the record's values, else blanks."""
    if data is not None:
        return {name: str(data.get(name, "")) for name in FIELDS}
    if opportunity is None:
        return dict.fromkeys(FIELDS, "")
    shown = {name: getattr(opportunity, name) for name in FIELDS}
    return {name: "" if value is None else str(value) for name, value in shown.items()}


def day_label(value: dt.date | None, fmt: str = "medium") -> str:
    """A calendar date (no time, no zone) in the reader's language."""
    if value is None:
        return "—"
    return _day_label(value, fmt, i18n.current_locale.get())


@lru_cache(maxsize=4096)
def _day_label(value: dt.date, fmt: str, locale: str) -> str:
    # A board shows hundreds of cards closing on far fewer distinct days.
    return format_date(value, fmt, locale=locale)


def month_label(key: str) -> str:
    """ "2026-12" as "déc. 2026" / "Dec 2026"."""
    year, month = (int(part) for part in key.split("-"))
    return format_date(dt.date(year, month, 1), "MMM yyyy", locale=i18n.current_locale.get())


# What every pipeline template may call.
HELPERS: dict[str, Any] = {"euros": euros, "day_label": day_label, "month_label": month_label}
