"""Shaping page responses: the template context every page shares, redirects
with a one-shot message, and form errors in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal
from litestar import MediaType, Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from comptoir.platform import i18n
from comptoir.platform.assembly import all_features
from comptoir.platform.auth.callers import client_ip
from comptoir.platform.auth.cookies import workspace_cookie
from comptoir.platform.auth.service import open_session
from comptoir.platform.auth.tables import User
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import NavEntry
from comptoir.platform.i18n import gettext as _
from comptoir.platform.settings import get_settings
from comptoir.tenants.workspace.dashboard import trial_days_left
from comptoir.tenants.workspace.deps import Visitor, WorkspaceDoor, WorkspacePage
from comptoir.tenants.workspace.flash import Flash, clear_flash_cookie, flash_cookie

DEFAULT_TZ = "Europe/Paris"
ROLE_LABELS = {"admin": "Administrator", "key_user": "Key user", "end_user": "User"}
ROLE_HINTS = {
    "admin": "Manages users, settings and API tokens.",
    "key_user": "Champions the CRM and trains colleagues.",
    "end_user": "Works the CRM day to day.",
}
PLAN_LABELS = {"essentiel": "Essentiel", "pro": "Pro", "entreprise": "Entreprise"}
STATUS_LABELS = {
    "trial": "Trial",
    "active": "Active",
    "suspended": "Suspended",
    "disabled": "Disabled",
}
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, HX-Request"}


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def person_name(user: User | None) -> str:
    if user is None:
        return ""
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.email


def describe_user_agent(user_agent: str) -> str:
    """A short 'Browser · System' for a User-Agent header."""
    ua = user_agent or ""
    browser = "Unknown browser"
    for marker, name in (
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("HeadlessChrome/", "Chrome (headless)"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("python-httpx/", "httpx"),
    ):
        if marker in ua:
            browser = name
            break
    system = ""
    for marker, name in (
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ):
        if marker in ua:
            system = name
            break
    return f"{_(browser)} · {system}" if system else _(browser)


class Formatters:
    """Dates, numbers and labels in the reader's language and the tenant's time zone."""

    def __init__(self, tz: str = DEFAULT_TZ) -> None:
        self.tz = ZoneInfo(tz)

    @property
    def locale(self) -> str:
        return i18n.current_locale.get()

    def when(self, value: dt.datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return "—"
        return format_datetime(_aware(value), fmt, tzinfo=self.tz, locale=self.locale)

    def day(self, value: dt.datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return "—"
        return format_date(_aware(value).astimezone(self.tz).date(), fmt, locale=self.locale)

    def clock(self, value: dt.datetime | None) -> str:
        if value is None:
            return "—"
        return format_time(_aware(value).astimezone(self.tz), "HH:mm", locale=self.locale)

    def ago(
        self,
        value: dt.datetime | None,
        width: Literal["narrow", "short", "medium", "long"] = "long",
    ) -> str:
        """'3 minutes ago' ('il y a 3 min' with width='short')."""
        if value is None:
            return "—"
        delta = _aware(value) - dt.datetime.now(dt.UTC)
        if abs(delta) < dt.timedelta(seconds=45):
            return _("just now")
        return format_timedelta(
            delta, add_direction=True, threshold=1.0, format=width, locale=self.locale
        )

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)


def nav_entries(page: WorkspacePage) -> list[NavEntry]:
    """The sidebar: every feature's entries this user's role may open."""
    entries = [
        entry
        for feature in all_features()
        for entry in feature.nav
        if page.can(feature.permission(entry.action)) or feature.name == "workspace"
    ]
    return sorted(entries, key=lambda entry: (entry.group != "work", entry.order))


def template_helpers(tz: str = DEFAULT_TZ) -> dict[str, Any]:
    fmt = Formatters(tz)
    translated: Callable[[Mapping[str, str]], Callable[[str], str]] = lambda labels: (  # noqa: E731
        lambda key: _(labels.get(key, key))
    )
    return {
        "fmt": fmt,
        "person_name": person_name,
        "role_label": translated(ROLE_LABELS),
        "role_hint": translated(ROLE_HINTS),
        "plan_label": translated(PLAN_LABELS),
        "status_label": translated(STATUS_LABELS),
        "user_agent_label": describe_user_agent,
        "roles": list(ROLE_LABELS),
        "demo": get_settings().demo,
        "nav_entries": nav_entries,
    }


def _template(
    template: str,
    context: dict[str, Any],
    *,
    tz: str,
    flash: Flash | None,
    status: int,
    cookies: Iterable[Cookie] | None,
) -> Template:
    all_cookies = list(cookies or [])
    if flash is not None:
        all_cookies.append(clear_flash_cookie())
    return Template(
        template_name=template,
        context={**template_helpers(tz), "flash": flash, **context},
        status_code=status,
        cookies=all_cookies,
        headers=NO_STORE,
        media_type=MediaType.HTML,
    )


def render_page(
    page: WorkspacePage,
    template: str,
    *,
    section: str = "",
    status: int = 200,
    cookies: Iterable[Cookie] | None = None,
    **context: Any,
) -> Template:
    """A page inside the workspace shell (sidebar, top bar, banners)."""
    return _template(
        template,
        {
            "ws": page,
            "tenant": page.tenant,
            "me": page.user,
            "section": section,
            "trial_days": trial_days_left(page.tenant),
            **context,
        },
        tz=page.tenant.timezone or DEFAULT_TZ,
        flash=page.flash,
        status=status,
        cookies=cookies,
    )


def render_partial(page: WorkspacePage, template: str, **context: Any) -> Template:
    """An htmx fragment: same helpers, the flash is left for the next full page."""
    return Template(
        template_name=template,
        context={
            **template_helpers(page.tenant.timezone or DEFAULT_TZ),
            "ws": page,
            "tenant": page.tenant,
            "me": page.user,
            **context,
        },
        headers=NO_STORE,
        media_type=MediaType.HTML,
    )


def render_door(
    door: WorkspaceDoor,
    template: str,
    *,
    status: int = 200,
    cookies: Iterable[Cookie] | None = None,
    **context: Any,
) -> Template:
    """A page at a workspace's door: sign-in, invitation."""
    return _template(
        template,
        {"door": door, "tenant": door.tenant, **context},
        tz=door.tenant.timezone or DEFAULT_TZ,
        flash=door.flash,
        status=status,
        cookies=cookies,
    )


