"""Workspace administration of people: users, roles, status and invitations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.errors import Conflict, ValidationFailed
from comptoir.platform.i18n import gettext as _
from comptoir.platform.settings import get_settings
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.users.service import (
    NewPerson,
    UserChanges,
    add_user,
    invite_user,
    list_invitations,
    list_users,
    revoke_invitation,
    update_user,
)
from comptoir.tenants.users.tables import Invitation
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.reauth import password_confirmed
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other

PERSON_FIELDS = ("email", "first_name", "last_name", "role")


def _invitation_state(invitation: Invitation, now: dt.datetime) -> str:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    expires = invitation.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    return "expired" if expires <= now else "pending"


class UserPages(Controller):
    path = "/w/{slug:str}/admin"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    async def _users_page(
        self,
        page: WorkspacePage,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        now = dt.datetime.now(dt.UTC)
        users = await list_users(page.tenant.id)
        members = {user.email for user in users}
        # People added directly get their password link as an invitation too:
        # they are listed as users (without a password yet), not as invitations.
        invitations = [
            (invitation, _invitation_state(invitation, now))
            for invitation in await list_invitations(page.tenant.id)
            if invitation.email not in members
        ]
        open_invitations = [(i, s) for i, s in invitations if s in ("pending", "expired")]
        return render_page(
            page,
            "users/admin.html",
            section="admin-users",
            status=status,
            users=users,
            invitations=open_invitations,
            values=values or {"email": "", "first_name": "", "last_name": "", "role": "end_user"},
            errors=errors or {},
            mail_held=get_settings().smtp_url is None,
        )

    @get("/", name="admin", opt=requires("users", "manage"))
    async def admin_home(self, page: NamedDependency[WorkspacePage]) -> Redirect:
        return see_other(f"{page.base}/admin/users")

    @get("/users", name="admin-users", opt=requires("users", "manage"))
    async def users(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await self._users_page(page)

    @post("/users", name="admin-users-add", opt=requires("users", "create"))
    async def add(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        """Add someone at once (mode=add) or send them an invitation (mode=invite).
        Making someone an administrator asks for the password again unless it
        was entered a few minutes ago, like a role change."""
        values = {name: data.get(name, "").strip() for name in PERSON_FIELDS}
        if values["role"] == "admin":
            confirm = await password_confirmed(
                page, request, data, back=f"{page.base}/admin/users", section="admin-users"
            )
            if confirm is not None:
                return confirm
        person = NewPerson(
            email=values["email"],
            role=values["role"] or "end_user",
            first_name=values["first_name"],
            last_name=values["last_name"],
        )
        inviting = data.get("mode") == "invite"
        try:
            if inviting:
                await invite_user(page.tenant.id, person, actor=page.actor)
            else:
                await add_user(page.tenant.id, person, actor=page.actor)
        except ValidationFailed as error:
            return await self._users_page(
                page, values=values, errors=form_errors(error), status=422
            )
        except Conflict:
            errors = {"email": _("Someone with this e-mail address already has an account here.")}
            return await self._users_page(page, values=values, errors=errors, status=409)
        return see_other(
            f"{page.base}/admin/users", flash="user_invited" if inviting else "user_added"
        )

    @post("/users/{user_id:str}", name="admin-user-update", opt=requires("users", "manage"))
    async def update(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        user_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        """A user's role or status. The password is asked again unless it was
        entered a few minutes ago."""
        changes = UserChanges(role=data.get("role") or None, status=data.get("status") or None)
        if changes.role is not None or changes.status is not None:
            confirm = await password_confirmed(
                page, request, data, back=f"{page.base}/admin/users", section="admin-users"
            )
            if confirm is not None:
                return confirm
        try:
            await update_user(page.tenant.id, user_id, changes, actor=page.actor)
        except ValidationFailed as error:
            messages = form_errors(error)
            return await self._users_page(
                page, errors={"row": " ".join(messages.values()), "row_user": user_id}, status=422
            )
        return see_other(f"{page.base}/admin/users", flash="user_updated")

    @post(
        "/invitations/{invitation_id:str}/revoke",
        name="admin-invitation-revoke",
        opt=requires("users", "create"),
    )
    async def revoke_invitation(
        self, page: NamedDependency[WorkspacePage], invitation_id: FromPath[str]
    ) -> Redirect:
        await revoke_invitation(page.tenant.id, invitation_id, actor=page.actor)
        return see_other(f"{page.base}/admin/users", flash="invitation_revoked")
