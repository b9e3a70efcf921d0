"""``/console/billing``: the figures and the failed payments; and
``/console/tenants/{id}/billing``: one tenant's subscription, transitions,
invoices and payments, with the staff actions. Handlers parse, call a
service and render; every action redirects back with ``done`` set."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_currency
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.billing.console import service
from comptoir.billing.dunning.service import suspension_at
from comptoir.platform import i18n
from comptoir.platform.console.pages import console_page, provide_staff
from comptoir.platform.console.service import StaffIdentity
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ComptoirError, ValidationFailed

FormData = URLEncodedBody[dict[str, str]]


def money(amount: Decimal | str | int | None) -> str:
    """An amount in euros, in the console's language ("1 234,50 €")."""
    return format_currency(Decimal(amount or 0), "EUR", locale=i18n.current_locale.get())


OptionalQuery = Annotated[str | None, QueryParameter(required=False)]
DONE = ("paid", "trial_extended", "credited")


class BillingConsole(Controller):
    path = "/console"
    include_in_schema = False
    # Staff only: the console's own session guards these pages, as it does
    # every console page.
    dependencies = {"staff": Provide(provide_staff)}

    @get("/billing", name="console-billing")
    async def overview(self, staff: NamedDependency[StaffIdentity]) -> Template:
        return console_page(
            "billing/console/overview.html",
            staff=staff,
            nav="billing",
            money=money,
            overview=await service.billing_overview(),
        )

    async def _tenant_page(
        self,
        tenant: Tenant,
        staff: StaffIdentity,
        *,
        done: str = "",
        form: str = "",
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        billing = await service.tenant_billing(tenant)
        return console_page(
            "billing/console/tenant.html",
            status_code=status_code,
            staff=staff,
            nav="tenants",
            tenant=tenant,
            billing=billing,
            money=money,
            suspend_on=suspension_at(billing.subscription) if billing.subscription else None,
            done=done if done in DONE else "",
            form=form,
            errors=errors or {},
            values=values or {},
            max_days=service.MAX_TRIAL_EXTENSION_DAYS,
        )

    @get("/tenants/{tenant_id:str}/billing", name="console-tenant-billing")
    async def tenant(
        self,
        staff: NamedDependency[StaffIdentity],
        tenant_id: FromPath[str],
        done: OptionalQuery = None,
    ) -> Template:
        tenant = await service.get_tenant(tenant_id)
        return await self._tenant_page(tenant, staff, done=done or "")

    async def _act(
        self,
        staff: StaffIdentity,
        tenant: Tenant,
        form: str,
        data: dict[str, str],
        done: str,
        action: Any,
    ) -> Template | Redirect:
        try:
            await action
        except ValidationFailed as error:
            return await self._tenant_page(
                tenant, staff, form=form, errors=error.errors, values=data, status_code=422
            )
        except ComptoirError as error:
            return await self._tenant_page(
                tenant,
                staff,
                form=form,
                errors={"form": error.detail},
                values=data,
                status_code=error.status_code,
            )
        return Redirect(path=f"/console/tenants/{tenant.id}/billing?done={done}", status_code=303)

    @post("/tenants/{tenant_id:str}/billing/mark-paid", name="console-billing-mark-paid")
    async def mark_paid(
        self, staff: NamedDependency[StaffIdentity], tenant_id: FromPath[str], data: FormData
    ) -> Template | Redirect:
        tenant = await service.get_tenant(tenant_id)
        return await self._act(
            staff,
            tenant,
            "mark_paid",
            data,
            "paid",
            service.mark_transfer_paid(
                tenant,
                data.get("invoice_id", ""),
                staff=staff.staff,
                note=data.get("note", ""),
                ip_address=staff.ip_address,
            ),
        )

    @post("/tenants/{tenant_id:str}/billing/extend-trial", name="console-billing-extend-trial")
    async def extend_trial(
        self, staff: NamedDependency[StaffIdentity], tenant_id: FromPath[str], data: FormData
    ) -> Template | Redirect:
        tenant = await service.get_tenant(tenant_id)
        return await self._act(
            staff,
            tenant,
            "extend_trial",
            data,
            "trial_extended",
            service.extend_trial(
                tenant,
                data.get("days", ""),
                staff=staff.staff,
                reason=data.get("reason", ""),
                ip_address=staff.ip_address,
            ),
        )

    @post("/tenants/{tenant_id:str}/billing/credit-note", name="console-billing-credit-note")
    async def credit_note(
        self, staff: NamedDependency[StaffIdentity], tenant_id: FromPath[str], data: FormData
    ) -> Template | Redirect:
        tenant = await service.get_tenant(tenant_id)
        return await self._act(
            staff,
            tenant,
            "credit_note",
            data,
            "credited",
            service.apply_credit_note(
                tenant,
                data.get("invoice_id", ""),
                data.get("amount", ""),
                staff=staff.staff,
                reason=data.get("reason", ""),
                ip_address=staff.ip_address,
            ),
        )
