"""Invoices and credit notes as the API shows them. Money is a decimal string in euros."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec


class InvoiceLineOut(msgspec.Struct):
    position: int
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    period_start: dt.date | None = None
    period_end: dt.date | None = None


class InvoiceOut(msgspec.Struct):
    id: str
    number: str | None
    kind: str  # invoice or credit_note
    period: str
    status: str  # open, paid, void
    issued_at: dt.datetime | None
    issue_date: dt.date | None
    due_date: dt.date | None
    paid_at: dt.datetime | None
    currency: str
    vat_mode: str  # standard or reverse_charge
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    credited_gross: Decimal
    amount_due: Decimal
    payment_terms: str
    payment_reference: str
    credited_invoice_id: str | None
    lines: list[InvoiceLineOut]
    pdf_url: str
