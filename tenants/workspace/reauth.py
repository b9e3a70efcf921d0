"""Sensitive actions in the workspace pages ask for the password again when it
was not entered in this browser session within ``reauth_minutes`` (API-token
creation, a user's role or status). The API is called with bearer tokens, not
browser sessions: this does not apply to it.

A page handler calls ``password_confirmed`` first: None means go ahead;
otherwise it answers the page it returns, a small form that asks for the
password and posts the original form's fields again to the same address."""

from __future__ import annotations

import math
from typing import Any

from litestar import Request
from litestar.response import Template

from comptoir.platform.auth.service import confirm_password, recently_authenticated
from comptoir.platform.errors import Forbidden, NotAuthenticated, TooManyAttempts
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.workspace.deps import WorkspacePage
from comptoir.tenants.workspace.rendering import render_page

PASSWORD_FIELD = "reauth_password"  # noqa: S105 (a form field name)
# The form's own fields (the e-mail is there for password managers), not the
# original form's: posted again, they would arrive twice.
NOT_REPOSTED = ("_csrf_token", PASSWORD_FIELD, "username")


async def password_confirmed(
    page: WorkspacePage,
    request: Request[Any, Any, Any],
    data: dict[str, str],
    *,
    back: str,
    section: str = "",
) -> Template | None:
    """None when the session's password entry is recent (or the password was
    just given again with the form); else the page that asks for it."""
    if recently_authenticated(page.session):
        return None
    error, status = "", 200
    if page.impersonated:
        error = _("Support staff cannot confirm the user's password: ask the user to do this.")
        status = 403
    elif data.get(PASSWORD_FIELD):
        try:
            await confirm_password(
                page.tenant, page.session, data[PASSWORD_FIELD], actor=page.actor
            )
            return None
        except NotAuthenticated:
            error, status = _("Incorrect password."), 422
        except TooManyAttempts as refused:
            minutes = max(1, math.ceil(refused.retry_after / 60))
            error = _("Too many wrong passwords. Try again in %(minutes)s min.") % {
                "minutes": minutes
            }
            status = 429
        except Forbidden:
            error = _("Support staff cannot confirm the user's password: ask the user to do this.")
            status = 403
    fields = [(name, value) for name, value in data.items() if name not in NOT_REPOSTED]
    return render_page(
        page,
        "workspace/account/confirm_password.html",
        section=section,
        status=status,
        action=request.url.path,
        back=back,
        fields=fields,
        error=error,
        can_confirm=not page.impersonated,
    )
