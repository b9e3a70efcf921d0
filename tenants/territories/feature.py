"""The territories feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.tenants.territories.tables import Territory

FEATURE = Feature(
    name="territories",
    label="Territories",
    module="sales",
    tables=(Territory,),
)
