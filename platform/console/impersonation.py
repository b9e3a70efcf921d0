"""Staff acting as a workspace user, for support: always with a stated reason,
for a limited time, written to the tenant's audit log (which its admins read)
and to the staff audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.service import OpenedSession, open_session
from comptoir.platform.auth.tables import StaffUser, User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import ensure_usable
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Conflict, ValidationFailed
from comptoir.platform.settings import get_settings

MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class Impersonation:
    tenant: Tenant
    user: User
    opened: OpenedSession
    lifetime: dt.timedelta

    @property
    def token(self) -> str:
        return self.opened.token

    @property
    def max_age(self) -> int:
        return int(self.lifetime.total_seconds())


def reason_problem(reason: str) -> str | None:
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        return (
            f"Give the reason for acting as this user (at least {MIN_REASON_LENGTH} "
            "characters); the customer's administrators will read it."
        )
    if len(reason) > MAX_REASON_LENGTH:
        return f"Keep the reason under {MAX_REASON_LENGTH} characters."
    return None


async def start_impersonation(
    tenant: Tenant,
    user_id: str,
    *,
    staff: StaffUser,
    reason: str,
    ip: str,
    user_agent: str = "",
) -> Impersonation:
    """Open a short workspace session as ``user_id`` on behalf of ``staff``.

    Refused for a suspended tenant and for a disabled user. The session ends by
    itself after ``impersonation_minutes``."""
    problem = reason_problem(reason)
    if problem:
        raise ValidationFailed({"reason": problem})
    reason = reason.strip()
    ensure_usable(tenant)
    lifetime = dt.timedelta(minutes=get_settings().impersonation_minutes)
    staff_actor = Actor(
        kind="staff", id=staff.id, label=staff.email, tenant_id=tenant.id, ip_address=ip
    )
    async with tenant_scope(tenant.id) as scope:
        user = await scope.get(User, user_id)
        if user.status != "active":
            raise Conflict("This user is disabled in this workspace; they cannot be impersonated.")
        opened = await open_session(
            tenant,
            user,
            ip_address=ip,
            user_agent=user_agent,
            impersonator_staff_id=staff.id,
            impersonation_reason=reason,
            lifetime=lifetime,
        )
        await audit.record(
            scope,
            staff_actor,
            "staff.impersonate",
            object_type="user",
            object_id=user.id,
            changes={
                "staff": staff.email,
                "user": user.email,
                "reason": reason,
                "minutes": get_settings().impersonation_minutes,
                "session": str(opened.session.id),
            },
        )
        await audit.record_staff(
            staff.id,
            staff.email,
            "staff.impersonate",
            target_tenant=tenant.id,
            detail={"slug": tenant.slug, "user": user.email, "reason": reason},
            ip_address=ip,
        )
    return Impersonation(tenant=tenant, user=user, opened=opened, lifetime=lifetime)
