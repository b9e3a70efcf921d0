"""The completeness API's payloads."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

FieldName = Annotated[str, Meta(max_length=60)]
Weight = Annotated[int, Meta(ge=1, le=10)]


class ObjectScoreOut(msgspec.Struct, kw_only=True):
    score: float | None  # 0..1, the mean of the records' scores; null without any
    fields: dict[str, float | None]  # expected field -> fill rate (null: applies to none)
    records: int
    incomplete: int


class OwnerScoreOut(msgspec.Struct, kw_only=True):
    owner_id: uuid.UUID | None
    name: str
    team_id: uuid.UUID | None
    score: float | None
    gaps: int
    objects: dict[str, ObjectScoreOut]


class CompletenessOut(msgspec.Struct, kw_only=True):
    objects: dict[str, ObjectScoreOut]
    owners: list[OwnerScoreOut]
    score: float | None
    rules_version: int


class ExpectableFieldOut(msgspec.Struct, kw_only=True):
    name: str
    label: str
    applies: str  # when it counts, "" for every record


class RulesOut(msgspec.Struct, kw_only=True):
    version: int
    changed_at: dt.datetime | None
    stale_days: int
    expected: dict[str, dict[str, int]]
    available: dict[str, list[ExpectableFieldOut]]


class RulesIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    expected: Annotated[
        dict[str, dict[FieldName, Weight]],
        Meta(
            title="Expected fields",
            description="Per object, each expected field and its weight (1 to 10). Objects "
            "left out keep their fields; an object given with {} expects nothing.",
        ),
    ] = {}
    stale_days: Annotated[
        int | None,
        Meta(
            title="Stale after (days)", description="An open record untouched this long is stale."
        ),
    ] = None


class StageRequirementOut(msgspec.Struct, kw_only=True):
    stage_id: uuid.UUID
    name: str
    fields: list[str]


class StageRequirementIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    fields: Annotated[
        list[FieldName],
        Meta(max_length=30, title="Required fields", description="Opportunity fields."),
    ] = []


class DailyScoreOut(msgspec.Struct, kw_only=True):
    day: dt.date
    version: int
    score: float | None
    objects: dict[str, float | None]


class RuleChangeOut(msgspec.Struct, kw_only=True):
    version: int
    changed_at: dt.datetime | None


class HistoryOut(msgspec.Struct, kw_only=True):
    days: list[DailyScoreOut]
    rule_changes: list[RuleChangeOut]
