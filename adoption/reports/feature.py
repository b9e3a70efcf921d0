"""The adoption reports feature's manifest: the monthly report e-mail."""

from comptoir.adoption.reports.service import MONTHLY_REPORT
from comptoir.adoption.reports.tables import MonthlyReport
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="adoption_reports",
    label="Adoption reports",
    area="adoption",
    tables=(MonthlyReport,),
    job_kinds=(MONTHLY_REPORT,),
)
