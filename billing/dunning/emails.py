"""The e-mails of dunning, queued in the tenant's outbox in the transaction
that decided them (sent over SMTP by the outbox's job after commit), to the
subscription's billing address or else to every active administrator, in the
workspace's language (French by default)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency

from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.settings import get_billing_settings
from comptoir.billing.subscriptions.tables import Subscription
from comptoir.platform import i18n
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.outbox.service import queue_email
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import render_email

PAYMENT_FAILED = "billing_payment_failed"
TRANSFER_OVERDUE = "billing_transfer_overdue"
SUSPENDED = "billing_suspended"
PAYMENT_RECEIVED = "billing_payment_received"


async def recipients(scope: TenantScope, subscription: Subscription | None) -> list[str]:
    """The billing e-mail if one is set, else the workspace's active admins."""
    if subscription is not None and subscription.billing_email:
        return [subscription.billing_email]
    rows = await (
        scope.select(User, User.email)
        .where((User.role == "admin") & (User.status == "active"))
        .order_by(User.id)
    )
    return [str(row["email"]) for row in rows]


def _locale(tenant: Tenant) -> str:
    return tenant.locale if tenant.locale in i18n.LOCALES else i18n.DEFAULT_LOCALE


def billing_page_link(tenant: Tenant) -> str:
    return f"{get_settings().base_url}/w/{tenant.slug}/admin/billing#payment-method"


def _day(value: dt.datetime | dt.date | None, tenant: Tenant) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(ZoneInfo(tenant.timezone or "Europe/Paris")).date()
    return format_date(value, format="long", locale=_locale(tenant))


def _money(amount: Decimal, currency: str, tenant: Tenant) -> str:
    return format_currency(amount, currency or "EUR", locale=_locale(tenant))


async def queue_dunning_email(
    scope: TenantScope,
    kind: str,
    *,
    tenant: Tenant,
    subscription: Subscription | None,
    invoice: Invoice | None = None,
    amount: Decimal | None = None,
    next_retry_at: dt.datetime | None = None,
    suspend_at: dt.datetime | None = None,
    reason: str = "",
) -> int:
    """Queue one e-mail of ``kind`` to each recipient; how many were queued."""
    provider = get_billing_settings().provider
    context: dict[str, Any] = {
        "company": tenant.company_name,
        "number": (invoice.number if invoice is not None else "") or "",
        "amount": _money(amount or Decimal("0"), invoice.currency if invoice else "EUR", tenant),
        "due_date": _day(invoice.due_date if invoice else None, tenant),
        "next_retry": _day(next_retry_at, tenant),
        "suspend_on": _day(suspend_at, tenant),
        "reason": reason,
        "link": billing_page_link(tenant),
        "iban": provider.iban,
        "bic": provider.bic,
        "reference": (invoice.payment_reference or invoice.number or "") if invoice else "",
        "provider": provider.legal_name,
    }
    subject, text, html = render_email(kind, locale=_locale(tenant), **context)
    sent = 0
    for address in await recipients(scope, subscription):
        await queue_email(
            scope, to=address, subject=subject, body_text=text, body_html=html, kind=kind
        )
        sent += 1
    return sent
