"""The plans feature's manifest: plan prices and the modules each plan enables
(the workspace refuses the routes of a module outside the tenant's plan)."""

from comptoir.billing.plans.catalog import entitlement
from comptoir.billing.plans.tables import PlanPrice
from comptoir.billing.plans.upgrade import register_upgrade_page
from comptoir.platform.features import Feature

register_upgrade_page()

FEATURE = Feature(
    name="plans",
    label="Plans",
    area="billing",
    tables=(PlanPrice,),
    entitlement=entitlement,
)
