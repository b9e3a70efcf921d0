"""What the pages of every CRM record share: the people who may own a record,
the form built from the feature's declared fields, htmx fragments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request

from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.fields import FieldSpec, form_fields
from comptoir.tenants.workspace.deps import WorkspacePage

MAX_PEOPLE = 500


@dataclass(frozen=True)
class FormSection:
    """A titled group of fields of a record's form (labels are English msgids)."""

    title: str
    fields: Sequence[FieldSpec]


def form_sections(
    struct: type[msgspec.Struct], layout: Sequence[tuple[str, Sequence[str]]]
) -> list[FormSection]:
    """The form of a record, in sections, from its declared fields; every
    declared field must be placed once (a new field shows up or fails loudly)."""
    specs = {spec.name: spec for spec in form_fields(struct)}
    placed = [name for _, names in layout for name in names]
    missing = set(specs) - set(placed)
    if missing or len(placed) != len(set(placed)):
        raise RuntimeError(f"form layout of {struct.__name__}: place each field once {missing}")
    return [FormSection(title, [specs[n] for n in names]) for title, names in layout]


async def people(page: WorkspacePage) -> dict[uuid.UUID, User]:
    """The workspace's users by id (owners to show and to choose from)."""
    async with tenant_scope(page.tenant.id) as scope:
        users = await (
            scope.objects(User).order_by(User.last_name).order_by(User.first_name).limit(MAX_PEOPLE)
        )
    return {user.id: user for user in users}


def wants_fragment(request: Request[Any, Any, Any]) -> bool:
    return bool(request.headers.get("hx-request")) and not request.headers.get(
        "hx-history-restore-request"
    )


def form_values(
    struct: type[msgspec.Struct], record: Any | None, data: dict[str, str] | None = None
) -> dict[str, str]:
    """What the form shows: what was typed, else the record's values, else blanks."""
    names = [spec.name for spec in form_fields(struct)]
    if data is not None:
        return {name: data.get(name, "") for name in names}
    if record is None:
        return dict.fromkeys(names, "")
    values = {name: getattr(record, name) for name in names}
    return {name: "" if value is None else str(value) for name, value in values.items()}
