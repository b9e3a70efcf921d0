"""What staff see and do to tenants: the directory with search, one tenant's
facts and logs, suspension and reactivation.

The console reads across areas (provisioning lives with signup), the way the
app factory assembles them; it writes only through the owning services."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from piccolo.columns.combination import Or
from piccolo.query.functions.aggregate import Count

from comptoir.platform.audit import service as audit
from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.auth.tables import StaffUser, User, UserSession
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.pagination import decode_cursor, encode_cursor
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.db.search import normalise
from comptoir.platform.directory import service as directory
from comptoir.platform.directory.service import provisioning_log
from comptoir.platform.directory.tables import ProvisioningEvent, Tenant
from comptoir.platform.errors import Conflict, NotFound, ValidationFailed
from comptoir.platform.outbox.tables import OutboxMessage

PAGE_SIZE = 50
STATUSES = ("trial", "active", "suspended")
MIN_SUSPEND_REASON = 3


# ---- the directory -------------------------------------------------------------


@dataclass(frozen=True)
class TenantStats:
    total: int
    trial: int
    active: int
    suspended: int


async def tenant_stats() -> TenantStats:
    rows = await Tenant.select(Tenant.status, Count(alias="count")).group_by(Tenant.status)
    counts = {row["status"]: row["count"] for row in rows}
    return TenantStats(
        total=sum(counts.values()),
        trial=counts.get("trial", 0),
        active=counts.get("active", 0),
        suspended=counts.get("suspended", 0),
    )


@dataclass(frozen=True)
class TenantPage:
    items: list[Tenant]
    next_cursor: str | None
    query: str
    status: str


async def search_tenants(
    query: str = "", *, status: str = "", cursor: str | None = None, limit: int = PAGE_SIZE
) -> TenantPage:
    """Tenants newest first (ids are UUIDv7), filtered by a search over slug
    and company name and by status; keyset pagination."""
    query = query.strip()[:100]
    status = status if status in STATUSES else ""
    select = Tenant.objects().order_by(Tenant.id, ascending=False)
    if query:
        # SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE.
        insensitive = is_postgres(get_engine())
        terms = {f"%{term.replace('%', '')}%" for term in (query, normalise(query))}
        conditions = [
            column.ilike(term) if insensitive else column.like(term)
            for column in (Tenant.slug, Tenant.company_name)
            for term in terms
        ]
        combined = conditions[0]
        for condition in conditions[1:]:
            combined = Or(combined, condition)  # type: ignore[assignment]
        select = select.where(combined)
    if status:
        select = select.where(Tenant.status == status)
    after = decode_cursor(cursor)
    if after is not None:
        select = select.where(Tenant.id < after)
    rows = await select.limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return TenantPage(
        items=rows,
        next_cursor=encode_cursor(rows[-1].id) if more and rows else None,
        query=query,
        status=status,
    )


async def get_tenant(tenant_id: str) -> Tenant:
    tenant = await directory.tenant_by_id(tenant_id)
    if tenant is None:
        raise NotFound("No such tenant.")
    return tenant


# ---- one tenant --------------------------------------------------------------


@dataclass(frozen=True)
class TenantOverview:
    tenant: Tenant
    users: list[User]
    live_sessions: dict[uuid.UUID, int]
    provisioning: list[ProvisioningEvent]
    audit: list[AuditEntry]
    outbox: list[OutboxMessage]
    outbox_total: int


async def tenant_overview(tenant: Tenant, *, audit_limit: int = 50) -> TenantOverview:
    """Everything the tenant page shows, read in one tenant transaction."""
    now = dt.datetime.now(dt.UTC)
    provisioning = await provisioning_log(tenant.id)
    async with tenant_scope(tenant.id) as scope:
        users = await scope.objects(User).order_by(User.last_name).order_by(User.first_name)
        sessions = await (
            scope.select(UserSession, UserSession.user_id)
            .where(UserSession.revoked_at.is_null())
            .where(UserSession.expires_at > now)
        )
        entries = await (
            scope.objects(AuditEntry)
            .order_by(AuditEntry.id, ascending=False)
            .limit(audit_limit)
            .output(load_json=True)
        )
        outbox = await (
            scope.objects(OutboxMessage).order_by(OutboxMessage.id, ascending=False).limit(50)
        )
        outbox_total = await scope.count(OutboxMessage)
    live: dict[uuid.UUID, int] = {}
    for row in sessions:
        live[row["user_id"]] = live.get(row["user_id"], 0) + 1
    return TenantOverview(
        tenant=tenant,
        users=users,
        live_sessions=live,
        provisioning=provisioning,
        audit=entries,
        outbox=outbox,
        outbox_total=outbox_total,
    )


async def outbox_message(
    tenant: Tenant, message_id: str, *, staff: StaffUser, ip: str
) -> OutboxMessage:
    """One message of the tenant's outbox, for a staff member to read: the
    reading is written to the staff audit log. Show it through
    ``redact`` (its links may still carry a live token while it waits)."""
    async with tenant_scope(tenant.id) as scope:
        message = await scope.get(OutboxMessage, message_id)
    await audit.record_staff(
        staff.id,
        staff.email,
        "outbox.read",
        target_tenant=tenant.id,
        detail={"message": str(message.id), "kind": message.kind, "status": message.status},
        ip_address=ip,
    )
    return message


# ---- suspension ----------------------------------------------------------------


async def suspend_tenant(tenant: Tenant, *, staff: StaffUser, reason: str, ip: str) -> Tenant:
    """Suspend: the tenant's users and API tokens are refused with a clear
    message until reactivation; nothing is deleted. Written to the tenant's
    audit log (by the directory) and to the staff audit log."""
    reason = reason.strip()
    if len(reason) < MIN_SUSPEND_REASON:
        raise ValidationFailed({"reason": "Say why the workspace is suspended."})
    if len(reason) > 500:
        raise ValidationFailed({"reason": "Keep the reason under 500 characters."})
    if tenant.status == "suspended":
        raise Conflict("This workspace is already suspended.")
    async with tenant_scope(tenant.id):
        await directory.set_status(
            tenant,
            "suspended",
            reason=reason,
            actor_label=staff.email,
            staff_id=staff.id,
            ip_address=ip,
        )
        await audit.record_staff(
            staff.id,
            staff.email,
            "tenant.suspend",
            target_tenant=tenant.id,
            detail={"slug": tenant.slug, "reason": reason},
            ip_address=ip,
        )
    return tenant


async def reactivate_tenant(tenant: Tenant, *, staff: StaffUser, ip: str) -> Tenant:
    if tenant.status != "suspended":
        raise Conflict("This workspace is not suspended.")
    async with tenant_scope(tenant.id):
        await directory.set_status(
            tenant, "active", actor_label=staff.email, staff_id=staff.id, ip_address=ip
        )
        await audit.record_staff(
            staff.id,
            staff.email,
            "tenant.reactivate",
            target_tenant=tenant.id,
            detail={"slug": tenant.slug, "status": tenant.status},
            ip_address=ip,
        )
    return tenant
