"""Quotes, their lines, and the per-tenant yearly sequence of their numbers."""

from decimal import Decimal

from piccolo.columns import UUID, Date, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import OwnedTable, TenantTable


class Quote(OwnedTable, tablename="quotes"):
    # Assigned when the quote is sent (D-2026-00042), unique per tenant; drafts have none.
    number = Varchar(length=20, default="")
    title = Varchar(length=200, default="")
    status = Varchar(length=10, default="draft")  # draft, sent, accepted, rejected, expired
    account_id = UUID(null=True, default=None)
    contact_id = UUID(null=True, default=None)
    opportunity_id = UUID(null=True, default=None)
    revision_of = UUID(null=True, default=None)
    issued_on = Date(null=True, default=None)
    valid_until = Date(null=True, default=None)
    payment_terms = Text(default="")
    notes = Text(default="")
    total_net = Numeric(digits=(14, 2), default=Decimal("0"))
    total_vat = Numeric(digits=(14, 2), default=Decimal("0"))
    total_gross = Numeric(digits=(14, 2), default=Decimal("0"))
    sent_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
    # Lower-cased, accent-free copy of the searchable fields, kept by the service.
    search_text = Text(default="")


class QuoteLine(TenantTable, tablename="quote_lines"):
    quote_id = UUID(default=None)
    position = Integer(default=0)
    description = Text(default="")
    quantity = Numeric(digits=(12, 3), default=Decimal("1"))
    unit_price = Numeric(digits=(14, 2), default=Decimal("0"))
    discount_percent = Numeric(digits=(5, 2), default=Decimal("0"))
    vat_rate = Numeric(digits=(4, 1), default=Decimal("20"))
    total_net = Numeric(digits=(14, 2), default=Decimal("0"))
    total_vat = Numeric(digits=(14, 2), default=Decimal("0"))


class QuoteSequence(TenantTable, tablename="quote_sequences"):
    """The last number given in a year; unique per (tenant, year). Taken with
    the quote's sending, in its transaction: a rollback gives it back."""

    year = Integer()
    last_number = Integer(default=0)
