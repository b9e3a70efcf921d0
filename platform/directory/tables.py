"""The tenant directory: which companies have a workspace, on which plan, in which state."""

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable


class Tenant(ControlTable, tablename="tenants"):
    slug = Varchar(length=40, unique=True)
    company_name = Varchar(length=200)
    plan = Varchar(length=20, default="essentiel")
    status = Varchar(length=20, default="trial")  # trial, active, suspended
    trial_ends_at = Timestamptz(null=True, default=None)
    suspended_at = Timestamptz(null=True, default=None)
    suspended_reason = Varchar(length=500, null=True, default=None)
    signup_idempotency_key = Varchar(length=200, null=True, default=None, unique=True)
    signup_fingerprint = Varchar(length=64, null=True, default=None)
    locale = Varchar(length=10, default="fr")
    timezone = Varchar(length=64, default="Europe/Paris")
    # Who sees which records: "all" (everyone sees everything) or
    # "own_and_team" (users without the see-all right see their own and
    # their team's records only).
    sharing_rule = Varchar(length=20, default="all")
    user_count = Integer(default=0)
    last_activity_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ProvisioningEvent(ControlTable, tablename="provisioning_events"):
    """One step of a tenant's provisioning, shown to staff on the tenant's page.
    The control plane's record, written outside the tenant's transaction (a
    tenant's data may later live in another cell): it names its tenant in
    ``for_tenant_id`` and has no row-level security."""

    for_tenant_id = UUID(index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    step = Varchar(length=60)
    detail = Text(default="")
