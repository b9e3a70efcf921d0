"""Activities (calls, meetings, e-mails, tasks, notes): named actions over the
shared record rules, marking them done, and the reads other pages need (a
user's follow-ups, a record's next follow-ups and its history)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id
from comptoir.platform.records import RecordKind, create_record, delete_record, update_record
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.activities.schemas import KINDS, ActivityFields, ActivityOut
from comptoir.tenants.activities.tables import Activity
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities.tables import Opportunity

DEFAULT_TZ = "Europe/Paris"
# Filters of the list beyond the declared equality ones.
DONE_FILTER = "done"  # open | done
DUE_AFTER = "due_after"  # ISO 8601 with an offset: due_at >= this
DUE_BEFORE = "due_before"  # due_at < this
RANGE_FILTERS = (DONE_FILTER, DUE_AFTER, DUE_BEFORE)
LINKS: Mapping[str, tuple[Any, str]] = {
    "contact_id": (Contact, "must be the id of a contact of this workspace"),
    "account_id": (Account, "must be the id of an account of this workspace"),
    "opportunity_id": (Opportunity, "must be the id of an opportunity of this workspace"),
}


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back without their zone; they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def tenant_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


@dataclass(frozen=True)
class Day:
    """A calendar day in a tenant's time zone, as UTC bounds."""

    date: dt.date
    starts: dt.datetime
    ends: dt.datetime

    @classmethod
    def of(cls, now: dt.datetime, zone: ZoneInfo) -> Day:
        local = aware(now).astimezone(zone).date()
        starts = dt.datetime.combine(local, dt.time(), tzinfo=zone)
        ends = dt.datetime.combine(local + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return cls(local, starts.astimezone(dt.UTC), ends.astimezone(dt.UTC))


async def _check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not str(values.get("subject") or "").strip():
        errors["subject"] = "an activity needs a subject"
    if values.get("kind") not in KINDS:
        errors["kind"] = f"must be one of {', '.join(KINDS)}"
    due, ends = values.get("due_at"), values.get("ends_at")
    if ends is not None and due is None:
        errors["ends_at"] = "needs a start (due date) first"
    elif ends is not None and due is not None and aware(ends) <= aware(due):
        errors["ends_at"] = "must be after the start"
    everyone = scope.unrestricted()
    for name, (table, message) in LINKS.items():
        if values.get(name) is not None and await everyone.find(table, values[name]) is None:
            errors[name] = message
    return errors


ACTIVITIES: RecordKind[Activity] = RecordKind(
    name="activity",
    plural="activities",
    table=Activity,
    fields=ActivityFields,
    searched=("subject", "body", "location"),
    check=_check,
    label_fields=("subject",),
)

ACTIVITY_LIST = ListSpec(
    table=Activity,
    columns=[*ActivityOut.__struct_fields__],
    sorts={"created_at": ("id",), "updated_at": ("updated_at",), "due_at": ("due_at",)},
    filters={
        "kind": "kind",
        "owner_id": "owner_id",
        "contact_id": "contact_id",
        "account_id": "account_id",
        "opportunity_id": "opportunity_id",
    },
    search_function="activities_search_ids",
    search_page_function="activities_search_page",
)


# Dates an activity may have: anything else is a typing slip (and the far
# ends of the calendar cannot take a time zone's offset).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(3000, 1, 1, tzinfo=dt.UTC)
OUT_OF_RANGE = "must be between the years 1900 and 2999"


def in_utc(name: str, value: dt.datetime) -> dt.datetime:
    """A moment in UTC, or ValidationFailed naming ``name`` when out of range."""
    try:
        moment = aware(value).astimezone(dt.UTC)
    except OverflowError as error:
        raise ValidationFailed({name: OUT_OF_RANGE}) from error
    if not EARLIEST <= moment < LATEST:
        raise ValidationFailed({name: OUT_OF_RANGE})
    return moment


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("subject", "location"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    errors: dict[str, str] = {}
    for name in ("due_at", "ends_at", "done_at"):
        if isinstance(cleaned.get(name), dt.datetime):
            try:
                cleaned[name] = in_utc(name, cleaned[name])
            except ValidationFailed as error:
                errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


async def create_activity(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> Activity:
    async with tenant_scope(tenant_id) as scope:
        return await create_record(scope, ACTIVITIES, _clean(values), actor=actor)


async def update_activity(
    tenant_id: uuid.UUID, activity_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> Activity:
    async with tenant_scope(tenant_id) as scope:
        return await update_record(scope, ACTIVITIES, activity_id, _clean(values), actor=actor)


async def delete_activity(
    tenant_id: uuid.UUID, activity_id: uuid.UUID | str, *, actor: Actor
) -> None:
    async with tenant_scope(tenant_id) as scope:
        await delete_record(scope, ACTIVITIES, activity_id, actor=actor)


async def get_activity(tenant_id: uuid.UUID, activity_id: uuid.UUID | str) -> Activity:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(Activity, activity_id)


async def mark_done(
    tenant_id: uuid.UUID,
    activity_id: uuid.UUID | str,
    *,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Activity:
    """Mark an activity done now; one already done is left as it is (the
    same click twice changes nothing and tells nobody twice)."""
    async with tenant_scope(tenant_id) as scope:
        activity = await scope.get(Activity, activity_id)
        if activity.done_at is not None:
            return activity
        moment = aware(now or dt.datetime.now(dt.UTC))
        activity.done_at = moment
        activity.updated_at = moment
        await scope.save(activity, columns=[Activity.done_at, Activity.updated_at])
        await audit.record(
            scope,
            actor,
            "activity.done",
            object_type="activity",
            object_id=activity.id,
            changes={"done_at": [None, moment.isoformat()]},
        )
        events.emit(
            events.DomainEvent(
                name="activity.done",
                tenant_id=tenant_id,
                actor_id=actor.id,
                actor_role=actor.role,
                object_type="activity",
                object_id=str(activity.id),
                module="sales",
                data={"kind": activity.kind},
            )
        )
        return activity


async def mark_undone(
    tenant_id: uuid.UUID, activity_id: uuid.UUID | str, *, actor: Actor
) -> Activity:
    """Open a done activity again (a change like any other)."""
    async with tenant_scope(tenant_id) as scope:
        return await update_record(scope, ACTIVITIES, activity_id, {"done_at": None}, actor=actor)


def _moment(name: str, value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed({name: "must be a date and time (ISO 8601)"}) from error
    if parsed.tzinfo is None:
        raise ValidationFailed({name: "must say its time zone (e.g. Z or +01:00)"})
    return in_utc(name, parsed)


def range_conditions(filters: Mapping[str, str]) -> list[Any]:
    """The conditions of the open/done and due-window filters."""
    conditions: list[Any] = []
    done = filters.get(DONE_FILTER)
    if done is not None:
        if done not in ("open", "done"):
            raise ValidationFailed({DONE_FILTER: "must be open or done"})
        conditions.append(
            Activity.done_at.is_null() if done == "open" else Activity.done_at.is_not_null()
        )
    if DUE_AFTER in filters:
        conditions.append(Activity.due_at >= _moment(DUE_AFTER, filters[DUE_AFTER]))
    if DUE_BEFORE in filters:
        conditions.append(Activity.due_at < _moment(DUE_BEFORE, filters[DUE_BEFORE]))
    return conditions


async def list_activities(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    """A page of activities. Sorted by due date, only those with one are
    listed (an undated note has no place in that order)."""
    conditions = range_conditions(query.filters)
    equal = {k: v for k, v in query.filters.items() if k not in RANGE_FILTERS}
    if (query.sort or "").lstrip("-") == "due_at":
        conditions.append(Activity.due_at.is_not_null())
    plain = ListQuery(
        q=query.q, cursor=query.cursor, limit=query.limit, sort=query.sort, filters=equal
    )
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, ACTIVITY_LIST, plain, limit=limit, where=conditions)


@dataclass(frozen=True)
class LinkNames:
    """{id: name} of the records some activities link to, as the viewer sees them."""

    contacts: dict[str, str]
    accounts: dict[str, str]
    opportunities: dict[str, str]


def _ids(rows: Sequence[Any], name: str) -> list[uuid.UUID]:
    found = {str(value) for row in rows if (value := value_of(row, name))}
    return [i for i in (parse_id(value) for value in found) if i is not None]


def value_of(row: Any, name: str) -> Any:
    """A field of a row (a dict from a list) or of a record."""
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


async def link_names(tenant_id: uuid.UUID, rows: Sequence[Any]) -> LinkNames:
    """The names of the contacts, accounts and opportunities of these rows
    (dicts or activities): one query per kind that appears."""
    contacts: dict[str, str] = {}
    accounts: dict[str, str] = {}
    opportunities: dict[str, str] = {}
    async with tenant_scope(tenant_id) as scope:
        if wanted := _ids(rows, "contact_id"):
            for row in await scope.select(
                Contact, Contact.id, Contact.first_name, Contact.last_name, Contact.email
            ).where(Contact.id.is_in(wanted)):
                name = f"{row['first_name']} {row['last_name']}".strip()
                contacts[str(row["id"])] = name or row["email"] or "—"
        if wanted := _ids(rows, "account_id"):
            for row in await scope.select(Account, Account.id, Account.name).where(
                Account.id.is_in(wanted)
            ):
                accounts[str(row["id"])] = row["name"]
        if wanted := _ids(rows, "opportunity_id"):
            for row in await scope.select(Opportunity, Opportunity.id, Opportunity.name).where(
                Opportunity.id.is_in(wanted)
            ):
                opportunities[str(row["id"])] = row["name"]
    return LinkNames(contacts, accounts, opportunities)
