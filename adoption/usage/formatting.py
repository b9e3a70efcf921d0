"""Shares and days as the adoption pages write them, in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from babel.numbers import format_percent

from comptoir.platform import i18n


def pct(value: float | None) -> str:
    """0.4 -> "40 %" (French) or "40%" (English); None -> "—"."""
    if value is None:
        return "—"
    return format_percent(value, locale=i18n.current_locale.get())


def fmt_date(day: dt.date | None, width: str = "medium") -> str:
    if day is None:
        return "—"
    return format_date(day, width, locale=i18n.current_locale.get())


def helpers() -> dict[str, Any]:
    return {"pct": pct, "fmt_date": fmt_date}
