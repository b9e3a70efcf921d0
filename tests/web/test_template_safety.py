"""No user text reaches a page as safe HTML: ``|safe`` is applied only to the
CSRF input Litestar builds, to the icons' own SVG, and to a field macro's
``attrs``, whose every caller passes literal attributes built in the template."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SAFE = re.compile(r"\{\{\s*([^{}]*?)\s*\|\s*safe\b")
ALLOWED = {"csrf_input", 'ICONS.get(name, "")', "attrs"}
ATTRS_ARGUMENT = re.compile(r"attrs=(.*?)(?:,\s*\w+=|\)\s*\}\})")
STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
# What may be inserted besides string literals: values the server computes.
SERVER_VALUES = {"today", "attrs"}


def _inserted_values(expression: str) -> list[str]:
    """The operands an attrs expression inserts (conditions of ``x if c else y`` left out)."""
    values = []
    for branch in re.split(r"\belse\b", expression):
        inserted = re.split(r"\bif\b", branch)[0]
        values += [part.strip() for part in inserted.split("~")]
    return [v for v in values if v]


def test_safe_is_only_applied_to_server_markup() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for expression in SAFE.findall(path.read_text()):
            if expression not in ALLOWED:
                found.append(f"{path.relative_to(TEMPLATES)}: {expression}|safe")
    assert not found, "user text may reach a page unescaped:\n" + "\n".join(found)


def test_attrs_are_built_from_literals() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for expression in ATTRS_ARGUMENT.findall(path.read_text()):
            for value in _inserted_values(expression):
                if not STRING.fullmatch(value) and value not in SERVER_VALUES:
                    found.append(f"{path.relative_to(TEMPLATES)}: attrs={expression}")
    assert not found, "attrs (rendered |safe) built from something else:\n" + "\n".join(found)
