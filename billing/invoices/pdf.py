"""An invoice or a credit note as a PDF: A4, in French, with the mandatory
mentions (seller identity, SIREN, RCS, share capital, VAT numbers, number and
date, period, lines, VAT breakdown, due date, late-payment penalties and the
40 € recovery indemnity, IBAN and reference for a transfer, "Autoliquidation"
under reverse charge), drawn by WeasyPrint from templates/billing/invoice_pdf.html.

Fonts and stylesheet are parsed once per process, like the quotes' PDF."""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import logging
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from comptoir.billing.invoices.service import InvoiceView, invoice_by_id, invoice_of_tenant
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.periods import Period
from comptoir.billing.settings import get_billing_settings
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import render

if TYPE_CHECKING:
    from weasyprint import CSS  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

PDF_TYPE = "application/pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LOCALE = "fr_FR"
_render_lock = threading.Lock()


@cache
def _fonts() -> FontConfiguration:
    from weasyprint.text.fonts import FontConfiguration

    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    atexit.register(_fonts.cache_clear)
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    from weasyprint import CSS

    path = get_settings().templates_dir / "billing" / "invoice_pdf.css"
    faces = "".join(
        f'@font-face {{ font-family: "Invoice Sans"; font-weight: {weight}; '
        f'src: url("{(FONT_DIR / name).as_uri()}"); }}\n'
        for weight, name in ((400, "DejaVuSans.ttf"), (700, "DejaVuSans-Bold.ttf"))
        if (FONT_DIR / name).exists()
    )
    return CSS(string=faces + path.read_text(encoding="utf-8"), font_config=_fonts())


class Formats:
    """Money, numbers and dates the French way (1 234,50 €)."""

    def money(self, amount: Decimal | float | str) -> str:
        return format_currency(Decimal(str(amount)), "EUR", locale=LOCALE)

    def number(self, value: Decimal | float | str) -> str:
        return format_decimal(Decimal(str(value)).normalize(), locale=LOCALE)

    def rate(self, value: Decimal | str) -> str:
        return f"{format_decimal(Decimal(str(value)).normalize(), locale=LOCALE)} %"

    def date(self, value: dt.date | None) -> str:
        return format_date(value, "long", locale=LOCALE) if value else ""

    def period(self, value: str) -> str:
        return format_date(Period.parse(value).first_day, "MMMM y", locale=LOCALE)


@dataclass(frozen=True)
class VatShare:
    rate: Decimal
    base: Decimal
    vat: Decimal


def vat_shares(view: InvoiceView) -> list[VatShare]:
    bases: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in view.lines:
        share = bases[Decimal(str(line.vat_rate))]
        share[0] += Decimal(str(line.total_net))
        share[1] += Decimal(str(line.total_vat))
    return [VatShare(rate=r, base=b, vat=v) for r, (b, v) in sorted(bases.items())]


def filename_of(invoice: Invoice) -> str:
    prefix = "avoir" if invoice.kind == "credit_note" else "facture"
    return f"{prefix}-{invoice.number}.pdf"


async def pdf_context(view: InvoiceView) -> dict[str, Any]:
    credited = None
    if view.invoice.credited_invoice_id is not None:
        credited = (
            await Invoice.objects().where(Invoice.id == view.invoice.credited_invoice_id).first()
        )
    return {
        "invoice": view.invoice,
        "lines": view.lines,
        "seller": view.seller,
        "buyer": view.buyer,
        "vat_shares": vat_shares(view),
        "credited": credited,
        "mentions": get_billing_settings(),
    }


def render_pdf(context: dict[str, Any]) -> bytes:
    html = render("billing/invoice_pdf.html", fmt=Formats(), **context)
    from weasyprint import HTML

    stylesheet = _stylesheet()
    with _render_lock:
        document = HTML(string=html, base_url=str(get_settings().templates_dir))
        return bytes(document.write_pdf(stylesheets=[stylesheet], font_config=_fonts()))


async def invoice_pdf(tenant_id: uuid.UUID, invoice_id: uuid.UUID | str) -> tuple[str, bytes]:
    """(file name, PDF) of one of the tenant's invoices; drawn off the event loop."""
    view = await invoice_of_tenant(tenant_id, invoice_id)
    context = await pdf_context(view)
    return filename_of(view.invoice), await asyncio.to_thread(render_pdf, context)


async def any_invoice_pdf(invoice_id: uuid.UUID | str) -> tuple[str, bytes]:
    """The same for staff, whatever the tenant."""
    view = await invoice_by_id(invoice_id)
    context = await pdf_context(view)
    return filename_of(view.invoice), await asyncio.to_thread(render_pdf, context)
