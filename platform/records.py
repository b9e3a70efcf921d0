"""The named actions every owned CRM record shares: create, change, delete.

A feature describes its records once (``RecordKind``: table, input struct,
searched fields, its own checks) and its service calls these: each takes the
scope of the tenant and the acting user, writes in that transaction, keeps the
record counts, leaves an audit row and emits a domain event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.counters import service as counters
from comptoir.platform.db.base import OwnedTable
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.db.search import normalise
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.fields import changed_values

R = TypeVar("R", bound=OwnedTable)
# A feature's own rules over the merged values: {field: message} for each problem.
Check = Callable[[TenantScope, dict[str, Any]], Awaitable[dict[str, str]]]


async def _no_check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    name: str  # singular, as in audit actions and events: "contact"
    plural: str  # the counter and feature name: "contacts"
    table: type[R]
    fields: type[msgspec.Struct]
    searched: Sequence[str]
    check: Check = _no_check
    label_fields: Sequence[str] = ("name",)
    module: str = "sales"  # where its events count in adoption figures

    def label(self, record: Any) -> str:
        return " ".join(str(getattr(record, f) or "") for f in self.label_fields).strip()


def _event(kind: RecordKind[Any], verb: str, record: OwnedTable, actor: Actor) -> None:
    events.emit(
        events.DomainEvent(
            name=f"{kind.name}.{verb}",
            tenant_id=record.tenant_id,
            actor_id=actor.id,
            actor_role=actor.role,
            object_type=kind.name,
            object_id=str(record.id),
            module=kind.module,
        )
    )


async def _validate(
    scope: TenantScope, kind: RecordKind[Any], record: OwnedTable, given: Mapping[str, Any]
) -> None:
    """Owner rules common to every owned record, then the feature's own."""
    errors: dict[str, str] = {}
    if "owner_id" in given and given["owner_id"] is not None:
        owner = await scope.find(User, given["owner_id"])
        if owner is None:
            errors["owner_id"] = "must be the id of a user of this workspace"
        elif owner.status != "active":
            errors["owner_id"] = "must be an active user"
        elif not scope.may_own(owner.id):
            errors["owner_id"] = "must be you or someone in your team"
    merged = {name: getattr(record, name) for name in given} | dict(given)
    for name in msgspec.structs.fields(kind.fields):
        merged.setdefault(name.name, getattr(record, name.name, None))
    errors.update(await kind.check(scope, merged))
    if errors:
        raise ValidationFailed(errors)


def _search_text(kind: RecordKind[Any], record: OwnedTable) -> str:
    return normalise(" ".join(str(getattr(record, n) or "") for n in kind.searched))


async def create_record(
    scope: TenantScope, kind: RecordKind[R], values: Mapping[str, Any], *, actor: Actor
) -> R:
    record = kind.table()
    given = dict(values)
    if given.get("owner_id") is None:
        given["owner_id"] = actor.id if actor.kind == "user" else None
    await _validate(scope, kind, record, given)
    for name, value in given.items():
        setattr(record, name, value)
    record.search_text = _search_text(kind, record)  # type: ignore[attr-defined]
    await scope.insert(record)
    await counters.bump(scope, kind.plural, record.owner_id, 1)
    await audit.record(
        scope,
        actor,
        f"{kind.name}.create",
        object_type=kind.name,
        object_id=record.id,
        changes={k: v for k, v in given.items() if v not in ("", None)},
    )
    _event(kind, "created", record, actor)
    return record


async def update_record(
    scope: TenantScope,
    kind: RecordKind[R],
    record_id: uuid.UUID | str,
    values: Mapping[str, Any],
    *,
    actor: Actor,
) -> R:
    record = await scope.get(kind.table, record_id)
    before = record.to_dict()
    await _validate(scope, kind, record, values)
    for name, value in values.items():
        setattr(record, name, value)
    changes = changed_values(before, dict(values))
    if not changes:
        return record
    record.search_text = _search_text(kind, record)  # type: ignore[attr-defined]
    record.updated_at = dt.datetime.now(dt.UTC)  # type: ignore[attr-defined]
    await scope.save(record)
    if "owner_id" in changes:
        await counters.moved(scope, kind.plural, before.get("owner_id"), record.owner_id)
    await audit.record(
        scope,
        actor,
        f"{kind.name}.update",
        object_type=kind.name,
        object_id=record.id,
        changes=changes,
    )
    _event(kind, "updated", record, actor)
    return record


async def delete_record(
    scope: TenantScope, kind: RecordKind[R], record_id: uuid.UUID | str, *, actor: Actor
) -> R:
    record = await scope.get(kind.table, record_id)
    await scope.delete(kind.table).where(kind.table.id == record.id)
    await counters.bump(scope, kind.plural, record.owner_id, -1)
    await audit.record(
        scope,
        actor,
        f"{kind.name}.delete",
        object_type=kind.name,
        object_id=record.id,
        changes={"name": kind.label(record)},
    )
    _event(kind, "deleted", record, actor)
    return record
