"""Administration: the workspace's subscription (plan, seats, trial, next
invoice, invoices with their PDFs, plan change, cancellation, billing identity)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.billing.invoices import pdf
from comptoir.billing.invoices.controllers import PDF_SUFFIX, pdf_response
from comptoir.billing.invoices.service import invoices_page
from comptoir.billing.money import cents
from comptoir.billing.periods import Period, current_period
from comptoir.billing.plans.catalog import (
    MODULE_LABELS,
    PLAN_LABELS,
    PLAN_MODULES,
    PLANS,
    is_upgrade,
    price_list,
)
from comptoir.billing.subscriptions import service
from comptoir.billing.subscriptions.tables import Subscription
from comptoir.platform import i18n
from comptoir.platform.errors import ComptoirError, NotFound, ValidationFailed
from comptoir.platform.features import OPEN_WHEN_SUSPENDED, requires
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other

BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
STATUS_BADGES = {
    "trialing": "badge-accent",
    "active": "badge-success",
    "past_due": "badge-warning",
    "suspended": "badge-danger",
    "canceled": "badge-muted",
}
INVOICE_BADGES = {"open": "badge-warning", "paid": "badge-success", "void": "badge-muted"}
DETAIL_FIELDS = (
    "billing_name",
    "billing_email",
    "billing_address",
    "billing_postal_code",
    "billing_city",
    "billing_country",
    "vat_number",
)


def money(amount: Decimal | str | int) -> str:
    locale = BABEL_LOCALES.get(i18n.current_locale.get(), "fr_FR")
    return format_currency(Decimal(str(amount)), "EUR", locale=locale)


@dataclass(frozen=True)
class PlanChoice:
    key: str
    label: str
    modules: list[str]
    price: Decimal
    monthly: Decimal  # at the current seats
    difference: Decimal  # per month, against the current plan
    prorated_now: Decimal  # what an upgrade invoices today
    current: bool
    pending: bool
    upgrade: bool


async def plan_choices(
    subscription: Subscription, seats: int, now: dt.datetime
) -> list[PlanChoice]:
    period = current_period(now)
    prices = await price_list(period)
    current = str(subscription.plan)
    billed_now = subscription.billed_through == str(period) and subscription.status in (
        "active",
        "past_due",
    )
    choices = []
    for plan in PLANS:
        difference = (prices[plan] - prices[current]) * seats
        prorated = Decimal(0)
        if billed_now and is_upgrade(current, plan):
            prorated = cents(
                (prices[plan] - prices[current])
                * int(subscription.seats_billed)
                * period.days_from(now)
                / period.days
            )
        choices.append(
            PlanChoice(
                key=plan,
                label=PLAN_LABELS[plan],
                modules=[MODULE_LABELS[m] for m in sorted(PLAN_MODULES[plan], key=_module_order)],
                price=prices[plan],
                monthly=prices[plan] * seats,
                difference=difference,
                prorated_now=prorated,
                current=plan == current,
                pending=plan == subscription.pending_plan,
                upgrade=is_upgrade(current, plan),
            )
        )
    return choices


def _module_order(module: str) -> int:
    return list(MODULE_LABELS).index(module)


def trial_days_left(subscription: Subscription, now: dt.datetime) -> int | None:
    if subscription.status != "trialing" or subscription.trial_ends_at is None:
        return None
    ends = subscription.trial_ends_at
    ends = ends if ends.tzinfo else ends.replace(tzinfo=dt.UTC)
    return max(0, (ends - now).days + (1 if (ends - now).seconds else 0))


async def _page(
    page: WorkspacePage,
    *,
    details: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    now = dt.datetime.now(dt.UTC)
    subscription = await service.subscription_of(page.tenant.id)
    seats = await service.seats_in_use(page.tenant.id)
    estimate = await service.next_invoice_estimate(subscription, now=now)
    invoices, next_cursor = await invoices_page(page.tenant.id, cursor=None, limit=24)
    values = details or {name: str(getattr(subscription, name) or "") for name in DETAIL_FIELDS}
    period_end = (
        Period.parse(str(subscription.billed_through)).last_day
        if subscription.billed_through
        else None
    )
    return render_page(
        page,
        "billing/admin.html",
        section="admin-billing",
        status=status,
        subscription=subscription,
        seats=seats,
        estimate=estimate,
        plans=await plan_choices(subscription, seats, now),
        invoices=invoices,
        more_invoices=next_cursor is not None,
        trial_left=trial_days_left(subscription, now),
        period_end=period_end,
        details=values,
        errors=errors or {},
        money=money,
        status_badge=STATUS_BADGES,
        invoice_badge=INVOICE_BADGES,
        plan_labels=PLAN_LABELS,
        manage=page.can("billing.manage"),
        period_label=_period_label,
        date_label=_date_label,
        payment_method=await _payment_method(page),
    )


async def _payment_method(page: WorkspacePage) -> Any:
    """The payments side's view of the payment method, when it provides one."""
    try:
        from comptoir.billing.payments.methods import payment_method_view
    except ImportError:
        return None
    return await payment_method_view(page.tenant)


