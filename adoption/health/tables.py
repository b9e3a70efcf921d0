"""Health scores of every tenant, on the control plane so the console lists
them without opening each tenant's data."""

from piccolo.columns import UUID, Date, DoublePrecision, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable


class HealthSnapshot(ControlTable, tablename="adoption_health_snapshots"):
    """The latest health score of a tenant and the figures behind it (one row
    per tenant, replaced by each computation). A component without data
    (no completeness rules, no training) is None and left out of the score."""

    for_tenant_id = UUID(index=True)
    computed_at = Timestamptz(default=TimestamptzNow())
    day = Date()
    score = Integer(default=0)  # 0..100
    band = Varchar(length=10, default="at_risk")  # healthy, watch, at_risk
    seats = Integer(default=0)
    mau = Integer(default=0)
    seat_activation = DoublePrecision(null=True, default=None)
    stickiness = DoublePrecision(null=True, default=None)
    completeness = DoublePrecision(null=True, default=None)
    training = DoublePrecision(null=True, default=None)
    trend = DoublePrecision(null=True, default=None)  # active users, this week vs last
