"""What every record page (a contact's, an account's, an opportunity's) shows
around the record itself: the other features' panels and the record's history.

A record page calls ``record_extras(page, subject, subject_id, ...)`` once and
passes the result to its template, which includes
``workspace/_record_panels.html`` (with ``extras``) and
``workspace/_record_timeline.html`` (with ``extras`` and ``ws``):

- panels: every ``RecordPanel`` of the features the viewer may ``view`` whose
  ``subjects`` contain ``subject``, in ``order``, each loaded once (one query
  each, in the request's transaction);
- timeline: the record's own audit rows (creation and changes, with readable
  field-level diffs) merged with every viewable feature's ``timeline`` source,
  newest first, at most ``limit`` entries.

Nothing here is unbounded: one audit query and one call per panel or source."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from comptoir.platform.assembly import all_features
from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.features import Feature, TimelineEntry
from comptoir.platform.fields import form_fields
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.workspace.deps import WorkspacePage
from comptoir.tenants.workspace.rendering import person_name

HISTORY_LIMIT = 30
# A value shown in a diff is cut to this many characters (notes can be long).
SHOWN_VALUE = 80


@dataclass(frozen=True)
class PanelView:
    """One loaded panel: its translated label, its partial and its rows."""

    key: str
    label: str
    template: str
    items: Sequence[Any]


@dataclass(frozen=True)
class FieldChange:
    """One changed field of an audit row, ready to show: "Phone: 01… → 06…"."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryItem:
    """A timeline line: the entry, who did it (a name) and, for a change, its diff."""

    entry: TimelineEntry
    actor_name: str
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class RecordExtras:
    panels: list[PanelView] = field(default_factory=list)
    timeline: list[HistoryItem] = field(default_factory=list)


# A field's value as shown in a diff; ``people`` names owners.
ValueFormat = Callable[[str, Any], str]


def viewable_features(page: WorkspacePage) -> list[Feature]:
    """The features whose records the viewer may see (as the navigation decides)."""
    return [f for f in all_features() if page.can(f.permission("view"))]


def field_labels(fields: type[msgspec.Struct] | None) -> dict[str, str]:
    """{field name: translated title} of a record's declared fields."""
    if fields is None:
        return {}
    return {spec.name: _(spec.label) for spec in form_fields(fields)}


def _plain(value: Any, people: Mapping[uuid.UUID, User], name: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "owner_id":
        person = next((p for i, p in people.items() if str(i) == str(value)), None)
        return person_name(person) if person else _("someone else")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def diff_lines(
    changes: Any,
    labels: Mapping[str, str],
    people: Mapping[uuid.UUID, User],
    value_format: ValueFormat | None = None,
) -> tuple[FieldChange, ...]:
    """An audit row's ``changes`` ({field: [old, new]} for a change, {field: value}
    at creation) as readable lines, in the order of the record's fields.
    Fields the record does not declare (internal columns) are left out."""
    if not isinstance(changes, Mapping):
        return ()
    order = {name: position for position, name in enumerate(labels)}
    lines = []
    for name in sorted(changes, key=lambda n: order.get(n, len(order))):
        if labels and name not in labels:
            continue
        value = changes[name]
        before, after = (value[0], value[1]) if _is_pair(value) else (None, value)
        show: ValueFormat = value_format or (lambda n, v: _plain(v, people, n))
        lines.append(
            FieldChange(
                label=labels.get(name, name.replace("_", " ").capitalize()),
                before=show(name, before),
                after=show(name, after),
            )
        )
    return tuple(lines)


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def _audit_history(
    page: WorkspacePage,
    subject: str,
    subject_id: uuid.UUID,
    limit: int,
    labels: Mapping[str, str],
    people: Mapping[uuid.UUID, User],
) -> list[HistoryItem]:
    """The record's own audit rows (one query, newest first)."""
    async with tenant_scope(page.tenant.id) as scope:
        rows = await (
            scope.objects(AuditEntry)
            .where(AuditEntry.object_type == subject)
            .where(AuditEntry.object_id == str(subject_id))
            .order_by(AuditEntry.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
    action_labels = {k: v for f in all_features() for k, v in f.audit_labels.items()}
    items = []
    for row in rows:
        verb = row.action.rsplit(".", 1)[-1]
        changes = diff_lines(row.changes, labels, people) if verb in ("create", "update") else ()
        items.append(
            HistoryItem(
                entry=TimelineEntry(
                    at=_aware(row.created_at),
                    kind="change" if verb == "update" else verb,
                    title=_(action_labels.get(row.action, row.action)),
                    actor_id=row.actor_id,
                ),
                actor_name=row.actor_label or _("System"),
                changes=changes,
            )
        )
    return items


async def record_extras(
    page: WorkspacePage,
    subject: str,
    subject_id: uuid.UUID,
    *,
    fields: type[msgspec.Struct] | None = None,
    people: Mapping[uuid.UUID, User] | None = None,
    limit: int = HISTORY_LIMIT,
) -> RecordExtras:
    """The panels and the history of one record, as the viewer may see them.

    ``subject`` is the record kind ("contact", "account", "opportunity") as the
    manifests' ``RecordPanel.subjects`` and timeline sources name it and as its
    audit rows' ``object_type`` store it; ``fields`` (the record's declared input
    struct) labels the fields of its diffs; ``people`` (user id -> User, e.g.
    ``records.people(page)``) names the actors of the features' entries."""
    people = people or {}
    features = viewable_features(page)
    panels = [
        (feature, panel)
        for feature in features
        for panel in feature.record_panels
        if subject in panel.subjects
    ]
    panels.sort(key=lambda pair: pair[1].order)
    views = [
        PanelView(
            key=panel.key,
            label=_(panel.label),
            template=panel.template,
            items=list(await panel.load(page.tenant.id, subject, subject_id)),
        )
        for _feature, panel in panels
    ]
    history = await _audit_history(page, subject, subject_id, limit, field_labels(fields), people)
    for feature in features:
        if feature.timeline is None:
            continue
        for entry in await feature.timeline(page.tenant.id, subject, subject_id, limit):
            actor = people.get(entry.actor_id) if entry.actor_id else None
            history.append(
                HistoryItem(
                    entry=TimelineEntry(
                        at=_aware(entry.at),
                        kind=entry.kind,
                        title=entry.title,
                        body=entry.body,
                        actor_id=entry.actor_id,
                        link=entry.link,
                    ),
                    actor_name=person_name(actor) if actor else "",
                )
            )
    history.sort(key=lambda item: item.entry.at, reverse=True)
    return RecordExtras(panels=views, timeline=history[:limit])
