"""A feature's fields, declared once in a msgspec struct, read everywhere.

Each field of a feature's input struct carries its type, its limits
(``Meta(max_length=…)``) and its label (``Meta(title=…)``, an English msgid),
plus an optional ``extra={"widget": …}`` for forms. From that one
declaration come the API's request schema (msgspec and OpenAPI), the update
schema (every field optional, ``partial_struct``), the pages' forms
(``form_fields``), their validation (``parse_form``, all errors at once) and
the audit diff (``changed_values``)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id

S = TypeVar("S", bound=msgspec.Struct)


@dataclass(frozen=True)
class FieldSpec:
    """One field as a form and a validator see it."""

    name: str
    label: str
    kind: str  # text, uuid, textarea, email, tel, url…: the widget
    max_length: int | None = None
    pattern: str | None = None
    required: bool = False
    hint: str = ""


def _unwrap(info: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The bare type, its JSON-schema extras (title) and its extra (widget)."""
    schema: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    while isinstance(info, msgspec.inspect.Metadata):
        schema.update(info.extra_json_schema or {})
        extra.update(info.extra or {})
        info = info.type
    if isinstance(info, msgspec.inspect.UnionType):
        kinds = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
        if len(kinds) == 1:
            inner, more_schema, more_extra = _unwrap(kinds[0])
            return inner, {**more_schema, **schema}, {**more_extra, **extra}
    return info, schema, extra


@cache
def form_fields(struct: type[msgspec.Struct]) -> tuple[FieldSpec, ...]:
    specs = []
    for field in msgspec.inspect.type_info(struct).fields:  # type: ignore[attr-defined]
        base, schema, extra = _unwrap(field.type)
        if isinstance(base, msgspec.inspect.UUIDType):
            kind = "uuid"
        else:
            kind = str(extra.get("widget", "text"))
        specs.append(
            FieldSpec(
                name=field.name,
                label=str(schema.get("title", field.name.replace("_", " ").capitalize())),
                kind=kind,
                max_length=getattr(base, "max_length", None),
                pattern=getattr(base, "pattern", None),
                required=bool(extra.get("required", False)),
                hint=str(schema.get("description", "")),
            )
        )
    return tuple(specs)


def partial_struct(struct: type[S], name: str) -> type[msgspec.Struct]:
    """The update schema of a create schema: the same fields, each optional
    (``UNSET`` when not sent), so only what is sent is changed."""
    hints = msgspec.structs.fields(struct)
    return msgspec.defstruct(
        name,
        [(f.name, f.type | UnsetType, UNSET) for f in hints],
        kw_only=True,
        forbid_unknown_fields=True,
        module=struct.__module__,
    )


def sent_values(data: msgspec.Struct) -> dict[str, Any]:
    """The fields of a request struct that were sent (not ``UNSET``)."""
    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not UNSET}


def _check(spec: FieldSpec, raw: str) -> tuple[Any, str | None]:
    value = raw if spec.kind == "textarea" else raw.strip()
    if spec.kind == "uuid":
        if not value:
            return None, None
        parsed = parse_id(value)
        return (parsed, None) if parsed else (None, "is not a valid choice")
    if spec.max_length is not None and len(value) > spec.max_length:
        return value, f"must be at most {spec.max_length} characters"
    if spec.pattern and not re.search(spec.pattern, value):
        if spec.kind == "email":
            return value, "must be a valid e-mail address"
        return value, "is not in the expected format"
    if spec.required and not value:
        return value, "is required"
    return value, None


def parse_form(
    struct: type[msgspec.Struct], data: Mapping[str, str], *, only_sent: bool = False
) -> dict[str, Any]:
    """A posted form's values for the struct's fields, checked against the
    same limits as the API; every error at once, as ValidationFailed."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in form_fields(struct):
        if only_sent and spec.name not in data:
            continue
        value, problem = _check(spec, str(data.get(spec.name, "")))
        values[spec.name] = value
        if problem:
            errors[spec.name] = problem
    if errors:
        raise ValidationFailed(errors)
    return values


def changed_values(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The audit diff: {field: [old, new]} for each field whose value changed."""

    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, uuid.UUID) else value

    return {
        name: [plain(before.get(name)), plain(value)]
        for name, value in after.items()
        if plain(before.get(name)) != plain(value)
    }
