"""Reading a tenant's audit log for its administrators, newest first."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.db.pagination import Page, decode_cursor, encode_cursor
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import id_floor

PAGE_SIZE = 40
STAFF_WINDOW = dt.timedelta(days=90)

# Audit actions of the shell and the platform; features add theirs in their
# manifests (``Feature.audit_labels``). action -> English label, translated when shown.
SHELL_LABELS = {
    "tenant.provision": "Workspace created",
    "tenant.suspend": "Workspace suspended",
    "tenant.reactivate": "Workspace reactivated",
    "user.login": "Signed in",
    "user.logout": "Signed out",
    "password.reset_requested": "Asked for a password link",
    "password.reset": "Chose a new password by e-mail link",
    "password.change": "Changed their password",
    "password.confirm": "Confirmed their password for a sensitive action",
    "session.revoke": "Revoked a session",
    "staff.impersonate": "Support staff signed in as a user",
    "staff.impersonate_end": "Support staff ended their session as a user",
}


@cache
def action_labels() -> dict[str, str]:
    from comptoir.platform.assembly import all_features

    labels = dict(SHELL_LABELS)
    for feature in all_features():
        labels.update(feature.audit_labels)
    return labels


@dataclass(frozen=True)
class StaffAccess:
    """A recent access by the provider's support staff, shown prominently."""

    entry: AuditEntry

    @property
    def reason(self) -> str:
        changes: dict[str, Any] = self.entry.changes if isinstance(self.entry.changes, dict) else {}
        return str(changes.get("reason", ""))


@dataclass(frozen=True)
class AuditFilter:
    """What an administrator narrows the log to: one action, and days (inclusive) in the
    workspace's time zone."""

    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    timezone: str = "Europe/Paris"

    @property
    def active(self) -> bool:
        return bool(self.action or self.since or self.until)

    def _start_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(self.timezone))

    def id_range(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        """Ids are UUIDv7, ordered by time: the days become a range of ids (lowest
        included, highest excluded), which the primary key index serves."""
        low = id_floor(self._start_of(self.since)) if self.since else None
        high = id_floor(self._start_of(self.until + dt.timedelta(days=1))) if self.until else None
        return low, high


async def audit_page(
    tenant_id: uuid.UUID, cursor: str | None = None, filters: AuditFilter | None = None
) -> Page[AuditEntry]:
    """One page (PAGE_SIZE entries at most) of the log, newest first, after ``cursor``."""
    filters = filters or AuditFilter()
    before = decode_cursor(cursor)
    low, high = filters.id_range()
    if high is not None and (before is None or high < before):
        before = high
    async with tenant_scope(tenant_id) as scope:
        query = (
            scope.objects(AuditEntry)
            .order_by(AuditEntry.id, ascending=False)
            .limit(PAGE_SIZE + 1)
            .output(load_json=True)
        )
        if before is not None:
            query = query.where(AuditEntry.id < before)
        if low is not None:
            query = query.where(AuditEntry.id >= low)
        if filters.action:
            query = query.where(AuditEntry.action == filters.action)
        rows = list(await query)
    next_cursor = encode_cursor(rows[PAGE_SIZE - 1].id) if len(rows) > PAGE_SIZE else None
    return Page(items=rows[:PAGE_SIZE], next_cursor=next_cursor)


async def recent_staff_access(tenant_id: uuid.UUID, limit: int = 5) -> list[StaffAccess]:
    since = dt.datetime.now(dt.UTC) - STAFF_WINDOW
    async with tenant_scope(tenant_id) as scope:
        rows = await (
            scope.objects(AuditEntry)
            .where(AuditEntry.actor_type == "staff")
            .where(AuditEntry.created_at >= since)
            .order_by(AuditEntry.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
    return [StaffAccess(entry=row) for row in rows]
