"""The cookies that carry sessions: one per workspace (path /w/{slug}) and one
for the console (path /console). HttpOnly always; Secure outside the demo."""

from __future__ import annotations

from litestar.datastructures import Cookie

from comptoir.platform.settings import get_settings

WORKSPACE_COOKIE = "comptoir_session"
CONSOLE_COOKIE = "comptoir_staff"


def workspace_cookie(slug: str, token: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=WORKSPACE_COOKIE,
        value=token,
        path=f"/w/{slug}",
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
        max_age=max_age,
    )


def clear_workspace_cookie(slug: str) -> Cookie:
    return workspace_cookie(slug, "", max_age=0)


def console_cookie(token: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=CONSOLE_COOKIE,
        value=token,
        path="/console",
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="strict",
        max_age=max_age,
    )


def clear_console_cookie() -> Cookie:
    return console_cookie("", max_age=0)
