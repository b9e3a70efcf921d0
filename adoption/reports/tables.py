"""Which monthly adoption reports went out, so a re-run sends none twice."""

from piccolo.columns import Integer, Varchar

from comptoir.platform.db.base import TenantTable


class MonthlyReport(TenantTable, tablename="adoption_monthly_reports"):
    """The report of one month, queued to the tenant's admins (unique per
    tenant and month: an index in the migration)."""

    month = Varchar(length=7)  # YYYY-MM
    recipients = Integer(default=0)
