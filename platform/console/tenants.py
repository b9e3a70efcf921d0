"""What staff see and do to tenants: the directory with search, one tenant's
facts and logs, suspension and reactivation.

The console reads across areas (provisioning lives with signup), the way the
app factory assembles them; it writes only through the owning services."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

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

USERS_PAGE = 25
AUDIT_PAGE = 25
OUTBOX_PAGE = 10
OUTBOX_COUNT_CAP = 999  # past this the page says "999+": never count a big table
# Entries about these objects describe the workspace itself and its people
# (the provider's customers' staff): staff may read their values. For any
# other object (contacts, accounts, ...) staff see which fields changed, not
# what they hold: record contents only through audited impersonation.
METADATA_OBJECTS = frozenset({"tenant", "user", "invitation", "api_token", "session", "team"})
PLATFORM_ACTIONS = (
    "tenant.provision",
    "tenant.suspend",
    "tenant.reactivate",
    "user.login",
    "user.logout",
    "password.reset_requested",
    "password.reset",
    "password.change",
    "session.revoke",
    "staff.impersonate",
)


def audit_actions() -> list[str]:
    """Every audit action the installation's features declare, for the filter."""
    from comptoir.platform.assembly import all_features

    actions = set(PLATFORM_ACTIONS)
    for feature in all_features():
        actions.update(feature.audit_labels)
    return sorted(actions)


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditFilter:
    """The tenant page's audit log filters: one action, and days (UTC) from and to."""

    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def parse(cls, action: str | None, since: str | None, until: str | None) -> AuditFilter:
        return cls(action=(action or "").strip()[:60], since=_day(since), until=_day(until))

    def params(self) -> dict[str, str]:
        found = {
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in found.items() if v}


@dataclass(frozen=True)
class AuditLine:
    """One audit entry as staff see it: the values only for metadata objects,
    otherwise the names of the fields it touched."""

    entry: AuditEntry
    values: dict[str, Any]
    fields: list[str]


def audit_line(entry: AuditEntry) -> AuditLine:
    changes: dict[str, Any] = entry.changes if isinstance(entry.changes, dict) else {}
    if entry.object_type in METADATA_OBJECTS or entry.action.startswith("staff."):
        return AuditLine(entry=entry, values=changes, fields=[])
    return AuditLine(entry=entry, values={}, fields=sorted(str(key) for key in changes))


@dataclass(frozen=True)
class TenantOverview:
    tenant: Tenant
    users: list[User]
    users_next: str | None
    live_sessions: dict[uuid.UUID, int]
    provisioning: list[ProvisioningEvent]
    audit: list[AuditLine]
    audit_next: str | None
    audit_filter: AuditFilter
    outbox: list[OutboxMessage]
    outbox_next: str | None
    outbox_total: str
    user_addresses: frozenset[str]


def _page_of(rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)


async def tenant_overview(
    tenant: Tenant,
    *,
    users_cursor: str | None = None,
    audit_cursor: str | None = None,
    outbox_cursor: str | None = None,
    audit_filter: AuditFilter | None = None,
) -> TenantOverview:
    """What the tenant page shows, one page of each list (keyset, newest
    first; users oldest first), read in one tenant transaction with bounded
    queries. ValidationFailed for a cursor this page did not make."""
    audit_filter = audit_filter or AuditFilter()
    now = dt.datetime.now(dt.UTC)
    users_after = decode_cursor(users_cursor)
    audit_before = decode_cursor(audit_cursor)
    outbox_before = decode_cursor(outbox_cursor)
    provisioning = await provisioning_log(tenant.id)
    async with tenant_scope(tenant.id) as scope:
        users_query = scope.objects(User).order_by(User.id).limit(USERS_PAGE + 1)
        if users_after is not None:
            users_query = users_query.where(User.id > users_after)
        users, users_next = _page_of(list(await users_query), USERS_PAGE)
        live: dict[uuid.UUID, int] = {}
        if users:
            sessions = await (
                scope.select(UserSession, UserSession.user_id, Count(alias="count"))
                .where(UserSession.user_id.is_in([u.id for u in users]))
                .where(UserSession.revoked_at.is_null())
                .where(UserSession.expires_at > now)
                .group_by(UserSession.user_id)
            )
            live = {row["user_id"]: row["count"] for row in sessions}

        audit_query = (
            scope.objects(AuditEntry)
            .order_by(AuditEntry.id, ascending=False)
            .limit(AUDIT_PAGE + 1)
            .output(load_json=True)
        )
        if audit_before is not None:
            audit_query = audit_query.where(AuditEntry.id < audit_before)
        if audit_filter.action:
            audit_query = audit_query.where(AuditEntry.action == audit_filter.action)
        if audit_filter.since:
            start = dt.datetime.combine(audit_filter.since, dt.time(), tzinfo=dt.UTC)
            audit_query = audit_query.where(AuditEntry.created_at >= start)
        if audit_filter.until:
            end = dt.datetime.combine(audit_filter.until, dt.time(), tzinfo=dt.UTC)
            audit_query = audit_query.where(AuditEntry.created_at < end + dt.timedelta(days=1))
        entries, audit_next = _page_of(list(await audit_query), AUDIT_PAGE)

        outbox_query = (
            scope.objects(OutboxMessage)
            .order_by(OutboxMessage.id, ascending=False)
            .limit(OUTBOX_PAGE + 1)
        )
        if outbox_before is not None:
            outbox_query = outbox_query.where(OutboxMessage.id < outbox_before)
        outbox, outbox_next = _page_of(list(await outbox_query), OUTBOX_PAGE)
        counted = await (
            scope.select(OutboxMessage, OutboxMessage.id)
            .limit(OUTBOX_COUNT_CAP + 1)
            .output(as_list=True)
        )
        addresses = list({m.to_address for m in outbox})
        known = (
            await scope.select(User, User.email).where(User.email.is_in(addresses))
            if addresses
            else []
        )
    total = len(counted)
    return TenantOverview(
        tenant=tenant,
        users=users,
        users_next=users_next,
        live_sessions=live,
        provisioning=provisioning,
        audit=[audit_line(entry) for entry in entries],
        audit_next=audit_next,
        audit_filter=audit_filter,
        outbox=outbox,
        outbox_next=outbox_next,
        outbox_total=f"{OUTBOX_COUNT_CAP}+" if total > OUTBOX_COUNT_CAP else str(total),
        user_addresses=frozenset(row["email"] for row in known),
    )


def masked_address(address: str) -> str:
    """``j•••@exemple.fr``: whom a message went to, without the person."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


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
