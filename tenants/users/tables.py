"""Roles and invitations of a workspace."""

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import TenantTable


class Role(TenantTable, tablename="roles"):  # type: ignore[call-arg]
    key = Varchar(length=20)  # admin, key_user, end_user; unique per tenant
    name = Varchar(length=100)
    description = Text(default="")


class Invitation(TenantTable, tablename="invitations"):  # type: ignore[call-arg]
    email = Varchar(length=254)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    role = Varchar(length=20, default="end_user")
    token_hash = Varchar(length=64, index=True)
    invited_by = UUID(null=True, default=None)
    expires_at = Timestamptz(default=TimestamptzNow())
    accepted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
