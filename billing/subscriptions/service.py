"""A workspace's subscription: its trial, status, plan and seats.

Every change of status or plan is recorded (``SubscriptionTransition``) with
its cause, and the tenant directory follows: ``Tenant.plan`` is the
subscription's plan (the workspace enforces its modules) and ``Tenant.status``
its access (trial, active, suspended). Writes a tenant admin makes run in the
tenant's transaction, with a row in its audit log."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.billing.periods import Period
from comptoir.billing.plans.catalog import PLANS, is_upgrade, price_list, validate_plan
from comptoir.billing.settings import get_billing_settings
from comptoir.billing.subscriptions.tables import SeatChange, Subscription, SubscriptionTransition
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import TenantScope, control_scope, tenant_scope
from comptoir.platform.directory.service import forget_tenant
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Conflict, NotFound, ValidationFailed
from comptoir.platform.events import DomainEvent

STATUSES = ("trialing", "active", "past_due", "suspended", "canceled")
# Subscriptions the billing run invoices.
BILLABLE = ("active", "past_due")
# What each status means for the workspace's access (``Tenant.status``).
TENANT_STATUS = {
    "trialing": "trial",
    "active": "active",
    "past_due": "active",
    "suspended": "suspended",
    "canceled": "suspended",
}
SUSPENSION_REASONS = {
    "suspended": "Subscription suspended for an unpaid invoice. The workspace's data is kept.",
    "canceled": "Subscription canceled. The workspace's data is kept.",
}
PAYMENT_TERMS = ("bank_transfer", "card")
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def find_subscription(tenant_id: uuid.UUID) -> Subscription | None:
    return await Subscription.objects().where(Subscription.for_tenant_id == tenant_id).first()


async def subscription_of(tenant_id: uuid.UUID) -> Subscription:
    found = await find_subscription(tenant_id)
    if found is None:
        raise NotFound("This workspace has no subscription.")
    return found


async def locked_subscription(tenant_id: uuid.UUID) -> Subscription:
    """The subscription, its row locked until the transaction ends (PostgreSQL;
    SQLite's write transactions are serial already)."""
    if is_postgres(get_engine()):
        await Subscription.raw(
            "SELECT id FROM billing_subscriptions WHERE for_tenant_id = {} FOR UPDATE", tenant_id
        )
    return await subscription_of(tenant_id)


# ---- transitions --------------------------------------------------------------------


async def record_transition(
    subscription: Subscription,
    *,
    to_status: str | None = None,
    to_plan: str | None = None,
    cause: str,
    actor: Actor | None = None,
    detail: str = "",
    now: dt.datetime | None = None,
) -> SubscriptionTransition:
    """Move ``subscription`` to ``to_status`` and/or ``to_plan``, record why,
    and make the tenant directory follow. Call it inside a transaction; the
    caller saves nothing else of the subscription for this change."""
    now = now or utcnow()
    status = to_status or str(subscription.status)
    if status not in STATUSES:
        raise ValueError(f"unknown subscription status {status!r}")
    plan = to_plan or str(subscription.plan)
    validate_plan(plan)
    transition = SubscriptionTransition(
        for_tenant_id=subscription.for_tenant_id,
        subscription_id=subscription.id,
        from_status=subscription.status,
        to_status=status,
        from_plan=subscription.plan,
        to_plan=plan,
        cause=cause,
        detail=detail[:2000],
        actor_id=actor.id if actor is not None else None,
        actor_kind=actor.kind if actor is not None else "system",
        at=now,
    )
    await SubscriptionTransition.insert(transition)
    changes: dict[Any, Any] = {
        Subscription.status: status,
        Subscription.plan: plan,
        Subscription.updated_at: now,
    }
    if status != subscription.status:
        if status == "past_due":
            changes[Subscription.past_due_since] = now
        elif status in ("active", "trialing"):
            changes[Subscription.past_due_since] = None
            changes[Subscription.suspended_at] = None
        if status == "suspended":
            changes[Subscription.suspended_at] = now
        if status == "canceled":
            changes[Subscription.canceled_at] = now
            changes[Subscription.cancel_at_period_end] = False
    if to_plan is not None and to_plan == subscription.pending_plan:
        changes[Subscription.pending_plan] = None
    await Subscription.update(changes).where(Subscription.id == subscription.id)
    for column, value in changes.items():
        setattr(subscription, column._meta.name, value)
    await _sync_tenant(subscription, now)
    return transition


async def _sync_tenant(subscription: Subscription, now: dt.datetime) -> None:
    tenant_status = TENANT_STATUS[str(subscription.status)]
    values: dict[Any, Any] = {Tenant.plan: subscription.plan, Tenant.status: tenant_status}
    if tenant_status == "suspended":
        values[Tenant.suspended_at] = now
        values[Tenant.suspended_reason] = SUSPENSION_REASONS[str(subscription.status)]
    else:
        values[Tenant.suspended_at] = None
        values[Tenant.suspended_reason] = None
    if subscription.status == "trialing":
        values[Tenant.trial_ends_at] = subscription.trial_ends_at
    await Tenant.update(values).where(Tenant.id == subscription.for_tenant_id)
    forget_tenant(subscription.for_tenant_id)


async def transition(
    tenant_id: uuid.UUID,
    to_status: str,
    *,
    cause: str,
    actor: Actor,
    detail: str = "",
    now: dt.datetime | None = None,
) -> Subscription:
    """Change a subscription's status for ``cause`` (dunning, staff, a
    payment…), in one transaction with an audit row. Moving to the status it
    has already records nothing."""
    if to_status not in STATUSES:
        raise ValidationFailed({"status": f"must be one of {', '.join(STATUSES)}"})
    async with tenant_scope(tenant_id) as scope:
        subscription = await locked_subscription(tenant_id)
        if subscription.status == to_status:
            return subscription
        before = subscription.status
        await record_transition(
            subscription, to_status=to_status, cause=cause, actor=actor, detail=detail, now=now
        )
        await audit.record(
            scope,
            actor,
            "billing.status",
            object_type="subscription",
            object_id=subscription.id,
            changes={"status": [before, to_status], "cause": cause},
        )
    return subscription


# ---- signup ---------------------------------------------------------------------------


async def provision_subscription(
    scope: TenantScope, tenant: Tenant, admin: User
) -> tuple[str, str] | None:
    """Every new workspace starts a trial of its plan (in the signup's transaction)."""
    now = utcnow()
    trial_ends_at = _aware(tenant.trial_ends_at) or now + dt.timedelta(
        days=get_billing_settings().trial_days
    )
    plan = str(tenant.plan) if tenant.plan in PLANS else "essentiel"
    subscription = Subscription(
        for_tenant_id=tenant.id,
        plan=plan,
        status="trialing",
        trial_ends_at=trial_ends_at,
        seats_billed=0,
        billed_through="",
        payment_terms="bank_transfer",
        gateway="bank_transfer",
        billing_name=str(tenant.company_name),
        billing_email=str(admin.email),
        billing_country="FR",
        created_at=now,
        updated_at=now,
    )
    await Subscription.insert(subscription)
    await SubscriptionTransition.insert(
        SubscriptionTransition(
            for_tenant_id=tenant.id,
            subscription_id=subscription.id,
            from_status=None,
            to_status="trialing",
            from_plan=None,
            to_plan=plan,
            cause="signup",
            detail=f"trial until {trial_ends_at:%Y-%m-%d}",
            actor_id=admin.id,
            actor_kind="user",
            at=now,
        )
    )
    return ("subscription", f"Trial of plan {plan} until {trial_ends_at:%Y-%m-%d}")


# ---- trials ---------------------------------------------------------------------------


async def end_trials(now: dt.datetime | None = None) -> int:
    """Trials that are over: with a payment method the subscription becomes
    active on card terms; without, active on bank-transfer terms (invoices
    payable in N days) or past_due when a card is required. A trial canceled
    before its end ends canceled. The billing run then invoices the rest of
    the month, prorated from the trial's end. Returns how many ended."""
    now = now or utcnow()
    due = await (
        Subscription.select(Subscription.for_tenant_id)
        .where((Subscription.status == "trialing") & (Subscription.trial_ends_at <= now))
        .order_by(Subscription.id)
    )
    ended = 0
    card_required = get_billing_settings().card_required_after_trial
    for row in due:
        tenant_id = row["for_tenant_id"]
        async with control_scope():
            subscription = await locked_subscription(tenant_id)
            trial_end = _aware(subscription.trial_ends_at)
            if subscription.status != "trialing" or trial_end is None or trial_end > now:
                continue
            if subscription.cancel_at_period_end:
                await record_transition(
                    subscription, to_status="canceled", cause="canceled_at_trial_end", now=now
                )
            elif subscription.payment_method_id:
                await Subscription.update({Subscription.payment_terms: "card"}).where(
                    Subscription.id == subscription.id
                )
                await record_transition(
                    subscription,
                    to_status="active",
                    cause="trial_ended",
                    detail="payment method on file: charged by card",
                    now=now,
                )
            elif card_required:
                await record_transition(
                    subscription,
                    to_status="past_due",
                    cause="trial_ended_without_card",
                    detail="a card is required after the trial",
                    now=now,
                )
            else:
                await Subscription.update({Subscription.payment_terms: "bank_transfer"}).where(
                    Subscription.id == subscription.id
                )
                await record_transition(
                    subscription,
                    to_status="active",
                    cause="trial_ended",
                    detail="no payment method: invoices payable by bank transfer",
                    now=now,
                )
            ended += 1
    return ended


async def extend_trial(
    tenant_id: uuid.UUID, until: dt.datetime, *, actor: Actor, now: dt.datetime | None = None
) -> Subscription:
    """Staff give a trialing workspace more time (or give a trial back to one
    that has not been invoiced yet)."""
    now = now or utcnow()
    until = until if until.tzinfo else until.replace(tzinfo=dt.UTC)
    if until <= now:
        raise ValidationFailed({"until": "must be in the future"})
    async with tenant_scope(tenant_id) as scope:
        subscription = await locked_subscription(tenant_id)
        if subscription.status != "trialing" and subscription.billed_through:
            raise Conflict("This subscription has been invoiced already: its trial is over.")
        if subscription.status not in ("trialing", "active", "past_due"):
            raise Conflict("Only a trial or an active subscription can be given a trial.")
        before = _aware(subscription.trial_ends_at)
        await Subscription.update({Subscription.trial_ends_at: until}).where(
            Subscription.id == subscription.id
        )
        subscription.trial_ends_at = until
        await record_transition(
            subscription,
            to_status="trialing",
            cause="trial_extended",
            actor=actor,
            detail=f"trial until {until:%Y-%m-%d}",
            now=now,
        )
        await audit.record(
            scope,
            actor,
            "billing.trial_extend",
            object_type="subscription",
            object_id=subscription.id,
            changes={"trial_ends_at": [before, until]},
        )
    return subscription


# ---- seats ----------------------------------------------------------------------------


async def note_seat_count(
    tenant_id: uuid.UUID, active_users: int, *, at: dt.datetime | None = None
) -> SeatChange | None:
    """Record a seat increase over what the current period was billed for:
    the next invoice bills it prorated from today. Removals change nothing
    now (no credit); the next period bills the seats there are then."""
    at = at or utcnow()
    period = Period.of(at)
    async with control_scope():
        subscription = await find_subscription(tenant_id)
        if subscription is None or subscription.status not in BILLABLE:
            return None
        if subscription.billed_through != str(period):
            # The current month is not invoiced yet: its invoice counts them.
            return None
        subscription = await locked_subscription(tenant_id)
        seats = max(1, active_users)
        if seats <= subscription.seats_billed:
            return None
        return await _record_seat_increase(subscription, seats, at=at, cause="user_added")


async def _record_seat_increase(
    subscription: Subscription, seats: int, *, at: dt.datetime, cause: str
) -> SeatChange:
    change = SeatChange(
        for_tenant_id=subscription.for_tenant_id,
        subscription_id=subscription.id,
        period=str(Period.of(at)),
        seats_before=subscription.seats_billed,
        seats_after=seats,
        plan=subscription.plan,
        cause=cause,
        at=at,
    )
    await SeatChange.insert(change)
    await Subscription.update(
        {Subscription.seats_billed: seats, Subscription.updated_at: at}
    ).where(Subscription.id == subscription.id)
    subscription.seats_billed = seats
    return change


async def on_seat_events(batch: Any) -> None:
    """Listener: a workspace recounted its active users."""
    for event in batch:
        if isinstance(event, DomainEvent) and event.name == "seats.counted":
            await note_seat_count(
                event.tenant_id, int(event.data.get("active_users", 0)), at=event.at
            )


# ---- plan changes and cancellation ----------------------------------------------------


@dataclass(frozen=True)
class PlanChange:
    subscription: Subscription
    immediate: bool
    invoice_id: uuid.UUID | None = None


def require_billing_admin(actor: Actor) -> None:
    if actor.kind == "user" and not actor.is_admin:
        from comptoir.platform.errors import Forbidden

        raise Forbidden("Only an administrator of the workspace manages its subscription.")


async def change_plan(
    tenant_id: uuid.UUID, plan: str, *, actor: Actor, now: dt.datetime | None = None
) -> PlanChange:
    """Upgrade now (the rest of the month's difference is invoiced at once,
    prorated to the day) or downgrade at the end of the period. During a
    trial both take effect at once. Choosing the current plan again cancels a
    scheduled downgrade."""
    from comptoir.billing.invoices.service import invoice_upgrade, take_numbers

    require_billing_admin(actor)
    validate_plan(plan)
    now = now or utcnow()
    async with tenant_scope(tenant_id) as scope:
        # The number sequence before the subscription, in the billing run's
        # order: an upgrade invoices, and opposite orders could deadlock.
        await take_numbers(0)
        subscription = await locked_subscription(tenant_id)
        current = str(subscription.plan)
        if subscription.status in ("suspended", "canceled"):
            raise Conflict("A suspended or canceled subscription cannot change plan.")
        invoice_id: uuid.UUID | None = None
        if plan == current:
            if subscription.pending_plan is None:
                raise ValidationFailed({"plan": "the workspace is already on this plan"})
            await Subscription.update(
                {Subscription.pending_plan: None, Subscription.updated_at: now}
            ).where(Subscription.id == subscription.id)
            subscription.pending_plan = None
            action, immediate = "billing.downgrade_cancel", False
        elif subscription.status == "trialing" or is_upgrade(current, plan):
            transition_row = await record_transition(
                subscription,
                to_plan=plan,
                cause="plan_upgraded" if is_upgrade(current, plan) else "plan_changed_in_trial",
                actor=actor,
                now=now,
            )
            if subscription.pending_plan is not None:
                await Subscription.update({Subscription.pending_plan: None}).where(
                    Subscription.id == subscription.id
                )
                subscription.pending_plan = None
            if subscription.status in BILLABLE:
                invoice_id = await invoice_upgrade(
                    subscription, current, plan, key=str(transition_row.id), now=now
                )
            action, immediate = "billing.plan_change", True
        else:
            await Subscription.update(
                {Subscription.pending_plan: plan, Subscription.updated_at: now}
            ).where(Subscription.id == subscription.id)
            subscription.pending_plan = plan
            await SubscriptionTransition.insert(
                SubscriptionTransition(
                    for_tenant_id=tenant_id,
                    subscription_id=subscription.id,
                    from_status=subscription.status,
                    to_status=subscription.status,
                    from_plan=current,
                    to_plan=current,
                    cause="plan_downgrade_scheduled",
                    detail=f"to {plan} at the end of the period",
                    actor_id=actor.id,
                    actor_kind=actor.kind,
                    at=now,
                )
            )
            action, immediate = "billing.plan_downgrade", False
        await audit.record(
            scope,
            actor,
            action,
            object_type="subscription",
            object_id=subscription.id,
            changes={"plan": [current, plan], "invoice_id": invoice_id},
        )
    return PlanChange(subscription=subscription, immediate=immediate, invoice_id=invoice_id)


async def cancel_at_period_end(
    tenant_id: uuid.UUID, *, actor: Actor, now: dt.datetime | None = None
) -> Subscription:
    """The subscription ends with the current period (a trial: with the
    trial). Nothing is credited; the workspace keeps its data afterwards."""
    require_billing_admin(actor)
    now = now or utcnow()
    async with tenant_scope(tenant_id) as scope:
        subscription = await locked_subscription(tenant_id)
        if subscription.status in ("canceled",):
            raise Conflict("This subscription is canceled already.")
        if subscription.cancel_at_period_end:
            return subscription
        await Subscription.update(
            {Subscription.cancel_at_period_end: True, Subscription.updated_at: now}
        ).where(Subscription.id == subscription.id)
        subscription.cancel_at_period_end = True
        await SubscriptionTransition.insert(
            SubscriptionTransition(
                for_tenant_id=tenant_id,
                subscription_id=subscription.id,
                from_status=subscription.status,
                to_status=subscription.status,
                from_plan=subscription.plan,
                to_plan=subscription.plan,
                cause="cancel_scheduled",
                detail="at the end of the period",
                actor_id=actor.id,
                actor_kind=actor.kind,
                at=now,
            )
        )
        await audit.record(
            scope,
            actor,
            "billing.cancel",
            object_type="subscription",
            object_id=subscription.id,
            changes={"cancel_at_period_end": [False, True]},
        )
    return subscription


async def resume(
    tenant_id: uuid.UUID, *, actor: Actor, now: dt.datetime | None = None
) -> Subscription:
    """Take back a cancellation scheduled for the end of the period."""
    require_billing_admin(actor)
    now = now or utcnow()
    async with tenant_scope(tenant_id) as scope:
        subscription = await locked_subscription(tenant_id)
        if not subscription.cancel_at_period_end:
            return subscription
        await Subscription.update(
            {Subscription.cancel_at_period_end: False, Subscription.updated_at: now}
        ).where(Subscription.id == subscription.id)
        subscription.cancel_at_period_end = False
        await SubscriptionTransition.insert(
            SubscriptionTransition(
                for_tenant_id=tenant_id,
                subscription_id=subscription.id,
                from_status=subscription.status,
                to_status=subscription.status,
                from_plan=subscription.plan,
                to_plan=subscription.plan,
                cause="cancel_withdrawn",
                actor_id=actor.id,
                actor_kind=actor.kind,
                at=now,
            )
        )
        await audit.record(
            scope,
            actor,
            "billing.resume",
            object_type="subscription",
            object_id=subscription.id,
            changes={"cancel_at_period_end": [True, False]},
        )
    return subscription


# ---- billing identity -----------------------------------------------------------------


@dataclass(frozen=True)
class BillingDetails:
    billing_name: str
    billing_email: str
    billing_address: str = ""
    billing_postal_code: str = ""
    billing_city: str = ""
    billing_country: str = "FR"
    vat_number: str = ""


def validate_details(details: BillingDetails) -> dict[str, str]:
    from stdnum.eu import vat
    from stdnum.exceptions import ValidationError

    errors: dict[str, str] = {}
    if not details.billing_name.strip():
        errors["billing_name"] = "is required"
    elif len(details.billing_name) > 200:
        errors["billing_name"] = "must be at most 200 characters"
    email = details.billing_email.strip()
    if not email or "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        errors["billing_email"] = "must be an e-mail address"
    country = details.billing_country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        errors["billing_country"] = "must be a two-letter country code (FR, DE, …)"
    if len(details.billing_address) > 500:
        errors["billing_address"] = "must be at most 500 characters"
    if len(details.billing_postal_code) > 20:
        errors["billing_postal_code"] = "must be at most 20 characters"
    if len(details.billing_city) > 100:
        errors["billing_city"] = "must be at most 100 characters"
    number = ""
    if details.vat_number.strip():
        try:
            number = vat.compact(details.vat_number)
        except ValidationError:  # an unknown country prefix, say
            errors["vat_number"] = "is not a valid EU VAT number"
    if number:
        if not vat.is_valid(number):
            errors["vat_number"] = "is not a valid EU VAT number"
        elif country in EU_COUNTRIES and not number.upper().startswith(
            "EL" if country == "GR" else country
        ):
            errors["vat_number"] = "must be a VAT number of the billing country"
    for name in ("billing_name", "billing_email", "billing_address", "billing_city"):
        if "\x00" in getattr(details, name):
            errors[name] = "contains a character that is not allowed"
    return errors


async def update_billing_details(
    tenant_id: uuid.UUID, details: BillingDetails, *, actor: Actor
) -> Subscription:
    """Who the invoices are made out to. Issued invoices keep the identity
    printed on them."""
    from stdnum.eu import vat

    require_billing_admin(actor)
    errors = validate_details(details)
    if errors:
        raise ValidationFailed(errors)
    values: dict[Any, Any] = {
        Subscription.billing_name: details.billing_name.strip(),
        Subscription.billing_email: details.billing_email.strip().lower(),
        Subscription.billing_address: details.billing_address.strip(),
        Subscription.billing_postal_code: details.billing_postal_code.strip(),
        Subscription.billing_city: details.billing_city.strip(),
        Subscription.billing_country: details.billing_country.strip().upper(),
        Subscription.vat_number: vat.compact(details.vat_number).upper()
        if details.vat_number.strip()
        else "",
        Subscription.updated_at: utcnow(),
    }
    async with tenant_scope(tenant_id) as scope:
        subscription = await locked_subscription(tenant_id)
        before = subscription.to_dict()
        await Subscription.update(values).where(Subscription.id == subscription.id)
        for column, value in values.items():
            setattr(subscription, column._meta.name, value)
        after = subscription.to_dict()
        await audit.record(
            scope,
            actor,
            "billing.details",
            object_type="subscription",
            object_id=subscription.id,
            changes=audit.diff(
                {k: before[k] for k in before if k.startswith(("billing_", "vat_"))},
                {k: after[k] for k in after if k.startswith(("billing_", "vat_"))},
            ),
        )
    return subscription


# ---- what the pages and the API show -------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """The next invoice as things stand: the next period in advance plus the
    prorated seats added this period."""

    period: Period
    plan: str
    seats: int
    unit_price: Decimal
    lines: list[Any]
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal


async def seats_in_use(tenant_id: uuid.UUID) -> int:
    row = await Tenant.select(Tenant.user_count).where(Tenant.id == tenant_id).first()
    return max(1, int(row["user_count"])) if row else 1


async def next_invoice_estimate(
    subscription: Subscription, *, now: dt.datetime | None = None
) -> Estimate | None:
    from comptoir.billing.invoices.service import estimate_lines

    now = now or utcnow()
    if subscription.status == "canceled" or subscription.cancel_at_period_end:
        return None
    trial_end = _aware(subscription.trial_ends_at)
    if subscription.status == "trialing" and trial_end is not None:
        # The first invoice: the month the trial ends in, from its end.
        period = Period.of(max(trial_end, now))
    else:
        period = Period.of(now)
        if subscription.billed_through >= str(period):
            period = period.next()
    plan = str(subscription.pending_plan or subscription.plan)
    seats = await seats_in_use(subscription.for_tenant_id)
    prices = await price_list(period)
    lines, amounts = await estimate_lines(subscription, period, plan, seats, prices)
    return Estimate(
        period=period,
        plan=plan,
        seats=seats,
        unit_price=prices[plan],
        lines=lines,
        total_net=amounts.net,
        total_vat=amounts.vat,
        total_gross=amounts.gross,
    )
