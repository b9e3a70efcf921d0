"""What every record page (a contact's, an account's, an opportunity's) shows
around the record itself: the other features' panels and the record's history.

A record page calls ``record_extras(page, subject, subject_id, ...)`` once and
passes the result to its template, which includes
``workspace/_record_panels.html`` (with ``extras``) and
``workspace/_record_timeline.html`` (with ``extras``, ``ws`` and optionally
``more_url``, a route answering the same partial with the longer history of
``record_history(..., limit=FULL_HISTORY_LIMIT)``):

- panels: every ``RecordPanel`` of the features the viewer may ``view`` whose
  ``subjects`` contain ``subject``, in ``order``, each loaded once (one query
  each, in the request's transaction);
- timeline: the record's own audit rows (creation and changes, with readable
  field-level diffs) merged with every viewable feature's ``timeline`` source,
  newest first, at most ``limit`` entries.

Nothing here is unbounded: one audit query and one call per panel or source."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from comptoir.platform.assembly import all_features
from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.features import Feature, TimelineEntry
from comptoir.platform.fields import FieldSpec, form_fields
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.workspace.rendering import DEFAULT_TZ, Formatters, person_name

HISTORY_LIMIT = 30
# "Show more" asks for this many entries at most.
FULL_HISTORY_LIMIT = 200
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
    # More history than shown: the timeline partial offers "Show more" (``more_url``).
    has_more: bool = False


# A field's value as shown in a diff; ``people`` names owners.
ValueFormat = Callable[[str, Any], str]


class Viewer(Protocol):
    """Who looks at the record: a workspace page or an API caller."""

    @property
    def tenant(self) -> Tenant: ...

    def can(self, permission: str) -> bool: ...


def viewable_features(page: Viewer) -> list[Feature]:
    """The features whose records the viewer may see (as the navigation decides)."""
    return [f for f in all_features() if page.can(f.permission("view"))]


def field_labels(fields: type[msgspec.Struct] | None) -> dict[str, str]:
    """{field name: translated title} of a record's declared fields."""
    if fields is None:
        return {}
    return {spec.name: _(spec.label) for spec in form_fields(fields)}


def _declared(spec: FieldSpec | None, value: Any, names: Mapping[str, str]) -> str | None:
    """A value as its field declares it: a choice's label, tags, a linked record's name."""
    if spec is None or value in (None, ""):
        return None
    if spec.choices:
        labels = dict(spec.choices)
        return _(labels[str(value)]) if str(value) in labels else None
    if spec.kind == "tags":
        tags = value if isinstance(value, list) else str(value).split(",")
        return ", ".join(str(tag).strip() for tag in tags if str(tag).strip())
    if spec.kind == "uuid" and spec.name != "owner_id":
        return names.get(str(value), _("another record"))
    return None


def _moment(text: str, fmt: Formatters) -> str | None:
    """A date or a moment as the audit log stores it, in the reader's words."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}.*)?", text):
        return None
    try:
        if len(text) == 10:
            return fmt.day(dt.datetime.combine(dt.date.fromisoformat(text), dt.time(12)))
        return fmt.when(dt.datetime.fromisoformat(text), "short")
    except ValueError:
        return None


def _plain(
    value: Any, people: Mapping[uuid.UUID, User], name: str, fmt: Formatters | None = None
) -> str:
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
    shown = _moment(text, fmt or Formatters(DEFAULT_TZ))
    if shown is not None:
        return shown
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def diff_lines(
    changes: Any,
    labels: Mapping[str, str],
    people: Mapping[uuid.UUID, User],
    value_format: ValueFormat | None = None,
    fmt: Formatters | None = None,
    specs: Mapping[str, FieldSpec] | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[FieldChange, ...]:
    """An audit row's ``changes`` ({field: [old, new]} for a change, {field: value}
    at creation) as readable lines, in the order of the record's fields.
    Fields the record does not declare (internal columns) are left out; ``specs``
    (the declared fields) show choices by their labels, ``names`` ({id: name})
    the records a field links to."""
    specs = specs or {}
    names = names or {}
    if not isinstance(changes, Mapping):
        return ()
    order = {name: position for position, name in enumerate(labels)}
    lines = []
    for name in sorted(changes, key=lambda n: order.get(n, len(order))):
        if labels and name not in labels:
            continue
        value = changes[name]
        before, after = (value[0], value[1]) if _is_pair(value) else (None, value)
        show: ValueFormat = value_format or (
            lambda n, v: _declared(specs.get(n), v, names) or _plain(v, people, n, fmt)
        )
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
    page: Viewer,
    subject: str,
    subject_id: uuid.UUID,
    limit: int,
    fields: type[msgspec.Struct] | None,
    people: Mapping[uuid.UUID, User],
    names: Mapping[str, str],
) -> list[HistoryItem]:
    """The record's own audit rows (one query, newest first)."""
    labels = field_labels(fields)
    specs = {spec.name: spec for spec in form_fields(fields)} if fields else {}
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
    fmt = Formatters(page.tenant.timezone or DEFAULT_TZ)
    items = []
    for row in rows:
        verb = row.action.rsplit(".", 1)[-1]
        changes = (
            diff_lines(row.changes, labels, people, fmt=fmt, specs=specs, names=names)
            if verb in ("create", "update")
            else ()
        )
        items.append(
            HistoryItem(
                entry=TimelineEntry(
                    at=_aware(row.created_at),
                    kind="change" if verb == "update" else verb,
                    title=_(action_labels.get(row.action, row.action)),
                    actor_id=row.actor_id,
                ),
                actor_name=(
                    person_name(people[row.actor_id])
                    if row.actor_id in people
                    else row.actor_label or _("System")
                ),
                changes=changes,
            )
        )
    return items


