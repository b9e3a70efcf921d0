"""The signed-in user's own pages: home, account (sessions, password), language."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.assembly import all_features
from comptoir.platform.auth.cookies import clear_workspace_cookie
from comptoir.platform.auth.service import change_password, list_sessions, revoke_session
from comptoir.platform.errors import TooManyAttempts, ValidationFailed
from comptoir.platform.features import signed_in
from comptoir.platform.i18n import LOCALES
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.activities.follow_ups import follow_ups as user_follow_ups
from comptoir.tenants.workspace.dashboard import home_figures
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page, safe_next
from comptoir.tenants.workspace.impersonation import end_impersonation
from comptoir.tenants.workspace.preferences import set_user_locale
from comptoir.tenants.workspace.public_pages import language_cookie
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other


async def _account_page(
    page: WorkspacePage, *, status: int = 200, password_errors: dict[str, str] | None = None
) -> Template:
    sessions = await list_sessions(page.tenant.id, page.user.id)
    return render_page(
        page,
        "workspace/account/sessions.html",
        section="account",
        status=status,
        sessions=sessions,
        password_errors=password_errors or {},
    )


async def home_panels(page: WorkspacePage) -> list[tuple[str, Any]]:
    """(template, what it shows) of the features' home-page boxes this user may see."""
    panels = sorted(
        (panel for feature in all_features() for panel in feature.home_panels),
        key=lambda panel: panel.order,
    )
    shown: list[tuple[str, Any]] = []
    for panel in panels:
        if panel.permission and not page.can(panel.permission):
            continue
        loaded = await panel.load(page.tenant, page.user)
        if loaded is not None:
            shown.append((panel.template, loaded))
    return shown


class HomePages(Controller):
    path = "/w/{slug:str}"
    opt = signed_in()
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="workspace-home")
    async def home(self, page: NamedDependency[WorkspacePage]) -> Template:
        figures = await home_figures(page.tenant, page.user.id)
        follow_ups = None
        if page.can("activities.view"):
            follow_ups = await user_follow_ups(
                page.tenant.id, page.user.id, timezone=page.tenant.timezone
            )
        return render_page(
            page,
            "workspace/home.html",
            section="home",
            figures=figures,
            follow_ups=follow_ups,
            panels=await home_panels(page),
        )

    @get("/account", name="account")
    async def account(self, page: NamedDependency[WorkspacePage]) -> Redirect:
        return see_other(f"{page.base}/account/sessions")

    @get("/account/sessions", name="account-sessions")
    async def sessions(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _account_page(page)

    @post("/account/password", name="account-password")
    async def password(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        new_password = data.get("password", "")
        if new_password != data.get("password_confirm", ""):
            errors = {"password_confirm": _("The two passwords are not the same.")}
            return await _account_page(page, status=422, password_errors=errors)
        try:
            await change_password(
                page.tenant,
                page.user.id,
                current_password=data.get("current_password", ""),
                new_password=new_password,
                actor=page.actor,
                keep_session_id=page.session.id,
            )
        except ValidationFailed as error:
            return await _account_page(page, status=422, password_errors=form_errors(error))
        except TooManyAttempts:
            errors = {"current_password": _("Too many wrong passwords. Try again later.")}
            return await _account_page(page, status=429, password_errors=errors)
        return see_other(f"{page.base}/account/sessions", flash="password_changed")

    @post("/account/sessions/{session_id:str}/revoke", name="account-session-revoke")
    async def revoke(
        self, page: NamedDependency[WorkspacePage], session_id: FromPath[str]
    ) -> Redirect:
        await revoke_session(page.tenant.id, session_id, actor=page.actor)
        if session_id == str(page.session.id):
            return see_other(
                f"{page.base}/login",
                flash="signed_out",
                cookies=[clear_workspace_cookie(page.tenant.slug)],
            )
        return see_other(f"{page.base}/account/sessions", flash="session_revoked")

    @post("/impersonation/end", name="impersonation-end")
    async def end_impersonation(self, page: NamedDependency[WorkspacePage]) -> Redirect:
        """Support staff leave the workspace: this session ends, back to the console."""
        if not page.impersonated:
            return see_other(f"{page.base}/")
        await end_impersonation(page.tenant.id, page.session.id, actor=page.actor)
        return see_other(
            f"/console/tenants/{page.tenant.id}",
            cookies=[clear_workspace_cookie(page.tenant.slug)],
        )

    @post("/account/language", name="account-language")
    async def language(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, Any]]
    ) -> Redirect:
        locale = str(data.get("locale", ""))
        target = safe_next(str(data.get("next", "")), page.tenant.slug) or f"{page.base}/"
        if locale not in LOCALES:
            return see_other(target)
        await set_user_locale(page.tenant.id, page.user.id, locale, actor=page.actor)
        return see_other(target, cookies=[language_cookie(locale)])
