"""Money on invoices: decimals, each line's net and VAT rounded half-up to the
cent, then summed (the rule SPEC §6 states)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded half-up to the cent."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def line_amounts(
    quantity: Decimal | int,
    unit_price: Decimal,
    vat_rate: Decimal,
    *,
    days: int = 0,
    days_in_period: int = 0,
) -> LineAmounts:
    """A line's net (quantity x unit price, x days / days in the period when
    prorated) and VAT (net x rate %), each rounded half-up to the cent."""
    net = Decimal(quantity) * Decimal(unit_price)
    if days_in_period:
        net = net * days / days_in_period
    rounded_net = cents(net)
    return LineAmounts(net=rounded_net, vat=cents(rounded_net * Decimal(vat_rate) / 100))


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal


def totals(lines: Iterable[LineAmounts]) -> Totals:
    net = vat = ZERO
    for line in lines:
        net += line.net
        vat += line.vat
    return Totals(net=net, vat=vat, gross=net + vat)
