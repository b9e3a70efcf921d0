"""A workspace's door: signing in and out, accepting an invitation, and
choosing a new password through a link sent by e-mail."""

from __future__ import annotations

import math
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.auth.callers import client_ip
from comptoir.platform.auth.cookies import (
    WORKSPACE_COOKIE,
    clear_workspace_cookie,
)
from comptoir.platform.auth.password_reset import (
    pending_reset,
    request_password_reset,
    reset_password,
)
from comptoir.platform.auth.service import (
    authenticate_password,
    end_session,
    load_session,
)
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.errors import NotAuthenticated, NotFound, TooManyAttempts, ValidationFailed
from comptoir.platform.features import OPEN_WHEN_SUSPENDED, public
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.users.service import accept_invitation, pending_invitation
from comptoir.tenants.workspace.deps import (
    WorkspaceDoor,
    provide_door,
    safe_next,
    suspended_landing,
)
from comptoir.tenants.workspace.rendering import (
    form_errors,
    render_door,
    see_other,
    sign_in_and_go,
)


class DoorPages(Controller):
    path = "/w/{slug:str}"
    opt = public()
    include_in_schema = False

    # Open while suspended: the workspace's admins sign in to settle its billing.
    @get(
        "/login",
        name="workspace-login",
        dependencies={"door": Provide(provide_door)},
        opt={OPEN_WHEN_SUSPENDED: True},
    )
    async def login_form(
        self,
        request: Request[Any, Any, Any],
        door: NamedDependency[WorkspaceDoor],
        next_page: Annotated[str | None, QueryParameter(name="next", max_length=2000)] = None,
    ) -> Template | Redirect:
        target = safe_next(next_page, door.tenant.slug)
        if await load_session(door.tenant, request.cookies.get(WORKSPACE_COOKIE, "")):
            return see_other(target or f"{door.base}/")
        return render_door(
            door, "workspace/login.html", email="", next_page=target or "", error="", errors={}
        )

    @post("/login", dependencies={"door": Provide(provide_door)}, opt={OPEN_WHEN_SUSPENDED: True})
    async def login(
        self,
        request: Request[Any, Any, Any],
        door: NamedDependency[WorkspaceDoor],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        email = data.get("email", "").strip()
        password = data.get("password", "")
        target = safe_next(data.get("next"), door.tenant.slug)
        context: dict[str, Any] = {"email": email, "next_page": target or "", "error": ""}
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = _("Enter your e-mail address.")
        if not password:
            errors["password"] = _("Enter your password.")
        if errors:
            return render_door(door, "workspace/login.html", status=422, errors=errors, **context)
        try:
            user = await authenticate_password(door.tenant, email, password, client_ip(request))
        except TooManyAttempts as error:
            minutes = max(1, math.ceil(error.retry_after / 60))
            context["error"] = _(
                "Too many failed sign-in attempts from this address. For your security, "
                "signing in from here is paused for %(minutes)s min."
            ) % {"minutes": minutes}
            return render_door(
                door,
                "workspace/login.html",
                status=429,
                errors={},
                throttled=True,
                **context,
            )
        except NotAuthenticated:
            context["error"] = _("Incorrect e-mail or password.")
            return render_door(door, "workspace/login.html", status=401, errors={}, **context)
        if door.tenant.status == "suspended" and suspended_landing():
            target = f"{door.base}{suspended_landing()}"  # only admins get this far
        return await sign_in_and_go(request, door.tenant, user, target or f"{door.base}/")

    @post("/logout", name="workspace-logout")
    async def logout(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Redirect:
        """Ends the session and clears the cookie, even in a suspended workspace."""
        tenant = await tenant_by_slug(slug)
        if tenant is None or tenant.slug != slug:
            raise NotFound("No such workspace.")
        token = request.cookies.get(WORKSPACE_COOKIE, "")
        if token:
            await end_session(tenant.id, token, ip_address=client_ip(request))
        return see_other(
            f"/w/{tenant.slug}/login",
            flash="signed_out",
            cookies=[clear_workspace_cookie(tenant.slug)],
        )

    @get(
        "/invitations/{token:str}",
        name="invitation",
        dependencies={"door": Provide(provide_door)},
    )
    async def invitation_form(
        self, door: NamedDependency[WorkspaceDoor], token: FromPath[str]
    ) -> Template:
        invitation = await pending_invitation(door.tenant.id, token)
        if invitation is None:
            return render_door(door, "workspace/invitation_invalid.html", status=404)
        values = {"first_name": invitation.first_name, "last_name": invitation.last_name}
        return render_door(
            door,
            "workspace/invitation.html",
            invitation=invitation,
            values=values,
            errors={},
            password="",
        )

    @post("/invitations/{token:str}", dependencies={"door": Provide(provide_door)})
    async def accept(
        self,
        request: Request[Any, Any, Any],
        door: NamedDependency[WorkspaceDoor],
        token: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        invitation = await pending_invitation(door.tenant.id, token)
        if invitation is None:
            return render_door(door, "workspace/invitation_invalid.html", status=404)
        values = {
            "first_name": data.get("first_name", "").strip(),
            "last_name": data.get("last_name", "").strip(),
        }
        password = data.get("password", "")
        errors: dict[str, str] = {}
        if password != data.get("password_confirm", ""):
            errors["password_confirm"] = _("The two passwords are not the same.")
        else:
            try:
                user = await accept_invitation(
                    door.tenant.id,
                    token,
                    password=password,
                    first_name=values["first_name"],
                    last_name=values["last_name"],
                )
            except ValidationFailed as error:
                errors = form_errors(error)
            except NotFound:
                return render_door(door, "workspace/invitation_invalid.html", status=404)
        if errors:
            return render_door(
                door,
                "workspace/invitation.html",
                status=422,
                invitation=invitation,
                values=values,
                errors=errors,
                password="" if "password" in errors else password,
            )
        return await sign_in_and_go(
            request, door.tenant, user, f"{door.base}/", flash="invitation_accepted"
        )

    @get(
        "/password/forgot",
        name="password-forgot",
        dependencies={"door": Provide(provide_door)},
    )
    async def forgot_form(self, door: NamedDependency[WorkspaceDoor]) -> Template:
        return render_door(door, "workspace/password_forgot.html", email="", errors={}, error="")

    @post("/password/forgot", dependencies={"door": Provide(provide_door)})
    async def forgot(
        self,
        request: Request[Any, Any, Any],
        door: NamedDependency[WorkspaceDoor],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template:
        email = data.get("email", "").strip()
        if not email or "@" not in email:
            errors = {"email": _("Enter the e-mail address of your account.")}
            return render_door(
                door,
                "workspace/password_forgot.html",
                status=422,
                email=email,
                errors=errors,
                error="",
            )
        try:
            await request_password_reset(door.tenant, email, ip_address=client_ip(request))
        except TooManyAttempts as error:
            minutes = max(1, math.ceil(error.retry_after / 60))
            message = _("Too many requests. Try again in %(minutes)s min.") % {"minutes": minutes}
            return render_door(
                door,
                "workspace/password_forgot.html",
                status=429,
                email=email,
                errors={},
                error=message,
            )
        return render_door(door, "workspace/password_forgot_sent.html", email=email)

    @get(
        "/password/reset/{token:str}",
        name="password-reset",
        dependencies={"door": Provide(provide_door)},
    )
    async def reset_form(
        self, door: NamedDependency[WorkspaceDoor], token: FromPath[str]
    ) -> Template:
        if await pending_reset(door.tenant.id, token) is None:
            return render_door(door, "workspace/password_reset_invalid.html", status=404)
        return render_door(door, "workspace/password_reset.html", errors={})

    @post("/password/reset/{token:str}", dependencies={"door": Provide(provide_door)})
    async def reset(
        self,
        request: Request[Any, Any, Any],
        door: NamedDependency[WorkspaceDoor],
        token: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        password = data.get("password", "")
        if password != data.get("password_confirm", ""):
            errors = {"password_confirm": _("The two passwords are not the same.")}
            return render_door(door, "workspace/password_reset.html", status=422, errors=errors)
        try:
            user = await reset_password(door.tenant, token, password, ip_address=client_ip(request))
        except ValidationFailed as error:
            return render_door(
                door, "workspace/password_reset.html", status=422, errors=form_errors(error)
            )
        except NotFound:
            return render_door(door, "workspace/password_reset_invalid.html", status=404)
        return await sign_in_and_go(
            request, door.tenant, user, f"{door.base}/", flash="password_reset"
        )
