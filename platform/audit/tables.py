"""Who did what to which record: one log per tenant, and one for staff."""

from piccolo.columns import JSON, UUID, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable, TenantTable


class AuditEntry(TenantTable, tablename="audit_log"):
    actor_type = Varchar(length=10, default="user")  # user, staff, system
    actor_id = UUID(null=True, default=None)
    actor_label = Varchar(length=254, default="")
    action = Varchar(length=60)
    object_type = Varchar(length=40, default="")
    object_id = Varchar(length=40, default="")
    changes = JSON(default={})
    ip_address = Varchar(length=64, default="")


class StaffAuditEntry(ControlTable, tablename="staff_audit_log"):
    staff_id = UUID(null=True, default=None)
    staff_email = Varchar(length=254, default="")
    action = Varchar(length=60)
    target_tenant = UUID(null=True, default=None)
    detail = JSON(default={})
    ip_address = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
