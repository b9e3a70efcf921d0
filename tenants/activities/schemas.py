"""An activity's fields, declared once (API, validation, audit diff), and
each user's follow-up settings as the API shows them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from comptoir.platform.fields import partial_struct

KINDS = ("call", "meeting", "email", "task", "note")
ActivityKind = Literal["call", "meeting", "email", "task", "note"]
# English labels (msgids) of the kinds, for forms and lists.
KIND_LABELS = {
    "call": "Phone call",
    "meeting": "Meeting",
    "email": "E-mail",
    "task": "Task",
    "note": "Note",
}
Moment = Annotated[dt.datetime, Meta(tz=True)]


class ActivityFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: Annotated[ActivityKind, Meta(title="Type", extra={"widget": "select"})] = "task"
    subject: Annotated[
        str, Meta(min_length=1, max_length=200, title="Subject", extra={"required": True})
    ]
    body: Annotated[str, Meta(max_length=10_000, title="Details", extra={"widget": "textarea"})] = (
        ""
    )
    due_at: Annotated[
        Moment | None,
        Meta(title="Due", description="When it is due or starts.", extra={"widget": "datetime"}),
    ] = None
    ends_at: Annotated[
        Moment | None,
        Meta(
            title="Ends",
            description="For a meeting: after it starts.",
            extra={"widget": "datetime"},
        ),
    ] = None
    location: Annotated[str, Meta(max_length=200, title="Location")] = ""
    done_at: Annotated[Moment | None, Meta(title="Done", extra={"widget": "datetime"})] = None
    owner_id: Annotated[uuid.UUID | None, Meta(title="Owner")] = None
    contact_id: Annotated[uuid.UUID | None, Meta(title="Contact")] = None
    account_id: Annotated[uuid.UUID | None, Meta(title="Account")] = None
    opportunity_id: Annotated[uuid.UUID | None, Meta(title="Opportunity")] = None


ActivityUpdate = partial_struct(ActivityFields, "ActivityUpdate")


class ActivityOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    subject: str
    body: str
    due_at: dt.datetime | None
    ends_at: dt.datetime | None
    location: str
    done_at: dt.datetime | None
    owner_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    account_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class FollowUpSettingsOut(msgspec.Struct, kw_only=True):
    reminder_emails: bool
    calendar_feed: bool  # whether a calendar subscription URL is live


class FollowUpSettingsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reminder_emails: bool


class CalendarFeedOut(msgspec.Struct, kw_only=True):
    """The subscription URL, shown once: only its hash is kept."""

    url: str
