"""A quote as a PDF: an A4 French quote (seller and buyer, dates, lines, VAT
per rate, totals, payment terms, "Bon pour accord") drawn by WeasyPrint from
templates/quotes/pdf.html and a print stylesheet.

The fonts (DejaVu Sans, embedded) and the stylesheet are parsed once per
process; a 10-line quote renders in about a tenth of a second after that."""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import logging
import threading
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from comptoir.platform import i18n
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import render
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.company.service import profile_in
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.quotes.service import QuoteView, get_quote
from comptoir.tenants.quotes.totals import rate_text

if TYPE_CHECKING:
    from weasyprint import CSS  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

PDF_TYPE = "application/pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
# WeasyPrint's font configuration is not meant to be shared by threads at once.
_render_lock = threading.Lock()


@cache
def _fonts() -> FontConfiguration:
    """WeasyPrint is imported on the first PDF (it parses its own stylesheets
    on import), and its step-by-step progress kept out of the logs."""
    from weasyprint.text.fonts import FontConfiguration

    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # Let it go while its libraries are still loaded (its __del__ needs them).
    atexit.register(_fonts.cache_clear)
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    """The print stylesheet, with the embedded fonts, parsed once."""
    from weasyprint import CSS

    path = get_settings().templates_dir / "quotes" / "pdf.css"
    faces = "".join(
        f'@font-face {{ font-family: "Quote Sans"; font-weight: {weight}; '
        f'src: url("{(FONT_DIR / name).as_uri()}"); }}\n'
        for weight, name in ((400, "DejaVuSans.ttf"), (700, "DejaVuSans-Bold.ttf"))
        if (FONT_DIR / name).exists()
    )
    return CSS(string=faces + path.read_text(encoding="utf-8"), font_config=_fonts())


@dataclass(frozen=True)
class Formats:
    """Money, numbers and dates the French way (1 234,50 €), or the English."""

    locale: str

    @property
    def babel(self) -> str:
        return BABEL_LOCALES.get(self.locale, "fr_FR")

    def money(self, amount: Decimal | float | str) -> str:
        return format_currency(Decimal(str(amount)), "EUR", locale=self.babel)

    def number(self, value: Decimal | float | str) -> str:
        return format_decimal(Decimal(str(value)).normalize(), locale=self.babel)

    def rate(self, value: Decimal | str) -> str:
        return f"{format_decimal(Decimal(rate_text(value)), locale=self.babel)} %"

    def date(self, value: dt.date | None) -> str:
        return format_date(value, "long", locale=self.babel) if value else ""


def filename_of(view: QuoteView) -> str:
    quote = view.quote
    return f"devis-{quote.number}.pdf" if quote.number else f"devis-brouillon-{quote.id}.pdf"


async def pdf_context(scope: TenantScope, view: QuoteView) -> dict[str, Any]:
    """What the template shows, read in the quote's tenant transaction."""
    everyone = scope.unrestricted()
    quote = view.quote
    account = await everyone.find(Account, quote.account_id) if quote.account_id else None
    contact = await everyone.find(Contact, quote.contact_id) if quote.contact_id else None
    tenant = (
        await Tenant.select(Tenant.company_name, Tenant.locale)
        .where(Tenant.id == scope.tenant_id)
        .first()
    )
    return {
        "quote": quote,
        "lines": view.lines,
        "amounts": view.amounts,
        "seller": await profile_in(scope),
        "company_name": (tenant or {}).get("company_name", ""),
        "account": account,
        "contact": contact,
        "locale": (tenant or {}).get("locale") or i18n.DEFAULT_LOCALE,
    }


def render_pdf(context: dict[str, Any]) -> bytes:
    """The PDF of a quote's context (see ``pdf_context``), in the workspace's language."""
    locale = context["locale"] if context["locale"] in i18n.LOCALES else i18n.DEFAULT_LOCALE
    token = i18n.current_locale.set(locale)
    try:
        html = render("quotes/pdf.html", fmt=Formats(locale), **context)
    finally:
        i18n.current_locale.reset(token)
    from weasyprint import HTML

    stylesheet = _stylesheet()
    with _render_lock:
        document = HTML(string=html, base_url=str(get_settings().templates_dir))
        return bytes(document.write_pdf(stylesheets=[stylesheet], font_config=_fonts()))


async def quote_pdf(tenant_id: uuid.UUID, quote_id: uuid.UUID | str) -> tuple[str, bytes]:
    """(file name, PDF) of a quote the viewer may see; drawn off the event loop."""
    async with tenant_scope(tenant_id) as scope:
        view = await get_quote(tenant_id, quote_id)
        context = await pdf_context(scope, view)
    return filename_of(view), await asyncio.to_thread(render_pdf, context)
