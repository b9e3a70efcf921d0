"""Billing in the console: its pages, a "Billing" link in the sidebar and on
each tenant's page."""

from comptoir.billing.console.pages import BillingConsole
from comptoir.platform.features import ConsoleLink, Feature

FEATURE = Feature(
    name="billing_console",
    label="Billing console",
    area="billing",
    page_routes=(BillingConsole,),
    console_nav=(
        ConsoleLink(key="billing", label="Billing", path="/console/billing", icon="file"),
    ),
    console_tenant_links=(
        ConsoleLink(
            key="billing",
            label="Billing",
            path="/console/tenants/{tenant_id}/billing",
            icon="file",
        ),
    ),
)
