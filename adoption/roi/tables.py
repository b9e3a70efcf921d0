"""The ROI baseline a tenant admin enters: one row per tenant, every figure
empty (NULL) until entered."""

from piccolo.columns import UUID, Integer, Numeric, Timestamptz

from comptoir.platform.db.base import TenantTable

MONEY = (14, 2)
MINUTES = (10, 2)


class RoiBaseline(TenantTable, tablename="roi_baselines"):
    entered_at = Timestamptz(null=True, default=None)  # first saved; None: not entered yet
    updated_at = Timestamptz(null=True, default=None)
    updated_by = UUID(null=True, default=None)
    subscription_monthly = Numeric(digits=MONEY, null=True, default=None)
    implementation_cost = Numeric(digits=MONEY, null=True, default=None)
    training_cost = Numeric(digits=MONEY, null=True, default=None)
    sales_staff = Integer(null=True, default=None)
    sales_hourly_cost = Numeric(digits=MONEY, null=True, default=None)
    marketing_staff = Integer(null=True, default=None)
    marketing_hourly_cost = Numeric(digits=MONEY, null=True, default=None)
    service_staff = Integer(null=True, default=None)
    service_hourly_cost = Numeric(digits=MONEY, null=True, default=None)
    quote_minutes = Numeric(digits=MINUTES, null=True, default=None)
    ticket_minutes = Numeric(digits=MINUTES, null=True, default=None)
    campaign_minutes = Numeric(digits=MINUTES, null=True, default=None)
    history_minutes = Numeric(digits=MINUTES, null=True, default=None)
    quotes_per_month = Integer(null=True, default=None)
    tickets_per_month = Integer(null=True, default=None)
    campaigns_per_month = Integer(null=True, default=None)
    history_lookups_per_month = Integer(null=True, default=None)
    win_rate = Numeric(digits=(5, 2), null=True, default=None)  # percent
