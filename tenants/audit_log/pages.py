"""The workspace's audit log, for those allowed to read it: pages of at most
PAGE_SIZE entries, filtered by action and by days."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Template

from comptoir.platform.i18n import gettext as _
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.audit_log.service import (
    AuditFilter,
    action_labels,
    audit_page,
    recent_staff_access,
)
from comptoir.tenants.users.service import list_users
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import render_page


def _day(value: str | None, errors: dict[str, str], field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Choose a date in the calendar.")
        return None


def read_filters(
    page: WorkspacePage, action: str | None, since: str | None, until: str | None
) -> tuple[AuditFilter, dict[str, str]]:
    """The filters asked for, and a message per one that cannot be used (it is then left out)."""
    errors: dict[str, str] = {}
    action = (action or "").strip()
    if action and action not in action_labels():
        errors["action"] = _("This action is not one the audit log records.")
        action = ""
    first, last = _day(since, errors, "since"), _day(until, errors, "until")
    if first and last and first > last:
        errors["until"] = _("The end date comes before the start date.")
        last = None
    return AuditFilter(action, first, last, page.tenant.timezone or "Europe/Paris"), errors


class AuditPages(Controller):
    path = "/w/{slug:str}/admin"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/audit", name="admin-audit", opt=requires("audit_log", "view"))
    async def audit(
        self,
        page: NamedDependency[WorkspacePage],
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        action: Annotated[str | None, QueryParameter(max_length=60)] = None,
        since: Annotated[str | None, QueryParameter(max_length=10)] = None,
        until: Annotated[str | None, QueryParameter(max_length=10)] = None,
    ) -> Template:
        filters, errors = read_filters(page, action, since, until)
        entries = await audit_page(page.tenant.id, cursor, filters)
        kept = {
            "action": filters.action,
            "since": filters.since.isoformat() if filters.since else "",
            "until": filters.until.isoformat() if filters.until else "",
        }
        query = urlencode({k: v for k, v in kept.items() if v})
        labels = action_labels()
        return render_page(
            page,
            "audit_log/list.html",
            section="admin-audit",
            entries=entries.items,
            next_cursor=entries.next_cursor,
            first_page=cursor is None,
            filters=kept,
            filtered=filters.active,
            filter_query=query,
            filter_errors=errors,
            actions=sorted(labels.items(), key=lambda item: _(item[1]).casefold()),
            staff_access=(
                await recent_staff_access(page.tenant.id)
                if cursor is None and not filters.active
                else []
            ),
            action_labels=labels,
            people={user.id: user for user in await list_users(page.tenant.id)},
        )
