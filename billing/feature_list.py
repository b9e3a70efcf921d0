"""The features of the billing area, one line each: their manifests say the rest."""

from comptoir.billing.console.feature import FEATURE as BILLING_CONSOLE
from comptoir.billing.dunning.feature import FEATURE as DUNNING
from comptoir.billing.invoices.feature import FEATURE as INVOICES
from comptoir.billing.payments.feature import FEATURE as PAYMENTS
from comptoir.billing.plans.feature import FEATURE as PLANS
from comptoir.billing.subscriptions.feature import FEATURE as SUBSCRIPTIONS
from comptoir.billing.webhooks.feature import FEATURE as WEBHOOKS
from comptoir.platform.features import Feature

BILLING_FEATURES: tuple[Feature, ...] = (
    PLANS,
    SUBSCRIPTIONS,
    INVOICES,
    PAYMENTS,
    WEBHOOKS,
    DUNNING,
    BILLING_CONSOLE,
)
