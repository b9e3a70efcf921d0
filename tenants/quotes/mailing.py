"""The e-mail that carries a sent quote's PDF to its contact, queued in the
outbox in the sending transaction (delivered by the outbox's job)."""

from __future__ import annotations

import asyncio

from comptoir.platform import i18n
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.outbox.service import Attachment, queue_email
from comptoir.platform.web.templating import environment
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.quotes.pdf import PDF_TYPE, Formats, filename_of, pdf_context, render_pdf
from comptoir.tenants.quotes.service import QuoteView

EMAIL_KIND = "quote_sent"


async def queue_quote_email(scope: TenantScope, view: QuoteView, contact: Contact) -> None:
    context = await pdf_context(scope, view)
    pdf = await asyncio.to_thread(render_pdf, context)
    locale = context["locale"] if context["locale"] in i18n.LOCALES else i18n.DEFAULT_LOCALE
    seller = context["seller"].legal_name or context["company_name"]
    token = i18n.current_locale.set(locale)
    try:
        env = environment()
        values = {
            "quote": view.quote,
            "amounts": view.amounts,
            "seller": seller,
            "first_name": contact.first_name,
            "fmt": Formats(locale),
        }
        subject = env.get_template("quotes/email.subject.txt").render(**values).strip()
        text = env.get_template("quotes/email.txt").render(**values)
        html = env.get_template("quotes/email.html").render(**values)
    finally:
        i18n.current_locale.reset(token)
    await queue_email(
        scope,
        to=contact.email,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=EMAIL_KIND,
        attachments=[Attachment(filename_of(view), PDF_TYPE, pdf)],
    )
