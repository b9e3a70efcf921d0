"""The subscription as the API and the pages show it."""

from __future__ import annotations

import datetime as dt

from comptoir.billing.invoices.views import money
from comptoir.billing.periods import current_period
from comptoir.billing.plans.catalog import price_list
from comptoir.billing.subscriptions import service
from comptoir.billing.subscriptions.schemas import EstimateOut, SubscriptionOut
from comptoir.billing.subscriptions.tables import Subscription


async def subscription_out(
    subscription: Subscription, *, now: dt.datetime | None = None
) -> SubscriptionOut:
    prices = await price_list(current_period(now))
    estimate = await service.next_invoice_estimate(subscription, now=now)
    return SubscriptionOut(
        plan=subscription.plan,
        status=subscription.status,
        seats=await service.seats_in_use(subscription.for_tenant_id),
        trial_ends_at=subscription.trial_ends_at,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        seats_billed=subscription.seats_billed,
        price_per_seat=money(prices[str(subscription.plan)]),
        cancel_at_period_end=bool(subscription.cancel_at_period_end),
        pending_plan=subscription.pending_plan,
        payment_terms=subscription.payment_terms,
        billing_name=subscription.billing_name,
        billing_email=subscription.billing_email,
        billing_address=subscription.billing_address,
        billing_postal_code=subscription.billing_postal_code,
        billing_city=subscription.billing_city,
        billing_country=subscription.billing_country,
        vat_number=subscription.vat_number,
        next_invoice=EstimateOut(
            period=str(estimate.period),
            plan=estimate.plan,
            seats=estimate.seats,
            price_per_seat=money(estimate.unit_price),
            total_net=money(estimate.total_net),
            total_vat=money(estimate.total_vat),
            total_gross=money(estimate.total_gross),
        )
        if estimate is not None
        else None,
    )
