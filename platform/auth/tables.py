"""Identities: workspace users, their sessions and API tokens; staff and theirs."""

from piccolo.columns import UUID, Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import ControlTable, TenantTable


class User(TenantTable, tablename="users"):
    """A person in one tenant's workspace. ``email`` is stored lower-cased and
    is unique per tenant (composite index in the migration)."""

    email = Varchar(length=254)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    role = Varchar(length=20, default="end_user")
    status = Varchar(length=20, default="active")  # active, disabled
    password_hash = Varchar(length=255, null=True, default=None)
    locale = Varchar(length=10, default="fr")
    team_id = UUID(null=True, default=None, index=True)
    last_login_at = Timestamptz(null=True, default=None)


class UserSession(TenantTable, tablename="user_sessions"):
    token_hash = Varchar(length=64, index=True)
    user_id = UUID(index=True, default=None)
    expires_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    ip_address = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")
    impersonator_staff_id = UUID(null=True, default=None)
    impersonation_reason = Varchar(length=500, null=True, default=None)
    # When the user last entered their password in this session (sign-in or a
    # confirmation): sensitive actions need it recent. None for staff
    # impersonating the user, who never know the password.
    authenticated_at = Timestamptz(null=True, default=None)


class ApiToken(TenantTable, tablename="api_tokens"):
    name = Varchar(length=100, default="")
    token_hash = Varchar(length=64, index=True)
    prefix = Varchar(length=16, default="")
    user_id = UUID(index=True, default=None)
    created_by = UUID(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # Refused from this moment on; None never expires.
    expires_at = Timestamptz(null=True, default=None)


class StaffUser(ControlTable, tablename="staff_users"):
    email = Varchar(length=254, unique=True)
    name = Varchar(length=100, default="")
    password_hash = Varchar(length=255)
    totp_secret = Varchar(length=64)
    # The last TOTP time step accepted, so a code cannot be used twice.
    last_totp_step = Integer(null=True, default=None)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class StaffSession(ControlTable, tablename="staff_sessions"):
    token_hash = Varchar(length=64, unique=True)
    staff_id = UUID(index=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    ip_address = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")


class LoginThrottle(ControlTable, tablename="login_throttle"):
    """Failed logins per key (an account or an address) in the current window."""

    key = Varchar(length=300, unique=True)
    failures = Integer(default=0)
    window_started_at = Timestamptz(default=TimestamptzNow())
    locked_until = Timestamptz(null=True, default=None)


class PasswordReset(TenantTable, tablename="password_resets"):
    """A "forgot my password" link: usable once, for an hour."""

    user_id = UUID(index=True, default=None)
    token_hash = Varchar(length=64)
    expires_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)
    ip_address = Varchar(length=64, default="")
