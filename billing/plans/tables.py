"""Plan prices, versioned: a price applies from a billing period on, and a
change never rewrites the invoices of earlier periods."""

from decimal import Decimal

from piccolo.columns import Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable


class PlanPrice(ControlTable, tablename="billing_plan_prices"):
    """The price per seat per month, excluding VAT, of ``plan`` for the
    periods from ``effective_from`` (``YYYY-MM``) until the next version.
    Unique per (plan, effective_from)."""

    plan = Varchar(length=20)
    effective_from = Varchar(length=7)  # YYYY-MM, the first period it applies to
    price_per_seat = Numeric(digits=(12, 2), default=Decimal("0"))
    currency = Varchar(length=3, default="EUR")
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