def render_public(
    visitor: Visitor,
    template: str,
    *,
    status: int = 200,
    cookies: Iterable[Cookie] | None = None,
    **context: Any,
) -> Template:
    return _template(
        template,
        {"visitor": visitor, **context},
        tz=DEFAULT_TZ,
        flash=visitor.flash,
        status=status,
        cookies=cookies,
    )


def see_other(url: str, *, flash: str | None = None, cookies: Iterable[Cookie] = ()) -> Redirect:
    """303 to ``url``, optionally with a one-shot message for the next page."""
    all_cookies = list(cookies)
    if flash:
        all_cookies.append(flash_cookie(flash))
    return Redirect(path=url, status_code=303, cookies=all_cookies, headers=NO_STORE)


async def sign_in_and_go(
    request: Request[Any, Any, Any],
    tenant: Tenant,
    user: User,
    url: str,
    *,
    flash: str | None = None,
) -> Redirect:
    """Open a fresh session for ``user`` (sign-in, signup, invitation, password
    link) and send the browser to ``url`` with its cookie."""
    opened = await open_session(
        tenant,
        user,
        ip_address=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    cookie = workspace_cookie(
        tenant.slug, opened.token, max_age=get_settings().session_max_hours * 3600
    )
    return see_other(url, flash=flash, cookies=[cookie])


def _sentence(message: str) -> str:
    text = _(message)
    return text[:1].upper() + text[1:] if text else text


def form_errors(error: ValidationFailed, rename: Mapping[str, str] | None = None) -> dict[str, str]:
    """The service's per-field messages, translated and capitalised, keyed by
    the form's field names (``rename`` maps service names to form names)."""
    rename = rename or {}
    return {rename.get(field, field): _sentence(message) for field, message in error.errors.items()}
