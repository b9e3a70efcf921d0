"""Who is looking at a page: the visitor of a public page, the workspace of a
sign-in page, or the signed-in user of a workspace page.

Each dependency also picks the interface language for the request and binds
the tenant and user to the request's log lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request

from comptoir.platform import events, i18n
from comptoir.platform.assembly import all_features
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.callers import client_ip
from comptoir.platform.auth.cookies import WORKSPACE_COOKIE
from comptoir.platform.auth.service import actor_for, load_session
from comptoir.platform.auth.tables import User, UserSession
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import ensure_usable, tenant_by_slug, touch_activity
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import NotFound, TenantSuspended
from comptoir.platform.features import OPEN_WHEN_SUSPENDED
from comptoir.platform.logs import bind_identity
from comptoir.platform.web.problems import LoginRequired
from comptoir.tenants.access.permissions import (
    Grants,
    check,
    check_plan,
    load_grants,
    module_of,
    route_permission,
    visibility_for,
)
from comptoir.tenants.workspace.flash import Flash, read_flash

LANG_COOKIE = "lang"


def choose_locale(request: Request[Any, Any, Any], user_locale: str | None = None) -> str:
    """The language this browser picked (``lang`` cookie), else the user's own,
    else the browser's Accept-Language, else French; and make it current."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen not in i18n.LOCALES:
        chosen = user_locale if user_locale in i18n.LOCALES else None
    locale = i18n.pick_locale(chosen, request.headers.get("accept-language"))
    i18n.current_locale.set(locale)
    return locale


def safe_next(target: str | None, slug: str) -> str | None:
    """``target`` if it is a local path inside this workspace, else None: never
    another site (``//evil``, ``https://...``, ``/\\evil``) nor another workspace."""
    if not target or len(target) > 2000 or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    base = f"/w/{slug}"
    if parts.path != base and not parts.path.startswith(base + "/"):
        return None
    if "/../" in parts.path or parts.path.endswith("/.."):
        return None
    return target


def login_url(slug: str, request: Request[Any, Any, Any]) -> str:
    """The sign-in page, coming back afterwards to the page that was asked for."""
    target = ""
    if request.headers.get("hx-request"):
        current = urlsplit(request.headers.get("hx-current-url", ""))
        target = current.path + (f"?{current.query}" if current.query else "")
    elif request.method == "GET":
        query = request.url.query
        target = request.url.path + (f"?{query}" if query else "")
    login = f"/w/{slug}/login"
    target = safe_next(target, slug) or ""
    if target and target.rstrip("/") != f"/w/{slug}":
        login += "?next=" + quote(target, safe="/")
    return login


@dataclass(frozen=True)
class Visitor:
    """Someone on a public page (landing, signup, a workspace's sign-in page)."""

    locale: str
    flash: Flash | None = None


async def provide_visitor(request: Request[Any, Any, Any]) -> Visitor:
    return Visitor(locale=choose_locale(request), flash=read_flash(request))


async def _workspace_tenant(request: Request[Any, Any, Any]) -> Tenant:
    slug = str(request.path_params.get("slug", ""))
    tenant = await tenant_by_slug(slug)
    if tenant is None or tenant.slug != slug:
        raise NotFound("No such workspace.")
    return tenant


@dataclass(frozen=True)
class WorkspaceDoor:
    """A workspace seen from outside: its sign-in and invitation pages."""

    tenant: Tenant
    locale: str
    flash: Flash | None = None

    @property
    def base(self) -> str:
        return f"/w/{self.tenant.slug}"


async def provide_door(request: Request[Any, Any, Any]) -> WorkspaceDoor:
    """The workspace of a sign-in page: 404 if unknown, 403 page if suspended."""
    locale = choose_locale(request)
    tenant = await _workspace_tenant(request)
    bind_identity(tenant.slug, None)
    if not request.route_handler.opt.get(OPEN_WHEN_SUSPENDED):
        ensure_usable(tenant)
    return WorkspaceDoor(tenant=tenant, locale=locale, flash=read_flash(request))


