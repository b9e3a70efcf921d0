"""The company feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.tenants.company.tables import CompanyProfile

FEATURE = Feature(
    name="company",
    label="Company profile",
    tables=(CompanyProfile,),
)
