"""Support staff leaving a workspace they entered as one of its users."""

from __future__ import annotations

import datetime as dt
import uuid

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import StaffUser, User, UserSession
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import NotFound


async def end_impersonation(tenant_id: uuid.UUID, session_id: uuid.UUID, *, actor: Actor) -> None:
    """End the impersonated session ``session_id`` before its time is up.

    Only that session's own request may end it (staff acting as the user). The
    tenant's audit log, which its admins read, and the staff audit log say so."""
    if actor.impersonator_staff_id is None or actor.session_id != session_id:
        raise NotFound("No support session to end here.")
    async with tenant_scope(tenant_id) as scope:
        session = await scope.get(UserSession, session_id)
        if session.impersonator_staff_id != actor.impersonator_staff_id:
            raise NotFound("No support session to end here.")
        if session.revoked_at is not None:
            return
        session.revoked_at = dt.datetime.now(dt.UTC)
        await scope.save(session, columns=[UserSession.revoked_at])
        user = await scope.find(User, session.user_id)
        email = user.email if user is not None else ""
        await audit.record(
            scope,
            actor,
            "staff.impersonate_end",
            object_type="user",
            object_id=session.user_id,
            changes={"user": email, "reason": session.impersonation_reason or ""},
        )
        staff = await StaffUser.objects().where(StaffUser.id == actor.impersonator_staff_id).first()
        await audit.record_staff(
            actor.impersonator_staff_id,
            staff.email if staff is not None else "",
            "staff.impersonate_end",
            target_tenant=tenant_id,
            detail={"user": email},
            ip_address=actor.ip_address,
        )
