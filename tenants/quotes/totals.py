"""A quote's amounts, as the law and SPEC §6 want them: each line's net and
VAT rounded half-up to the cent, then summed; the VAT broken down per rate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# The French VAT rates a line may carry, as the API writes them.
VAT_RATES = ("20", "10", "5.5", "2.1")


def to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def rate_text(rate: Decimal | str) -> str:
    """A rate as the API writes it: "20", "5.5" (no trailing zeros)."""
    text = format(Decimal(str(rate)).normalize(), "f")
    return text


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal


def line_amounts(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, vat_rate: Decimal
) -> LineAmounts:
    """One line: net = quantity * unit price * (1 - discount/100), then its VAT."""
    net = to_cent(quantity * unit_price * (1 - discount_percent / HUNDRED))
    return LineAmounts(net=net, vat=to_cent(net * vat_rate / HUNDRED))


@dataclass(frozen=True)
class VatShare:
    """The lines at one rate: their net base and their VAT."""

    rate: str
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class QuoteAmounts:
    net: Decimal
    vat: Decimal
    gross: Decimal
    breakdown: tuple[VatShare, ...]


def quote_amounts(lines: Iterable[tuple[Decimal, LineAmounts]]) -> QuoteAmounts:
    """The sums of the (rate, rounded line amounts) given, and per rate
    (highest rate first)."""
    bases: dict[Decimal, Decimal] = {}
    vats: dict[Decimal, Decimal] = {}
    for rate, amounts in lines:
        key = Decimal(str(rate)).normalize()
        bases[key] = bases.get(key, Decimal("0")) + amounts.net
        vats[key] = vats.get(key, Decimal("0")) + amounts.vat
    net = to_cent(sum(bases.values(), Decimal("0")))
    vat = to_cent(sum(vats.values(), Decimal("0")))
    breakdown = tuple(
        VatShare(rate=rate_text(rate), base=to_cent(bases[rate]), vat=to_cent(vats[rate]))
        for rate in sorted(bases, reverse=True)
    )
    return QuoteAmounts(net=net, vat=vat, gross=net + vat, breakdown=breakdown)
