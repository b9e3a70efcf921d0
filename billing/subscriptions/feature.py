"""The billing feature's manifest: a workspace's subscription (plan, status,
seats), its trial, plan changes and cancellation, and the admin's billing page."""

from comptoir.billing.demo import seed_billing_demo
from comptoir.billing.subscriptions.controllers import SubscriptionController
from comptoir.billing.subscriptions.pages import BillingPages
from comptoir.billing.subscriptions.service import on_seat_events, provision_subscription
from comptoir.billing.subscriptions.tables import SeatChange, Subscription, SubscriptionTransition
from comptoir.platform.features import Feature, NavEntry

FEATURE = Feature(
    name="billing",
    label="Billing",
    area="billing",
    api_routes=(SubscriptionController,),
    page_routes=(BillingPages,),
    suspended_landing="/admin/billing",
    demo_seeders=(seed_billing_demo,),
    tables=(Subscription, SubscriptionTransition, SeatChange),
    nav=(
        NavEntry(
            key="admin-billing",
            label="Billing",
            path="/admin/billing",
            icon="file",
            action="view",
            group="admin",
            order=12,
        ),
    ),
    audit_labels={
        "billing.status": "The subscription's status changed",
        "billing.plan_change": "Changed the plan",
        "billing.plan_downgrade": "Scheduled a downgrade at the end of the period",
        "billing.downgrade_cancel": "Withdrew a scheduled downgrade",
        "billing.cancel": "Canceled the subscription at the end of the period",
        "billing.resume": "Withdrew the subscription's cancellation",
        "billing.details": "Changed the billing details",
        "billing.trial_extend": "Extended the trial",
        "billing.credit_note": "Issued a credit note",
    },
    # The subscription and its invoices are the administrators' business.
    permissions={"admin": frozenset({"view", "manage"})},
    events=("seats.counted",),
    listeners=(on_seat_events,),
    provisioners=(provision_subscription,),
    flashes={
        "billing_upgraded": (
            "success",
            "Plan upgraded: the rest of the month's difference has been invoiced.",
        ),
        "billing_plan_changed": ("success", "Plan changed."),
        "billing_downgrade_scheduled": (
            "success",
            "The new plan will apply at the end of the current period.",
        ),
        "billing_downgrade_withdrawn": ("success", "The scheduled plan change was withdrawn."),
        "billing_cancel_scheduled": (
            "success",
            "The subscription will end with the current period. Your data is kept.",
        ),
        "billing_resumed": ("success", "The cancellation was withdrawn."),
        "billing_details_saved": ("success", "Billing details saved."),
    },
)
