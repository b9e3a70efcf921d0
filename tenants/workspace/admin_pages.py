"""Workspace administration: people and invitations, API tokens, the audit log.
Administrators only; everyone else gets a 403 page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.auth.service import create_api_token, list_api_tokens, revoke_api_token
from comptoir.platform.errors import Conflict, ValidationFailed
from comptoir.platform.i18n import gettext as _
from comptoir.platform.settings import get_settings
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
from comptoir.tenants.workspace.audit_log import (
    ACTION_LABELS,
    audit_page,
    recent_staff_access,
)
from comptoir.tenants.workspace.deps import WorkspacePage, provide_admin_page
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


class AdminPages(Controller):
    path = "/w/{slug:str}/admin"
    include_in_schema = False
    dependencies = {"page": Provide(provide_admin_page)}

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
            "admin/users.html",
            section="admin-users",
            status=status,
            users=users,
            invitations=open_invitations,
            values=values or {"email": "", "first_name": "", "last_name": "", "role": "end_user"},
            errors=errors or {},
            mail_held=get_settings().smtp_url is None,
        )

    @get("/", name="admin")
    async def admin_home(self, page: NamedDependency[WorkspacePage]) -> Redirect:
        return see_other(f"{page.base}/admin/users")

    @get("/users", name="admin-users")
    async def users(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await self._users_page(page)

    @post("/users", name="admin-users-add")
    async def add(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        """Add someone at once (mode=add) or send them an invitation (mode=invite)."""
        values = {name: data.get(name, "").strip() for name in PERSON_FIELDS}
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

    @post("/users/{user_id:str}", name="admin-user-update")
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        user_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        changes = UserChanges(role=data.get("role") or None, status=data.get("status") or None)
        try:
            await update_user(page.tenant.id, user_id, changes, actor=page.actor)
        except ValidationFailed as error:
            messages = form_errors(error)
            return await self._users_page(
                page, errors={"row": " ".join(messages.values()), "row_user": user_id}, status=422
            )
        return see_other(f"{page.base}/admin/users", flash="user_updated")

    @post("/invitations/{invitation_id:str}/revoke", name="admin-invitation-revoke")
    async def revoke_invitation(
        self, page: NamedDependency[WorkspacePage], invitation_id: FromPath[str]
    ) -> Redirect:
        await revoke_invitation(page.tenant.id, invitation_id, actor=page.actor)
        return see_other(f"{page.base}/admin/users", flash="invitation_revoked")

    async def _tokens_page(
        self,
        page: WorkspacePage,
        *,
        created: str = "",
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        users = await list_users(page.tenant.id)
        return render_page(
            page,
            "admin/tokens.html",
            section="admin-tokens",
            status=status,
            tokens=await list_api_tokens(page.tenant.id),
            people={user.id: user for user in users},
            users=[user for user in users if user.status == "active"],
            created=created,
            values=values or {"name": "", "user_id": str(page.user.id)},
            errors=errors or {},
        )

    @get("/tokens", name="admin-tokens")
    async def tokens(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await self._tokens_page(page)

    @post("/tokens", name="admin-tokens-create")
    async def create_token(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template:
        """Create a token and show it, this once: only its hash is kept."""
        values = {"name": data.get("name", "").strip(), "user_id": data.get("user_id", "")}
        errors: dict[str, str] = {}
        if not values["name"]:
            errors["name"] = _("Give the token a name, such as the program that will use it.")
        elif len(values["name"]) > 100:
            errors["name"] = _("Use at most 100 characters.")
        users = {str(user.id): user for user in await list_users(page.tenant.id)}
        owner = users.get(values["user_id"])
        if owner is None or owner.status != "active":
            errors["user_id"] = _("Choose an active user of this workspace.")
        if errors or owner is None:
            return await self._tokens_page(page, values=values, errors=errors, status=422)
        created = await create_api_token(
            page.tenant.id, owner.id, name=values["name"], actor=page.actor
        )
        return await self._tokens_page(page, created=created.token)

    @post("/tokens/{token_id:str}/revoke", name="admin-token-revoke")
    async def revoke_token(
        self, page: NamedDependency[WorkspacePage], token_id: FromPath[str]
    ) -> Redirect:
        await revoke_api_token(page.tenant.id, token_id, actor=page.actor)
        return see_other(f"{page.base}/admin/tokens", flash="token_revoked")

    @get("/audit", name="admin-audit")
    async def audit(
        self,
        page: NamedDependency[WorkspacePage],
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        entries = await audit_page(page.tenant.id, cursor)
        return render_page(
            page,
            "admin/audit.html",
            section="admin-audit",
            entries=entries.items,
            next_cursor=entries.next_cursor,
            first_page=cursor is None,
            staff_access=await recent_staff_access(page.tenant.id) if cursor is None else [],
            action_labels=ACTION_LABELS,
            people={user.id: user for user in await list_users(page.tenant.id)},
        )
