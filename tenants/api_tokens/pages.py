"""API tokens in the workspace's administration: create (shown once), revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.auth.service import (
    create_api_token,
    expiry_problem,
    list_api_tokens,
    revoke_api_token,
)
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.access.permissions import requires
from comptoir.tenants.users.service import list_users
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.reauth import password_confirmed
from comptoir.tenants.workspace.rendering import render_page, see_other

DEFAULT_TZ = "Europe/Paris"


def end_of_day(day: str, timezone: str) -> dt.datetime | None:
    """The moment ``day`` (YYYY-MM-DD) ends in the workspace's time zone, in
    UTC; None if ``day`` is not a date."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return None
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo(DEFAULT_TZ)
    next_midnight = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return next_midnight.astimezone(dt.UTC)


class TokenPages(Controller):
    path = "/w/{slug:str}/admin"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

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
        tokens = await list_api_tokens(page.tenant.id)
        return render_page(
            page,
            "api_tokens/list.html",
            section="admin-tokens",
            status=status,
            tokens=tokens,
            # A token expiring at midnight works until the end of the day before.
            last_day={
                token.id: token.expires_at - dt.timedelta(microseconds=1)
                for token in tokens
                if token.expires_at is not None
            },
            people={user.id: user for user in users},
            users=[user for user in users if user.status == "active"],
            created=created,
            values=values or {"name": "", "user_id": str(page.user.id), "expires_on": ""},
            errors=errors or {},
            now=dt.datetime.now(dt.UTC),
            today=dt.datetime.now(ZoneInfo(page.tenant.timezone or DEFAULT_TZ)).date(),
        )

    @get("/tokens", name="admin-tokens", opt=requires("api_tokens", "view"))
    async def tokens(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await self._tokens_page(page)

    @post("/tokens", name="admin-tokens-create", opt=requires("api_tokens", "create"))
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template:
        """Create a token and show it, this once: only its hash is kept. The
        password is asked again unless it was entered a few minutes ago."""
        confirm = await password_confirmed(
            page, request, data, back=f"{page.base}/admin/tokens", section="admin-tokens"
        )
        if confirm is not None:
            return confirm
        values = {
            "name": data.get("name", "").strip(),
            "user_id": data.get("user_id", ""),
            "expires_on": data.get("expires_on", "").strip(),
        }
        errors: dict[str, str] = {}
        if not values["name"]:
            errors["name"] = _("Give the token a name, such as the program that will use it.")
        elif len(values["name"]) > 100:
            errors["name"] = _("Use at most 100 characters.")
        users = {str(user.id): user for user in await list_users(page.tenant.id)}
        owner = users.get(values["user_id"])
        if owner is None or owner.status != "active":
            errors["user_id"] = _("Choose an active user of this workspace.")
        expires_at = None
        if values["expires_on"]:
            expires_at = end_of_day(values["expires_on"], page.tenant.timezone or DEFAULT_TZ)
            if expires_at is None or expiry_problem(expires_at):
                errors["expires_on"] = _("Choose today or a later day, within 5 years.")
        if errors or owner is None:
            return await self._tokens_page(page, values=values, errors=errors, status=422)
        try:
            created = await create_api_token(
                page.tenant.id,
                owner.id,
                name=values["name"],
                actor=page.actor,
                expires_at=expires_at,
            )
        except ValidationFailed:  # the user was disabled in the meantime
            errors["user_id"] = _("Choose an active user of this workspace.")
            return await self._tokens_page(page, values=values, errors=errors, status=422)
        return await self._tokens_page(page, created=created.token)

    @post(
        "/tokens/{token_id:str}/revoke",
        name="admin-token-revoke",
        opt=requires("api_tokens", "delete"),
    )
    async def revoke_token(
        self, page: NamedDependency[WorkspacePage], token_id: FromPath[str]
    ) -> Redirect:
        await revoke_api_token(page.tenant.id, token_id, actor=page.actor)
        return see_other(f"{page.base}/admin/tokens", flash="token_revoked")
