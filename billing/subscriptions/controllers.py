"""/api/v1/billing/subscription: the workspace's plan, status and seats; plan
changes, cancellation at the period's end and the billing identity. No
``from __future__ import annotations``: Litestar reads the handlers' annotations."""

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from comptoir.billing.subscriptions import service
from comptoir.billing.subscriptions.schemas import (
    BillingDetailsIn,
    PlanChangeIn,
    PlanChangeOut,
    SubscriptionOut,
)
from comptoir.billing.subscriptions.views import subscription_out
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import requires


class SubscriptionController(Controller):
    path = "/api/v1/billing/subscription"
    tags = ["Billing"]

    @get(
        "/",
        summary="Read the subscription",
        description="`plan`, `status` (trialing, active, past_due, suspended, canceled), "
        "`seats` (active users now), `trial_ends_at`, `current_period_end` (the end, "
        "exclusive, of the month last invoiced) and the next invoice as things stand.",
        opt=requires("billing", "view"),
    )
    async def read_subscription(self, caller: NamedDependency[ApiCaller]) -> SubscriptionOut:
        return await subscription_out(await service.subscription_of(caller.tenant.id))

    @post(
        "/plan",
        status_code=200,
        summary="Change the plan",
        description="An upgrade applies now: the rest of the month's price difference, "
        "prorated to the day, is invoiced at once (`invoice_id`). A downgrade applies at the "
        "end of the period (`pending_plan`). During a trial both apply now. Sending the current "
        "plan withdraws a scheduled downgrade.",
        opt=requires("billing", "manage"),
    )
    async def change_plan(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[PlanChangeIn]
    ) -> PlanChangeOut:
        change = await service.change_plan(caller.tenant.id, data.plan, actor=caller.actor)
        return PlanChangeOut(
            subscription=await subscription_out(change.subscription),
            immediate=change.immediate,
            invoice_id=str(change.invoice_id) if change.invoice_id else None,
        )

    @post(
        "/cancel",
        status_code=200,
        summary="Cancel at the end of the period",
        description="The subscription ends with the current month (a trial with the trial); "
        "nothing is credited and the workspace keeps its data.",
        opt=requires("billing", "manage"),
    )
    async def cancel(self, caller: NamedDependency[ApiCaller]) -> SubscriptionOut:
        return await subscription_out(
            await service.cancel_at_period_end(caller.tenant.id, actor=caller.actor)
        )

    @post(
        "/resume",
        status_code=200,
        summary="Withdraw a cancellation",
        opt=requires("billing", "manage"),
    )
    async def resume(self, caller: NamedDependency[ApiCaller]) -> SubscriptionOut:
        return await subscription_out(await service.resume(caller.tenant.id, actor=caller.actor))

    @put(
        "/details",
        summary="Replace the billing identity",
        description="Who invoices are made out to. A business in another EU country with a "
        "valid VAT number is invoiced under reverse charge (Autoliquidation). Invoices "
        "already issued keep the identity printed on them.",
        opt=requires("billing", "manage"),
    )
    async def replace_details(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[BillingDetailsIn]
    ) -> SubscriptionOut:
        details = service.BillingDetails(
            billing_name=data.billing_name,
            billing_email=data.billing_email,
            billing_address=data.billing_address,
            billing_postal_code=data.billing_postal_code,
            billing_city=data.billing_city,
            billing_country=data.billing_country,
            vat_number=data.vat_number,
        )
        subscription = await service.update_billing_details(
            caller.tenant.id, details, actor=caller.actor
        )
        return await subscription_out(subscription)
