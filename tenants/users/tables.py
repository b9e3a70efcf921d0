"""Roles and invitations of a workspace."""

from piccolo.columns import JSON, UUID, Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import TenantTable


class Role(TenantTable, tablename="roles"):
    key = Varchar(length=20)  # admin, key_user, end_user; unique per tenant
    name = Varchar(length=100)
    description = Text(default="")
    # "feature.action" strings this role may do, e.g. "contacts.edit".
    permissions = JSON(default=[])
    # The features whose grants were set when the role was last written; a
    # feature added since then gives this role its default grants.
    known_features = JSON(default=[])
    # Sees every record whatever the sharing rule (admins and key users).
    sees_all_records = Boolean(default=False)


class Invitation(TenantTable, tablename="invitations"):
    email = Varchar(length=254)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    role = Varchar(length=20, default="end_user")
    token_hash = Varchar(length=64, index=True)
    invited_by = UUID(null=True, default=None)
    expires_at = Timestamptz(default=TimestamptzNow())
    accepted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
