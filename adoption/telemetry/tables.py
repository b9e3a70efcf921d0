"""The raw event store: one row per value event, login or page view, kept
``COMPTOIR_RAW_EVENTS_DAYS`` days (90 by default) then purged; the rollups
keep the counts."""

from piccolo.columns import UUID, Integer, Timestamptz, Varchar

from comptoir.platform.db.base import TenantTable


class UsageEvent(TenantTable, tablename="usage_events"):
    """Something a user (or a job, ``user_id`` None) did in the workspace.

    ``role`` is the user's role when it happened, ``module`` one of sales,
    marketing, service, admin, training; ``hour`` is the UTC hour it happened
    in (hours since the Unix epoch), what the rollups group by on both engines."""

    user_id = UUID(null=True, default=None)
    role = Varchar(length=20, default="")
    module = Varchar(length=20, default="admin")
    object_type = Varchar(length=40, default="")
    event = Varchar(length=60)
    quantity = Integer(default=0)
    occurred_at = Timestamptz()
    hour = Integer()


class LateHour(TenantTable, tablename="usage_late_hours"):
    """An hour that received events after it may have been rolled up (a
    transaction open across the hour's end and the rollups' grace): the
    next rollup rolls it up again. One row per tenant and hour."""

    hour = Integer()
    marked_at = Timestamptz()
