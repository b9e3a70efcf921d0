"""The adoption reports feature's manifest."""

from comptoir.adoption.reports.tables import MonthlyReport
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="adoption_reports",
    label="Adoption reports",
    area="adoption",
    tables=(MonthlyReport,),
)
