"""The quote editor's form: its own fields and its lines (``lines-<n>-<field>``,
rows added and removed in the browser), read into the service's values with
every problem at once, and turned back into what the form shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id
from comptoir.tenants.quotes.schemas import MAX_LINES, QuoteLineIn
from comptoir.tenants.quotes.tables import Quote, QuoteLine
from comptoir.tenants.quotes.totals import rate_text

LINE_KEY = re.compile(
    r"^lines-(\d{1,4})-(description|quantity|unit_price|discount_percent|vat_rate)$"
)
LINE_FIELDS = ("description", "quantity", "unit_price", "discount_percent", "vat_rate")
LINKS = ("account_id", "contact_id", "opportunity_id", "owner_id")
TEXTS = {"title": 200, "payment_terms": 2000, "notes": 10_000}
BLANK_LINE = {
    "description": "",
    "quantity": "1",
    "unit_price": "",
    "discount_percent": "0",
    "vat_rate": "20",
}


def form_lines(data: Mapping[str, str]) -> list[dict[str, str]]:
    """The posted rows in their order, blank ones dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in data.items():
        found = LINE_KEY.match(key)
        if found:
            rows.setdefault(int(found.group(1)), {})[found.group(2)] = str(value)
    lines = [
        {name: row.get(name, "") for name in LINE_FIELDS}
        for _index, row in sorted(rows.items())
        if row.get("description", "").strip() or row.get("unit_price", "").strip()
    ]
    return lines


def _number(raw: str) -> Decimal | None:
    """A number as typed in France or elsewhere: "1 234,50" or "1234.50"."""
    text = re.sub(r"[\s\u00a0\u202f€%]", "", raw).replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_lines(rows: Sequence[Mapping[str, str]]) -> tuple[list[QuoteLineIn], dict[str, str]]:
    """The rows as the service's lines, and {"lines[i].field": message} for unreadable numbers."""
    lines: list[QuoteLineIn] = []
    errors: dict[str, str] = {}
    if len(rows) > MAX_LINES:
        errors["lines"] = f"at most {MAX_LINES} lines"
    for index, row in enumerate(rows[:MAX_LINES]):
        numbers: dict[str, Decimal] = {}
        for name, default in (("quantity", "1"), ("unit_price", "0"), ("discount_percent", "0")):
            raw = row.get(name, "").strip() or default
            value = _number(raw)
            if value is None:
                errors[f"lines[{index}].{name}"] = "must be a number"
                value = Decimal(default)
            numbers[name] = value
        rate = _number(row.get("vat_rate", "").strip() or "20")
        lines.append(
            QuoteLineIn(
                description=row.get("description", "")[:2000],
                quantity=numbers["quantity"],
                unit_price=numbers["unit_price"],
                discount_percent=numbers["discount_percent"],
                vat_rate=rate_text(rate) if rate is not None else str(row.get("vat_rate", ""))[:5],
            )
        )
    return lines, errors


def parse_quote_form(data: Mapping[str, str]) -> dict[str, Any]:
    """The values of a posted quote form (its header and its lines); every
    problem of the form itself at once, as ValidationFailed (the service
    checks the rest)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, limit in TEXTS.items():
        value = str(data.get(name, ""))
        value = value.strip() if name == "title" else value
        if len(value) > limit:
            errors[name] = f"must be at most {limit} characters"
        values[name] = value
    if not values["title"]:
        errors["title"] = "a quote needs a title"
    for name in LINKS:
        raw = str(data.get(name, "")).strip()
        parsed = parse_id(raw) if raw else None
        if raw and parsed is None:
            errors[name] = "is not a valid choice"
        values[name] = parsed
    raw_date = str(data.get("valid_until", "")).strip()
    try:
        values["valid_until"] = dt.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        errors["valid_until"] = "must be a date (YYYY-MM-DD)"
    lines, line_errors = parse_lines(form_lines(data))
    values["lines"] = lines
    errors.update(line_errors)
    if errors:
        raise ValidationFailed(errors)
    return values


def quote_values(quote: Quote | None, lines: Sequence[QuoteLine] = ()) -> dict[str, Any]:
    """What the editor shows for a saved quote (or a blank one)."""
    if quote is None:
        header = {name: "" for name in (*TEXTS, *LINKS, "valid_until")}
        return {**header, "lines": [dict(BLANK_LINE)]}
    header = {
        name: "" if getattr(quote, name) is None else str(getattr(quote, name))
        for name in (*TEXTS, *LINKS, "valid_until")
    }
    shown = [
        {
            "description": line.description,
            "quantity": _plain(line.quantity),
            "unit_price": f"{Decimal(str(line.unit_price)):.2f}",
            "discount_percent": _plain(line.discount_percent),
            "vat_rate": rate_text(line.vat_rate),
        }
        for line in lines
    ]
    return {**header, "lines": shown or [dict(BLANK_LINE)]}


def posted_values(data: Mapping[str, str]) -> dict[str, Any]:
    """What was typed, to show again with the errors (nothing is lost)."""
    header = {name: str(data.get(name, "")) for name in (*TEXTS, *LINKS, "valid_until")}
    return {**header, "lines": form_lines(data) or [dict(BLANK_LINE)]}


def _plain(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")