def _period_label(period: str) -> str:
    from babel.dates import format_date

    locale = BABEL_LOCALES.get(i18n.current_locale.get(), "fr_FR")
    try:
        return format_date(Period.parse(period).first_day, "MMMM y", locale=locale)
    except ValueError:
        return period


def _date_label(day: dt.date | None) -> str:
    from babel.dates import format_date

    if day is None:
        return "—"
    return format_date(day, "long", locale=BABEL_LOCALES.get(i18n.current_locale.get(), "fr_FR"))


def _flash_error(error: ComptoirError) -> dict[str, str]:
    if isinstance(error, ValidationFailed):
        return form_errors(error)
    return {"form": _(error.detail)}


class BillingPages(Controller):
    path = "/w/{slug:str}/admin/billing"
    # Admins settle a suspended workspace here.
    opt = {OPEN_WHEN_SUSPENDED: True}
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="admin-billing", opt=requires("billing", "view"))
    async def overview(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _page(page)

    @post("/plan", name="admin-billing-plan", opt=requires("billing", "manage"))
    async def change_plan(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            change = await service.change_plan(
                page.tenant.id, data.get("plan", ""), actor=page.actor
            )
        except (ValidationFailed, ComptoirError) as error:
            if isinstance(error, NotFound):
                raise
            return await _page(page, errors=_flash_error(error), status=422)
        if change.immediate:
            flash = "billing_upgraded" if change.invoice_id else "billing_plan_changed"
        else:
            flash = (
                "billing_downgrade_scheduled"
                if change.subscription.pending_plan
                else "billing_downgrade_withdrawn"
            )
        return see_other(f"{page.base}/admin/billing", flash=flash)

    @post("/cancel", name="admin-billing-cancel", opt=requires("billing", "manage"))
    async def cancel(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        if data.get("confirm") != "yes":
            return await _page(
                page,
                errors={"confirm": _("Tick the box to confirm the cancellation.")},
                status=422,
            )
        try:
            await service.cancel_at_period_end(page.tenant.id, actor=page.actor)
        except ComptoirError as error:
            return await _page(page, errors=_flash_error(error), status=409)
        return see_other(f"{page.base}/admin/billing", flash="billing_cancel_scheduled")

    @post("/resume", name="admin-billing-resume", opt=requires("billing", "manage"))
    async def resume(self, page: NamedDependency[WorkspacePage]) -> Redirect:
        await service.resume(page.tenant.id, actor=page.actor)
        return see_other(f"{page.base}/admin/billing", flash="billing_resumed")

    @post("/details", name="admin-billing-details", opt=requires("billing", "manage"))
    async def save_details(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        values = {name: str(data.get(name, "")).strip() for name in DETAIL_FIELDS}
        try:
            await service.update_billing_details(
                page.tenant.id, service.BillingDetails(**values), actor=page.actor
            )
        except ValidationFailed as error:
            return await _page(page, details=values, errors=form_errors(error), status=422)
        return see_other(
            f"{page.base}/admin/billing#billing-details", flash="billing_details_saved"
        )

    @get(
        "/invoices/{invoice_id:str}",
        name="admin-billing-invoice-pdf",
        opt=requires("billing", "view"),
    )
    async def invoice_pdf(
        self, page: NamedDependency[WorkspacePage], invoice_id: FromPath[str]
    ) -> Response[bytes]:
        """An invoice's PDF, at ``.../invoices/{id}.pdf`` (or without the suffix)."""
        filename, body = await pdf.invoice_pdf(page.tenant.id, invoice_id.removesuffix(PDF_SUFFIX))
        return pdf_response(filename, body)
