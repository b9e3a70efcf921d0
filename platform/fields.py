"""A feature's fields, declared once in a msgspec struct, read everywhere.

Each field of a feature's input struct carries its type, its limits
(``Meta(max_length=…)``) and its label (``Meta(title=…)``, an English msgid),
plus an optional ``extra={"widget": …}`` for forms. From that one
declaration come the API's request schema (msgspec and OpenAPI), the update
schema (every field optional, ``partial_struct``), the pages' forms
(``form_fields``), their validation (``parse_form``, all errors at once) and
the audit diff (``changed_values``)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
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
    kind: str  # text, uuid, textarea, email, tel, url, select, boolean, number, date, tags
    max_length: int | None = None
    pattern: str | None = None
    required: bool = False
    hint: str = ""
    # A select's (value, English label) pairs: ``extra={"choices": …}`` or a Literal's values.
    choices: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None  # a number's bounds (``Meta(ge=…, le=…)``)
    maximum: int | None = None
    item_max_length: int | None = None  # each tag's limit


# The widget of a field that declares none, from its type.
_TYPE_KINDS: dict[type[Any], str] = {
    msgspec.inspect.BoolType: "boolean",
    msgspec.inspect.IntType: "number",
    msgspec.inspect.DateType: "date",
    msgspec.inspect.ListType: "tags",
    msgspec.inspect.LiteralType: "select",
}


def _choices(base: Any, extra: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    declared: Mapping[str, str] | Sequence[tuple[str, str]] = extra.get("choices", ())
    if isinstance(declared, Mapping):
        return tuple((str(k), str(v)) for k, v in declared.items())
    if declared:
        return tuple((str(k), str(v)) for k, v in declared)
    if isinstance(base, msgspec.inspect.LiteralType):
        return tuple((str(v), str(v)) for v in base.values)
    return ()


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
            kind = str(extra.get("widget", _TYPE_KINDS.get(type(base), "text")))
        item = getattr(base, "item_type", None)
        while isinstance(item, msgspec.inspect.Metadata):
            item = item.type
        specs.append(
            FieldSpec(
                name=field.name,
                label=str(schema.get("title", field.name.replace("_", " ").capitalize())),
                kind=kind,
                max_length=getattr(base, "max_length", None),
                pattern=getattr(base, "pattern", None),
                required=bool(extra.get("required", False)),
                hint=str(schema.get("description", "")),
                choices=_choices(base, extra),
                minimum=getattr(base, "ge", None),
                maximum=getattr(base, "le", None),
                item_max_length=getattr(item, "max_length", None),
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


TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0", ""})


def _typed(spec: FieldSpec, value: str) -> tuple[Any, str | None]:
    """A select, yes/no, number, date or tags field's typed value."""
    if spec.kind == "select":
        if value not in {choice for choice, _label in spec.choices}:
            return value, "is not a valid choice"
        return value, None
    if spec.kind == "boolean":
        word = value.lower()
        return (
            (word in TRUE_WORDS, None)
            if word in TRUE_WORDS | FALSE_WORDS
            else (
                value,
                "is not a valid choice",
            )
        )
    if spec.kind == "number":
        if not value:
            return None, "is required" if spec.required else None
        try:
            number = int(value)
        except ValueError:
            return value, "must be a whole number"
        if spec.minimum is not None and number < spec.minimum:
            return value, f"must be at least {spec.minimum}"
        if spec.maximum is not None and number > spec.maximum:
            return value, f"must be at most {spec.maximum}"
        return number, None
    if spec.kind == "date":
        if not value:
            return None, "is required" if spec.required else None
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            return value, "must be a date (YYYY-MM-DD)"
    # tags: comma-separated, each trimmed, blanks and repeats dropped
    tags = list(dict.fromkeys(tag.strip() for tag in value.split(",") if tag.strip()))
    if spec.item_max_length is not None and any(len(t) > spec.item_max_length for t in tags):
        return value, f"each must be at most {spec.item_max_length} characters"
    if spec.max_length is not None and len(tags) > spec.max_length:
        return value, f"must be at most {spec.max_length} items"
    return tags, None


TYPED_KINDS = frozenset({"select", "boolean", "number", "date", "tags"})


def _check(spec: FieldSpec, raw: str) -> tuple[Any, str | None]:
    value = raw if spec.kind == "textarea" else raw.strip()
    if spec.kind in TYPED_KINDS:
        return _typed(spec, value)
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
