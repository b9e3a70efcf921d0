"""The plans feature's manifest: plan prices and the modules each plan enables."""

from comptoir.billing.plans.tables import PlanPrice
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="plans",
    label="Plans",
    area="billing",
    tables=(PlanPrice,),
)
