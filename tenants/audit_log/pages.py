"""The workspace's audit log, for those allowed to read it."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Template

from comptoir.tenants.access.permissions import requires
from comptoir.tenants.audit_log.service import action_labels, audit_page, recent_staff_access
from comptoir.tenants.users.service import list_users
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import render_page


class AuditPages(Controller):
    path = "/w/{slug:str}/admin"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/audit", name="admin-audit", opt=requires("audit_log", "view"))
    async def audit(
        self,
        page: NamedDependency[WorkspacePage],
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        entries = await audit_page(page.tenant.id, cursor)
        return render_page(
            page,
            "audit_log/list.html",
            section="admin-audit",
            entries=entries.items,
            next_cursor=entries.next_cursor,
            first_page=cursor is None,
            staff_access=await recent_staff_access(page.tenant.id) if cursor is None else [],
            action_labels=action_labels(),
            people={user.id: user for user in await list_users(page.tenant.id)},
        )