@dataclass(frozen=True)
class WorkspacePage:
    """A signed-in user on a page of their workspace."""

    tenant: Tenant
    user: User
    session: UserSession
    session_token: str
    actor: Actor
    locale: str
    flash: Flash | None = None
    grants: Grants = field(default_factory=lambda: Grants(frozenset(), False))

    @property
    def base(self) -> str:
        return f"/w/{self.tenant.slug}"

    def can(self, permission: str) -> bool:
        """Whether this user may, e.g. ``ws.can("contacts.create")`` in a template."""
        return self.grants.can(permission)

    @property
    def impersonated(self) -> bool:
        return self.session.impersonator_staff_id is not None

    @property
    def impersonation_ends_at(self) -> dt.datetime:
        return self.session.expires_at

    @property
    def display_name(self) -> str:
        full = f"{self.user.first_name} {self.user.last_name}".strip()
        return full or self.user.email


def suspended_landing() -> str:
    """Where a suspended workspace's admins settle it (the billing page), if anywhere."""
    return next((f.suspended_landing for f in all_features() if f.suspended_landing), "")


def _check_suspended(tenant: Tenant, user: User, session: UserSession, *, open_route: bool) -> None:
    """A suspended workspace answers its 403 page, except to its own admins on
    the routes that stay open (billing), where an unpaid invoice is settled;
    the page points admins there."""
    landing = suspended_landing()
    admin = user.role == "admin" and session.impersonator_staff_id is None
    if admin and landing and open_route:
        return
    try:
        ensure_usable(tenant)
    except TenantSuspended as error:
        if admin and landing:
            error.extra = {**error.extra, "action_url": f"/w/{tenant.slug}{landing}"}
        raise


def _page_viewed(
    tenant: Tenant, user: User, permission: str, request: Request[Any, Any, Any]
) -> None:
    """A page view, for adoption figures (told after the request's commit)."""
    feature = permission.split(".", 1)[0] if permission else "workspace"
    events.emit(
        events.DomainEvent(
            name="page.viewed",
            tenant_id=tenant.id,
            actor_id=user.id,
            actor_role=user.role,
            object_type=feature,
            object_id=str(request.scope.get("path_template") or request.url.path)[:200],
            module=module_of(permission) if permission else "",
        )
    )


async def provide_workspace_page(request: Request[Any, Any, Any]) -> AsyncIterator[WorkspacePage]:
    """The signed-in user of this workspace, or a redirect to its sign-in page.

    Checked on every request: the workspace exists (404 page), is not suspended
    (403 page, for users already signed in too), the cookie's session is live,
    and the user's role allows the page (403 page). The page's services run in
    the transaction opened here, limited to the records the user may see."""
    choose_locale(request)
    tenant = await _workspace_tenant(request)
    open_route = bool(request.route_handler.opt.get(OPEN_WHEN_SUSPENDED))
    permission = route_permission(request.route_handler.opt)
    token = request.cookies.get(WORKSPACE_COOKIE, "")
    async with tenant_scope(tenant.id) as scope:
        loaded = await load_session(tenant, token)
        if loaded is None:
            bind_identity(tenant.slug, None)
            if not open_route:
                ensure_usable(tenant)
            raise LoginRequired(login_url(tenant.slug, request))
        session, user = loaded
        if tenant.status == "suspended":
            _check_suspended(tenant, user, session, open_route=open_route)
        bind_identity(tenant.slug, str(user.id))
        locale = choose_locale(request, user.locale)
        grants = await load_grants(scope, user.role)
        check(grants, permission)
        check_plan(tenant, permission)
        scope.visibility = await visibility_for(scope, tenant, user.id, user.team_id, grants)
        with events.impersonated(session.impersonator_staff_id is not None):
            if request.method == "GET" and not request.headers.get("hx-request"):
                _page_viewed(tenant, user, permission, request)
            yield WorkspacePage(
                tenant=tenant,
                user=user,
                session=session,
                session_token=token,
                actor=actor_for(user, ip_address=client_ip(request), session=session),
                locale=locale,
                flash=read_flash(request),
                grants=grants,
            )
    await touch_activity(tenant)
