"""Jinja2 for pages and e-mails, with the interface language of the request."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape

from comptoir.platform import i18n
from comptoir.platform.settings import get_settings


def _datetime(value: dt.datetime | None, fmt: str = "medium", tz: str = "Europe/Paris") -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=i18n.current_locale.get())


def initials(name: str) -> str:
    """'Claire Lefèvre' -> 'CL'; 'paul@exemple.fr' -> 'P'."""
    words = [w for w in re.split(r"[\s@._-]+", name.strip()) if w]
    if not words:
        return "?"
    if "@" in name:
        return words[0][0].upper()
    return "".join(w[0] for w in words[:2]).upper()


def avatar_tone(name: str) -> int:
    """A stable colour (0-5) of the design system for a name's badge."""
    return sum(ord(c) for c in name) % 6


def translated(text: object) -> str:
    """The translation of a text held in a variable: a plain ``str`` (so the
    template escapes it), never a format string."""
    return i18n.gettext(str(text)) if text else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(get_settings().templates_dir)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    # ``_()`` (new-style gettext) marks its text safe and %-formats it: only for
    # literal msgids. A text from a variable (a problem's detail, an error, a
    # label) goes through ``translated()``: looked up, then escaped like any text.
    env.globals["translated"] = translated
    env.globals["current_locale"] = i18n.current_locale.get
    env.globals["initials"] = initials
    env.globals["avatar_tone"] = avatar_tone
    env.filters["datetime"] = _datetime
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_email(kind: str, *, locale: str, **context: Any) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an e-mail, in the recipient's language."""
    token = i18n.current_locale.set(locale if locale in i18n.LOCALES else i18n.DEFAULT_LOCALE)
    try:
        env = environment()
        subject = env.get_template(f"emails/{kind}.subject.txt").render(**context).strip()
        text = env.get_template(f"emails/{kind}.txt").render(**context)
        html = env.get_template(f"emails/{kind}.html").render(**context)
    finally:
        i18n.current_locale.reset(token)
    return subject, text, html
