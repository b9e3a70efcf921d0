"""A territory rule's fields (API and form) and its output."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from comptoir.platform.fields import partial_struct

# Checked by the service (so that a bad prefix is a 422 naming the field);
# here only bounded.
Prefix = Annotated[str, Meta(max_length=10)]
Industry = Annotated[str, Meta(max_length=100)]
Headcount = Annotated[int, Meta(ge=0, le=10_000_000)]


class TerritoryFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[
        str, Meta(min_length=1, max_length=100, title="Rule name", extra={"required": True})
    ]
    postcode_prefixes: Annotated[
        list[Prefix],
        Meta(
            max_length=50,
            title="Postcode prefixes",
            description='Postcode starts: 1 to 5 digits, or 2A/2B for Corsica ("69", "75", "2A").',
        ),
    ] = msgspec.field(default_factory=list)
    industries: Annotated[
        list[Industry],
        Meta(
            max_length=50,
            title="Industries",
            description="Matched ignoring case and accents.",
        ),
    ] = msgspec.field(default_factory=list)
    min_employees: Annotated[Headcount | None, Meta(title="Minimum headcount")] = None
    max_employees: Annotated[Headcount | None, Meta(title="Maximum headcount")] = None
    owner_id: Annotated[uuid.UUID | None, Meta(title="Owner")] = None
    team_id: Annotated[uuid.UUID | None, Meta(title="Team")] = None


TerritoryUpdate = partial_struct(TerritoryFields, "TerritoryUpdate")


class TerritoryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    position: int
    postcode_prefixes: list[str]
    industries: list[str]
    min_employees: int | None
    max_employees: int | None
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TerritoryOrder(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    territory_ids: Annotated[list[uuid.UUID], Meta(max_length=200)]


class ReassignOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    only_unowned: bool = True


class ReassignPreview(msgspec.Struct, kw_only=True):
    accounts: int
    only_unowned: bool


class ReassignQueued(msgspec.Struct, kw_only=True):
    job_id: uuid.UUID


class ReassignStatus(msgspec.Struct, kw_only=True):
    job_id: uuid.UUID
    state: str  # available, running, retryable, succeeded, dead, cancelled
    only_unowned: bool
    scanned: int  # accounts looked at so far
    reassigned: int  # accounts given a new owner so far
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str
