"""The subscription feature's manifest: a workspace's plan, status and seats."""

from comptoir.billing.subscriptions.tables import SeatChange, Subscription, SubscriptionTransition
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="billing",
    label="Billing",
    area="billing",
    tables=(Subscription, SubscriptionTransition, SeatChange),
)
