"""Invoices and credit notes, their lines, the one global number sequence and
the record of billing runs.

The provider issues every invoice, so numbers form one gapless chronological
sequence across all tenants, taken when a document is finalised, in the
finalising transaction. A final document is never edited: corrections are
credit notes."""

from decimal import Decimal

from piccolo.columns import JSON, UUID, Date, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable


class Invoice(ControlTable, tablename="billing_invoices"):
    for_tenant_id = UUID(index=True)
    subscription_id = UUID(null=True, default=None, index=True)
    kind = Varchar(length=12, default="invoice")  # invoice, credit_note
    # Gapless across all tenants, null until finalised; unique.
    sequence_number = Integer(null=True, default=None, unique=True)
    number = Varchar(length=20, null=True, default=None, unique=True)
    status = Varchar(length=10, default="draft")  # draft, open, paid, void
    period = Varchar(length=7, default="")  # YYYY-MM
    # What made it (period, upgrade, credit_note, manual) and a key unique
    # per purpose: a re-run finds the invoice it made instead of a second one.
    purpose = Varchar(length=20, default="period")
    idempotency_key = Varchar(length=200)
    issued_at = Timestamptz(null=True, default=None)
    issue_date = Date(null=True, default=None)
    due_date = Date(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)
    voided_at = Timestamptz(null=True, default=None)
    currency = Varchar(length=3, default="EUR")
    total_net = Numeric(digits=(14, 2), default=Decimal("0"))
    total_vat = Numeric(digits=(14, 2), default=Decimal("0"))
    total_gross = Numeric(digits=(14, 2), default=Decimal("0"))
    # Sum of the credit notes issued against this invoice (gross).
    credited_gross = Numeric(digits=(14, 2), default=Decimal("0"))
    vat_mode = Varchar(length=20, default="standard")  # standard, reverse_charge
    # Who sold and who bought, as printed (a later change of either does not
    # alter an issued document).
    seller = JSON(default="{}")
    buyer = JSON(default="{}")
    plan = Varchar(length=20, default="")
    credited_invoice_id = UUID(null=True, default=None, index=True)
    reason = Text(default="")  # a credit note's reason
    payment_terms = Varchar(length=20, default="bank_transfer")
    payment_reference = Varchar(length=60, default="")
    # Dunning: how many collection attempts were made, and when the next is due.
    attempt_count = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class InvoiceLine(ControlTable, tablename="billing_invoice_lines"):
    for_tenant_id = UUID(index=True)
    invoice_id = UUID(index=True)
    position = Integer(default=0)
    kind = Varchar(length=20, default="subscription")  # subscription, proration, upgrade, credit
    description = Text(default="")
    plan = Varchar(length=20, default="")
    period_start = Date(null=True, default=None)
    period_end = Date(null=True, default=None)  # inclusive, as printed
    quantity = Numeric(digits=(12, 3), default=Decimal("1"))
    unit_price = Numeric(digits=(14, 2), default=Decimal("0"))
    # Prorated lines bill days/days_in_period of a month; both 0 otherwise.
    days = Integer(default=0)
    days_in_period = Integer(default=0)
    vat_rate = Numeric(digits=(4, 1), default=Decimal("20"))
    total_net = Numeric(digits=(14, 2), default=Decimal("0"))
    total_vat = Numeric(digits=(14, 2), default=Decimal("0"))
    total_gross = Numeric(digits=(14, 2), default=Decimal("0"))


class InvoiceSequence(ControlTable, tablename="billing_invoice_sequences"):
    """The one global sequence of invoice numbers (row ``name='invoices'``):
    its row is locked by the finalising transaction's UPDATE, so numbers
    are handed out one transaction at a time and a rollback gives one back."""

    name = Varchar(length=20, unique=True)
    last_number = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class BillingRun(ControlTable, tablename="billing_runs"):
    """One execution of the billing run of a period (CLI or daily job)."""

    period = Varchar(length=7, index=True)
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    status = Varchar(length=10, default="running")  # running, done, failed
    subscriptions_seen = Integer(default=0)
    invoices_created = Integer(default=0)
    error = Text(default="")
