"""The pipeline's payloads, declared once (API, validation, audit diff):
opportunities, their moves, the forecast, stages and lost reasons.

Money is a ``Decimal``: the API reads and writes it as a decimal string in
euros ("1234.50")."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from comptoir.platform.fields import partial_struct

Percent = Annotated[int, Meta(ge=0, le=100)]
Position = Annotated[int, Meta(ge=0, le=1000)]
STATUSES = ("open", "won", "lost")


class OpportunityFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[
        str, Meta(min_length=1, max_length=200, title="Opportunity name", extra={"required": True})
    ]
    account_id: Annotated[uuid.UUID | None, Meta(title="Account")] = None
    contact_id: Annotated[uuid.UUID | None, Meta(title="Contact")] = None
    amount: Annotated[
        Decimal,
        Meta(
            title="Amount",
            description="In euros, excluding VAT, e.g. 1234.50.",
            extra={"widget": "money"},
        ),
    ] = Decimal("0")
    probability: Annotated[
        Percent | None,
        Meta(
            title="Probability",
            description="In percent; left empty, the stage's own.",
            extra={"widget": "number"},
        ),
    ] = None
    expected_close_date: Annotated[
        dt.date | None, Meta(title="Expected close date", extra={"widget": "date"})
    ] = None
    stage_id: Annotated[uuid.UUID | None, Meta(title="Stage", extra={"widget": "select"})] = None
    lost_reason_id: Annotated[
        uuid.UUID | None,
        Meta(title="Lost reason", description="Required on a lost stage."),
    ] = None
    owner_id: Annotated[uuid.UUID | None, Meta(title="Owner")] = None
    notes: Annotated[str, Meta(max_length=10_000, title="Notes", extra={"widget": "textarea"})] = ""


OpportunityUpdate = partial_struct(OpportunityFields, "OpportunityUpdate")


class OpportunityOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    account_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    amount: Decimal
    probability: int
    expected_close_date: dt.date | None
    stage_id: uuid.UUID
    status: str
    lost_reason_id: uuid.UUID | None
    won_at: dt.date | None
    closed_at: dt.datetime | None
    owner_id: uuid.UUID | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MoveIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Where an opportunity goes; a lost stage needs the reason."""

    stage_id: uuid.UUID
    lost_reason_id: uuid.UUID | None = None


class StageChangeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    opportunity_id: uuid.UUID
    from_stage_id: uuid.UUID | None
    to_stage_id: uuid.UUID
    from_status: str
    to_status: str
    changed_by: uuid.UUID | None
    changed_at: dt.datetime


class ForecastMonth(msgspec.Struct, kw_only=True):
    month: str  # YYYY-MM
    count: int
    amount: Decimal
    weighted: Decimal  # the sum of amount * probability, to the cent


class ForecastOut(msgspec.Struct, kw_only=True):
    """Open opportunities by month of expected close, this month and the next 11."""

    months: list[ForecastMonth]
    total_amount: Decimal
    total_weighted: Decimal


class StageFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[
        str, Meta(min_length=1, max_length=100, title="Stage name", extra={"required": True})
    ]
    probability: Annotated[Percent, Meta(title="Probability")] = 0
    is_won: Annotated[bool, Meta(title="Won stage")] = False
    is_lost: Annotated[bool, Meta(title="Lost stage")] = False
    position: Annotated[
        Position | None, Meta(title="Position", description="0 first; default last.")
    ] = None


class StageUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    probability: Percent | msgspec.UnsetType = msgspec.UNSET
    position: Position | msgspec.UnsetType = msgspec.UNSET


class StageOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    key: str
    name: str
    position: int
    probability: int
    is_won: bool
    is_lost: bool
    retired_at: dt.datetime | None


class StageOrderIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Every stage's id, in the new order."""

    stage_ids: Annotated[list[uuid.UUID], Meta(min_length=1, max_length=100)]


class LostReasonFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[
        str, Meta(min_length=1, max_length=100, title="Reason", extra={"required": True})
    ]


class LostReasonOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    position: int
    retired_at: dt.datetime | None
