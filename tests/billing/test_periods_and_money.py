"""Calendar months, proration days and rounding: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from comptoir.billing.invoices.service import vat_mode_for
from comptoir.billing.money import cents, line_amounts, totals
from comptoir.billing.periods import InvalidPeriod, Period


def test_months_of_a_leap_year_and_their_ends() -> None:
    assert Period.parse("2028-02").days == 29
    assert Period.parse("2027-02").days == 28
    assert Period.parse("2100-02").days == 28  # a century, not a leap year
    assert Period.parse("2000-02").days == 29  # every 400 years it is
    assert Period.parse("2026-12").next() == Period(2027, 1)
    assert Period.parse("2027-01").previous() == Period(2026, 12)
    assert Period.parse("2028-03").previous().last_day == dt.date(2028, 2, 29)
    assert Period.parse("2026-04").end == dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    assert str(Period.of(dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC))) == "2026-12"


@pytest.mark.parametrize(
    ("period", "day", "days"),
    [
        ("2028-02", dt.date(2028, 2, 29), 1),  # the leap day: one day of 29
        ("2028-02", dt.date(2028, 2, 1), 29),
        ("2027-02", dt.date(2027, 2, 28), 1),
        ("2026-01", dt.date(2026, 1, 31), 1),  # the last day of a long month
        ("2026-04", dt.date(2026, 4, 30), 1),
        ("2026-04", dt.date(2026, 4, 16), 15),
        ("2026-04", dt.date(2026, 5, 1), 0),  # after the period
        ("2026-04", dt.date(2026, 3, 31), 30),  # before it: all of it
    ],
)
def test_days_billed_from_a_day_to_the_end_of_its_month(
    period: str, day: dt.date, days: int
) -> None:
    assert Period.parse(period).days_from(day) == days


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "26-01", "2026-1", "", "abcd-ef", "1999-12"]
)
def test_a_bad_period_is_refused(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        Period.parse(text)


def test_each_line_is_rounded_half_up_then_summed() -> None:
    assert cents(Decimal("0.005")) == Decimal("0.01")
    assert cents(Decimal("2.675")) == Decimal("2.68")  # half-up, not banker's
    # 1 seat at 19 € for 1 day of 29: 0.655… → 0.66, VAT 0.132 → 0.13
    leap = line_amounts(1, Decimal("19.00"), Decimal("20"), days=1, days_in_period=29)
    assert (leap.net, leap.vat, leap.gross) == (Decimal("0.66"), Decimal("0.13"), Decimal("0.79"))
    # 3 seats at 35 € for 28 days of 31: 94.838… → 94.84, VAT 18.968 → 18.97
    line = line_amounts(3, Decimal("35.00"), Decimal("20"), days=28, days_in_period=31)
    assert (line.net, line.vat) == (Decimal("94.84"), Decimal("18.97"))
    whole = totals([leap, line])
    assert (whole.net, whole.vat, whole.gross) == (
        Decimal("95.50"),
        Decimal("19.10"),
        Decimal("114.60"),
    )


def test_reverse_charge_needs_an_eu_business_outside_france_with_a_valid_number() -> None:
    assert vat_mode_for("BE", "BE0403170701") == "reverse_charge"
    assert vat_mode_for("DE", "DE136695976") == "reverse_charge"
    assert vat_mode_for("FR", "FR65912345675") == "standard"  # a French customer pays VAT
    assert vat_mode_for("BE", "") == "standard"  # no number: not shown to be a business
    assert vat_mode_for("BE", "BE0403170700") == "standard"  # a wrong check digit
    assert vat_mode_for("CH", "CHE116281710") == "standard"  # outside the EU
