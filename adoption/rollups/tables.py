"""Rollups of the raw events, Zulip-style: counts per hour and per local day,
per user and per tenant; zero rows are never stored.

The tenant's hourly counts are the sum of its users' (one row per user, plus
``user_id`` None for what jobs did), so only the per-user table exists."""

from piccolo.columns import UUID, Boolean, Date, Integer, Varchar

from comptoir.platform.db.base import TenantTable


class UsageHour(TenantTable, tablename="usage_hours"):
    """Events of one user in one UTC hour, by role, module and event."""

    hour = Integer()  # hours since the Unix epoch, UTC
    user_id = UUID(null=True, default=None)
    role = Varchar(length=20, default="")
    module = Varchar(length=20, default="admin")
    event = Varchar(length=60)
    value = Boolean(default=True)  # a value event (counts for "active")
    events = Integer(default=0)
    quantity = Integer(default=0)


class UsageDay(TenantTable, tablename="usage_days"):
    """Events of one user on one day of the tenant's calendar (its time zone),
    by role and module: what the usage figures read."""

    day = Date()
    user_id = UUID(null=True, default=None)
    role = Varchar(length=20, default="")
    module = Varchar(length=20, default="admin")
    events = Integer(default=0)
    value_events = Integer(default=0)
    quantity = Integer(default=0)


class TenantUsageDay(TenantTable, tablename="tenant_usage_days"):
    """The tenant's events on one local day, by event, module and role."""

    day = Date()
    event = Varchar(length=60)
    module = Varchar(length=20, default="admin")
    role = Varchar(length=20, default="")
    value = Boolean(default=True)
    events = Integer(default=0)
    quantity = Integer(default=0)


class RollupState(TenantTable, tablename="usage_rollup_states"):
    """The last finished hour rolled up for the tenant: a run starts after it,
    so a crashed or repeated run redoes exactly what is missing."""

    last_hour = Integer()


class ActiveUserDay(TenantTable, tablename="usage_active_user_days"):
    """A user active on one local day (at least one value event): the roles
    and modules of their value events that day as bits (``active_days.bits``).
    One row per user and day, where ``usage_days`` has one per role and module:
    what the figures of "who was active when" read."""

    day = Date()
    user_id = UUID()
    roles = Integer(default=0)
    modules = Integer(default=0)
    value_events = Integer(default=0)


class ActiveCounts(TenantTable, tablename="usage_active_counts"):
    """The tenant's DAU, WAU and MAU of one local day (distinct active users
    over the trailing 1, 7 and 30 days), kept by the rollups: a rebuilt day
    and the 29 days after it are counted again. Days with MAU 0 are not stored."""

    day = Date()
    dau = Integer(default=0)
    wau = Integer(default=0)
    mau = Integer(default=0)