async def record_extras(
    page: Viewer,
    subject: str,
    subject_id: uuid.UUID,
    *,
    fields: type[msgspec.Struct] | None = None,
    people: Mapping[uuid.UUID, User] | None = None,
    limit: int = HISTORY_LIMIT,
    names: Mapping[str, str] | None = None,
) -> RecordExtras:
    """The panels and the history of one record, as the viewer may see them.

    ``subject`` is the record kind ("contact", "account", "opportunity") as the
    manifests' ``RecordPanel.subjects`` and timeline sources name it and as its
    audit rows' ``object_type`` store it; ``fields`` (the record's declared input
    struct) labels the fields of its diffs; ``people`` (user id -> User, e.g.
    ``records.people(page)``) names the actors of the features' entries;
    ``names`` ({id: name}, e.g. the contact's account) names linked records in diffs;
    ``page`` is the viewer's workspace page (or API caller)."""
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
    history = await record_history(
        page, subject, subject_id, fields=fields, people=people, limit=limit + 1, names=names
    )
    return RecordExtras(panels=views, timeline=history[:limit], has_more=len(history) > limit)


async def record_history(
    page: Viewer,
    subject: str,
    subject_id: uuid.UUID,
    *,
    fields: type[msgspec.Struct] | None = None,
    people: Mapping[uuid.UUID, User] | None = None,
    limit: int = HISTORY_LIMIT,
    names: Mapping[str, str] | None = None,
) -> list[HistoryItem]:
    """A record's history alone (see ``record_extras``), newest first, ``limit`` at most."""
    people = people or {}
    history = await _audit_history(page, subject, subject_id, limit, fields, people, names or {})
    for feature in viewable_features(page):
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
    return history[:limit]


class FieldChangeOut(msgspec.Struct, kw_only=True):
    field: str  # the field's label, in the caller's language
    before: str
    after: str


class TimelineItemOut(msgspec.Struct, kw_only=True):
    """One entry of a record's history, as the API shows it."""

    at: dt.datetime
    kind: str
    title: str
    body: str
    actor_id: uuid.UUID | None
    actor_name: str
    link: str
    changes: list[FieldChangeOut]


def timeline_out(item: HistoryItem) -> TimelineItemOut:
    return TimelineItemOut(
        at=item.entry.at,
        kind=item.entry.kind,
        title=item.entry.title,
        body=item.entry.body,
        actor_id=item.entry.actor_id,
        actor_name=item.actor_name,
        link=item.entry.link,
        changes=[
            FieldChangeOut(field=c.label, before=c.before, after=c.after) for c in item.changes
        ],
    )


async def people_by_id(tenant_id: uuid.UUID, limit: int = 500) -> dict[uuid.UUID, User]:
    """The workspace's users by id, to name the actors of a history (one query)."""
    async with tenant_scope(tenant_id) as scope:
        users = await scope.objects(User).order_by(User.id).limit(limit)
    return {user.id: user for user in users}
