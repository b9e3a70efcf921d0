"""One-shot messages shown on the page after a redirect ("Contact created.").

The cookie carries only a key of ``messages()``, never text, so a forged
cookie can at most show one of these messages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from comptoir.platform.settings import get_settings

FLASH_COOKIE = "comptoir_flash"

# key: (kind, English message; translated when shown). Features add theirs
# in their manifests (``Feature.flashes``).
SHELL_MESSAGES: dict[str, tuple[str, str]] = {
    "welcome": ("success", "Your workspace is ready. Welcome to Comptoir!"),
    "signed_out": ("info", "You are signed out."),
    "session_ended": ("info", "This session was ended. Please sign in again."),
    "session_revoked": ("success", "Session revoked: that device is signed out."),
    "invitation_accepted": ("success", "Your password is set. Welcome aboard!"),
    "language_changed": ("success", "Language changed."),
    "password_changed": ("success", "Password changed. Your other devices were signed out."),
    "password_reset": ("success", "Your new password is set. Your other devices were signed out."),
}


@cache
def messages() -> dict[str, tuple[str, str]]:
    from comptoir.platform.assembly import all_features

    found = dict(SHELL_MESSAGES)
    for feature in all_features():
        found.update(feature.flashes)
    return found


@dataclass(frozen=True)
class Flash:
    key: str
    kind: str
    message: str


def read_flash(request: Request[Any, Any, Any]) -> Flash | None:
    key = request.cookies.get(FLASH_COOKIE)
    if not key or key not in messages():
        return None
    kind, message = messages()[key]
    return Flash(key=key, kind=kind, message=message)


def flash_cookie(key: str, path: str = "/") -> Cookie:
    if key not in messages():
        raise ValueError(f"unknown flash message {key!r}")
    return Cookie(
        key=FLASH_COOKIE,
        value=key,
        path=path,
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
        max_age=60,
    )


def clear_flash_cookie(path: str = "/") -> Cookie:
    return Cookie(
        key=FLASH_COOKIE,
        value="",
        path=path,
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
        max_age=0,
    )
