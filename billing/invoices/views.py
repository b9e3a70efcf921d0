"""Shaping invoices for the API (and the pages' PDF links)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from comptoir.billing.invoices.schemas import InvoiceLineOut, InvoiceOut
from comptoir.billing.invoices.service import InvoiceView
from comptoir.billing.money import CENT


def money(value: Any) -> Decimal:
    """Two decimals ("132.50") whatever the database hands back."""
    return Decimal(str(value)).quantize(CENT)


def plain(value: Any) -> Decimal:
    """A quantity or a rate without trailing zeros ("3", "20", "0.5")."""
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def invoice_out(view: InvoiceView) -> InvoiceOut:
    invoice = view.invoice
    return InvoiceOut(
        id=str(invoice.id),
        number=invoice.number,
        kind=invoice.kind,
        period=invoice.period,
        status=invoice.status,
        issued_at=invoice.issued_at,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        paid_at=invoice.paid_at,
        currency=invoice.currency,
        vat_mode=invoice.vat_mode,
        total_net=money(invoice.total_net),
        total_vat=money(invoice.total_vat),
        total_gross=money(invoice.total_gross),
        credited_gross=money(invoice.credited_gross),
        amount_due=money(view.amount_due),
        payment_terms=invoice.payment_terms,
        payment_reference=invoice.payment_reference,
        credited_invoice_id=str(invoice.credited_invoice_id)
        if invoice.credited_invoice_id
        else None,
        lines=[
            InvoiceLineOut(
                position=line.position,
                kind=line.kind,
                description=line.description,
                quantity=plain(line.quantity),
                unit_price=money(line.unit_price),
                vat_rate=plain(line.vat_rate),
                total_net=money(line.total_net),
                total_vat=money(line.total_vat),
                total_gross=money(line.total_gross),
                period_start=line.period_start,
                period_end=line.period_end,
            )
            for line in view.lines
        ],
        pdf_url=f"/api/v1/billing/invoices/{invoice.id}.pdf",
    )
