"""The error page and every template treat request and user text as text:
escaped, never a format string, never marked safe."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from comptoir.platform import i18n
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import environment, render

HOSTILE = "<i>50% off</i> %(x)s %s {{ 7*7 }}"
ESCAPED = "&lt;i&gt;50% off&lt;/i&gt; %(x)s %s {{ 7*7 }}"


def test_the_error_page_escapes_its_detail_and_never_formats_it() -> None:
    for locale in i18n.LOCALES:
        token = i18n.current_locale.set(locale)
        try:
            html = render(
                "error.html",
                status=422,
                title="Validation failed",
                detail=HOSTILE,
                csrf_token=lambda: "",
                request=None,
            )
        finally:
            i18n.current_locale.reset(token)
        assert ESCAPED in html
        assert "<i>" not in html


async def test_a_page_url_whose_validation_message_holds_percent_signs_is_no_500(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/signup/slug", params={"slug": HOSTILE * 10}, headers={"Accept-Language": "en"}
    )
    assert response.status_code in (400, 422), response.text
    assert "<i>" not in response.text
    # A page says it in a sentence; it does not repeat the address.
    assert "Some values in this request are not valid." in response.text
    assert "50%" not in response.text


def test_gettext_with_values_escapes_them() -> None:
    """``_("…%(name)s", name=value)`` is how templates insert values in a sentence:
    the value is escaped and is not itself read as a format string."""
    template = environment().from_string('{{ _("Hello, %(name)s", name=name) }}')
    html = template.render(name=HOSTILE)
    assert html.endswith(f", {ESCAPED}") and "<i>" not in html


# _( or ngettext( whose first argument is not a string literal.
VARIABLE_MSGID = re.compile(r"(?<![\w.])(?:_|gettext|ngettext)\(\s*(?![\"'])")


def test_templates_translate_only_literal_msgids() -> None:
    """A variable's text goes through ``translated()`` (looked up, then escaped),
    never through ``_()``, which would mark it safe and %-format it."""
    offenders = []
    for path in sorted(Path(get_settings().templates_dir).rglob("*")):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if VARIABLE_MSGID.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()[:120]}")
    assert not offenders, "\n".join(offenders)
