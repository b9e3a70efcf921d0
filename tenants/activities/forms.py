"""The activity form of the pages: what it shows (dates in the workspace's
time zone) and what a posted form means (every problem at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id
from comptoir.tenants.activities.schemas import KINDS
from comptoir.tenants.activities.service import aware, in_utc
from comptoir.tenants.activities.tables import Activity

FORM_FIELDS = (
    "kind",
    "subject",
    "due_at",
    "ends_at",
    "location",
    "body",
    "owner_id",
    "contact_id",
    "account_id",
    "opportunity_id",
    "done",
)
TEXT_LIMITS = {"subject": 200, "location": 200, "body": 10_000}
LINK_FIELDS = ("owner_id", "contact_id", "account_id", "opportunity_id")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_input(value: dt.datetime | None, zone: ZoneInfo) -> str:
    """A ``datetime-local`` input's value for a UTC moment."""
    return aware(value).astimezone(zone).strftime(LOCAL_FORMAT) if value else ""


def _local_moment(name: str, raw: str, zone: ZoneInfo) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return in_utc(name, parsed)


def form_values(activity: Activity | None, zone: ZoneInfo) -> dict[str, str]:
    if activity is None:
        return {**dict.fromkeys(FORM_FIELDS, ""), "kind": "task"}
    return {
        "kind": activity.kind,
        "subject": activity.subject,
        "due_at": local_input(activity.due_at, zone),
        "ends_at": local_input(activity.ends_at, zone),
        "location": activity.location,
        "body": activity.body,
        "owner_id": str(activity.owner_id or ""),
        "contact_id": str(activity.contact_id or ""),
        "account_id": str(activity.account_id or ""),
        "opportunity_id": str(activity.opportunity_id or ""),
        "done": "1" if activity.done_at else "",
    }


def typed_values(data: Mapping[str, str]) -> dict[str, str]:
    """What was typed, to show again with the errors."""
    return {name: str(data.get(name, "")) for name in FORM_FIELDS}


def parse_activity_form(
    data: Mapping[str, str],
    zone: ZoneInfo,
    *,
    activity: Activity | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The service's values from a posted form; ValidationFailed names each
    field that cannot be read (the service checks the rest: a subject, the
    end after the start, links that exist, all at once). Dates are read in
    the workspace's time zone; the "done" box keeps an activity's done time,
    or sets it to now."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    kind = str(data.get("kind", "task"))
    if kind not in KINDS:
        errors["kind"] = "is not a valid choice"
    values["kind"] = kind
    for name, most in TEXT_LIMITS.items():
        raw = str(data.get(name, ""))
        text = raw if name == "body" else raw.strip()
        if len(text) > most:
            errors[name] = f"must be at most {most} characters"
        values[name] = text
    for name in ("due_at", "ends_at"):
        raw = str(data.get(name, "")).strip()
        try:
            values[name] = _local_moment(name, raw, zone) if raw else None
        except ValueError:
            errors[name] = "must be a date and time"
        except ValidationFailed as error:
            errors.update(error.errors)
    for name in LINK_FIELDS:
        raw = str(data.get(name, "")).strip()
        values[name] = parse_id(raw) if raw else None
        if raw and values[name] is None:
            errors[name] = "is not a valid choice"
    if data.get("done"):
        already = activity.done_at if activity is not None else None
        values["done_at"] = already or aware(now or dt.datetime.now(dt.UTC))
    else:
        values["done_at"] = None
    if errors:
        raise ValidationFailed(errors)
    return values
