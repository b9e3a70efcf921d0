"""Every English message of the code and the templates has a French translation.

The messages are extracted the way Babel extracts them (the Python extractor for the
code, Jinja2's for the templates), plus the English labels the code keeps as data and
translates when it shows them: field titles (``Meta(title=…)``), the manifests'
navigation labels, audit labels and flash messages. Each must be in
``platform/i18n/fr.po`` with a non-empty, non-fuzzy translation."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from comptoir.platform.settings import REPO_ROOT

CODE_AREAS = ("platform", "tenants", "billing", "adoption")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def _french() -> dict[str, str]:
    with (REPO_ROOT / "platform" / "i18n" / "fr.po").open("rb") as handle:
        po = read_po(handle, locale="fr")
    return {
        str(m.id): str(m.string)
        for m in po
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def _ids(message: str | tuple[str, ...]) -> Iterator[str]:
    # ngettext's singular and plural are looked up one by one (i18n.ngettext).
    yield from (message,) if isinstance(message, str) else message


def _where(folder: Path, filename: str, lineno: int) -> str:
    return f"{(folder / filename).relative_to(REPO_ROOT)}:{lineno}"


def extracted_messages() -> dict[str, str]:
    """msgid -> where it was first seen."""
    found: dict[str, str] = {}
    sources: list[tuple[Path, list[tuple[str, str]]]] = [
        (REPO_ROOT / area, [("**.py", "python")]) for area in CODE_AREAS
    ]
    sources.append(
        (
            REPO_ROOT / "templates",
            [("**.html", "jinja2.ext:babel_extract"), ("**.txt", "jinja2.ext:babel_extract")],
        )
    )
    options = {
        "**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "1", "lstrip_blocks": "1"},
        "**.txt": {"extensions": "jinja2.ext.i18n", "trim_blocks": "1", "lstrip_blocks": "1"},
    }
    for folder, method_map in sources:
        if not folder.is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map, options_map=options, keywords=KEYWORDS, strip_comment_tags=True
        ):
            for msgid in _ids(message):
                if msgid:
                    found.setdefault(msgid, _where(folder, filename, lineno))
    return found


def field_titles() -> dict[str, str]:
    """``Meta(title="…")`` in the code: form labels, translated when a form is drawn."""
    found: dict[str, str] = {}
    for area in CODE_AREAS:
        for path in sorted((REPO_ROOT / area).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name != "Meta":
                    continue
                for keyword in node.keywords:
                    if keyword.arg in ("title", "description") and isinstance(
                        keyword.value, ast.Constant
                    ):
                        where = f"{path.relative_to(REPO_ROOT)}:{node.lineno}"
                        found.setdefault(str(keyword.value.value), where)
    return found


def manifest_labels() -> dict[str, str]:
    """Navigation labels, audit labels, flash messages and the plan cards' texts,
    translated when shown."""
    from comptoir.platform.assembly import all_features
    from comptoir.tenants.audit_log.service import action_labels
    from comptoir.tenants.workspace.flash import messages
    from comptoir.tenants.workspace.public_pages import PLAN_CARDS

    found: dict[str, str] = {}
    for feature in all_features():
        for entry in feature.nav:
            found.setdefault(entry.label, f"navigation of {feature.name}")
    for action, label in action_labels().items():
        found.setdefault(label, f"audit label of {action}")
    for key, (_kind, text) in messages().items():
        found.setdefault(text, f"flash {key}")
    for plan, card in PLAN_CARDS.items():
        for text in [card["tagline"], *card["features"]]:
            found.setdefault(str(text), f"plan card of {plan}")
    return found


def _missing(messages: dict[str, str]) -> list[str]:
    french = _french()
    return [f"{where}: {msgid!r}" for msgid, where in messages.items() if msgid not in french]


def test_the_extraction_finds_the_e_mails_and_pages() -> None:
    """The extraction itself works: it sees templates, e-mails and the code."""
    found = extracted_messages()
    assert "Hello," in found  # e-mails
    assert any(where.startswith("templates/workspace/") for where in found.values())
    assert any(where.startswith(("platform/", "tenants/")) for where in found.values())
    assert "First name" in field_titles()
    assert manifest_labels()


def test_every_message_of_the_code_and_templates_is_translated() -> None:
    missing = _missing(extracted_messages())
    assert not missing, "Not in platform/i18n/fr.po:\n" + "\n".join(missing)


def test_every_field_title_and_manifest_label_is_translated() -> None:
    missing = _missing({**field_titles(), **manifest_labels()})
    assert not missing, "Not in platform/i18n/fr.po:\n" + "\n".join(missing)


def _msgids_as_written(text: str) -> list[str]:
    """Every msgid of a .po file as written, continuation lines joined."""
    ids: list[str] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("msgid "):
            parts = [line[len("msgid ") :]]
            for more in lines[n + 1 :]:
                if not more.startswith('"'):
                    break
                parts.append(more)
            ids.append("".join(part.strip()[1:-1] for part in parts))
    return ids


def test_each_message_is_translated_once() -> None:
    """fr.po is appended to by many changes: a message entered twice is one too many
    (the second silently wins)."""
    ids = _msgids_as_written((REPO_ROOT / "platform" / "i18n" / "fr.po").read_text("utf-8"))
    twice = sorted({msgid for msgid in ids if msgid and ids.count(msgid) > 1})
    assert not twice, "Entered more than once in fr.po:\n" + "\n".join(twice)
