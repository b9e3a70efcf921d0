"""Subscriptions, their recorded transitions, and seat increases (for proration).

Billing is the provider's ledger, a control-plane record: each row names its
tenant in ``for_tenant_id`` and is written in ``control_scope()``."""

from piccolo.columns import UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable


class Subscription(ControlTable, tablename="billing_subscriptions"):
    """A tenant's one subscription (unique ``for_tenant_id``)."""

    for_tenant_id = UUID(unique=True)
    plan = Varchar(length=20, default="essentiel")
    # trialing, active, past_due, suspended, canceled
    status = Varchar(length=20, default="trialing")
    trial_ends_at = Timestamptz(null=True, default=None)
    # The calendar month being served: [start, end), UTC midnights on the 1st.
    current_period_start = Timestamptz(null=True, default=None)
    current_period_end = Timestamptz(null=True, default=None)
    # Seats paid for the current period (the most there were: removals are
    # not credited, additions are prorated on the next invoice).
    seats_billed = Integer(default=0)
    # The last period invoiced in advance (YYYY-MM), "" before the first.
    billed_through = Varchar(length=7, default="")
    cancel_at_period_end = Boolean(default=False)
    canceled_at = Timestamptz(null=True, default=None)
    # A downgrade waits for the end of the period.
    pending_plan = Varchar(length=20, null=True, default=None)
    # bank_transfer (invoice payable in N days) or card (charged off-session)
    payment_terms = Varchar(length=20, default="bank_transfer")
    gateway = Varchar(length=20, default="bank_transfer")  # bank_transfer, stripe
    gateway_customer_id = Varchar(length=255, null=True, default=None)
    payment_method_id = Varchar(length=255, null=True, default=None)
    payment_method_summary = Varchar(length=255, default="")  # "Visa •••• 4242"
    past_due_since = Timestamptz(null=True, default=None)
    suspended_at = Timestamptz(null=True, default=None)
    # The customer's billing identity, printed on its invoices.
    billing_name = Varchar(length=200, default="")
    billing_address = Text(default="")
    billing_postal_code = Varchar(length=20, default="")
    billing_city = Varchar(length=100, default="")
    billing_country = Varchar(length=2, default="FR")  # ISO 3166-1 alpha-2
    vat_number = Varchar(length=20, default="")
    billing_email = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SubscriptionTransition(ControlTable, tablename="billing_subscription_transitions"):
    """One change of a subscription's status or plan, and why."""

    for_tenant_id = UUID(index=True)
    subscription_id = UUID(index=True)
    from_status = Varchar(length=20, null=True, default=None)
    to_status = Varchar(length=20)
    from_plan = Varchar(length=20, null=True, default=None)
    to_plan = Varchar(length=20, null=True, default=None)
    # signup, trial_ended, payment_failed, payment_succeeded, grace_expired,
    # canceled, period_ended, plan_upgraded, plan_downgrade_scheduled, staff, …
    cause = Varchar(length=60)
    detail = Text(default="")
    actor_id = UUID(null=True, default=None)
    actor_kind = Varchar(length=10, default="system")  # user, staff, system
    at = Timestamptz(default=TimestamptzNow())


class SeatChange(ControlTable, tablename="billing_seat_changes"):
    """Seats paid for a period went up from ``seats_before`` to ``seats_after``
    at ``at``: the next invoice bills the difference prorated to the day.
    ``invoice_id`` is set once an invoice has billed it."""

    for_tenant_id = UUID(index=True)
    subscription_id = UUID(index=True)
    period = Varchar(length=7)  # YYYY-MM
    seats_before = Integer()
    seats_after = Integer()
    plan = Varchar(length=20)
    cause = Varchar(length=40, default="user_added")  # user_added, recount
    user_id = UUID(null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())
    invoice_id = UUID(null=True, default=None, index=True)
