"""The training API's payloads."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

Role = Literal["admin", "key_user", "end_user"]
StepKind = Literal["lesson", "link", "task"]


class StepProgressOut(msgspec.Struct, kw_only=True):
    step_id: uuid.UUID
    program_id: uuid.UUID
    program: str
    kind: str
    title: str
    body: str
    url: str
    task: str
    due: dt.date | None
    completed_at: dt.datetime | None
    on_time: bool | None


class UserTrainingOut(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    name: str
    role: str
    assigned_steps: int
    completed_steps: int
    percent: int
    status: str  # not_started, in_progress, completed
    on_time: bool  # nothing overdue, nothing completed late
    on_time_rate: float | None
    overdue_steps: int
    days_to_complete: int | None
    completed_at: dt.datetime | None


class TrainingSummaryOut(msgspec.Struct, kw_only=True):
    users: int
    completed: int
    in_progress: int
    not_started: int
    completion: float | None  # mean share of assigned steps completed
    on_time_rate: float | None
    median_days_to_complete: float | None


class TrainingOut(msgspec.Struct, kw_only=True):
    users: list[UserTrainingOut]
    summary: TrainingSummaryOut


class MyTrainingOut(msgspec.Struct, kw_only=True):
    progress: UserTrainingOut
    steps: list[StepProgressOut]


class CompletionOut(msgspec.Struct, kw_only=True):
    step_id: uuid.UUID
    completed_at: dt.datetime
    source: str


class StepOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    program_id: uuid.UUID
    position: int
    kind: str
    title: str
    body: str
    url: str
    task: str
    due_days: int | None
    due_on: dt.date | None


class ProgramOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    description: str
    role: str
    steps: list[StepOut]


class ProgramIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(max_length=200, title="Program name")] = ""
    role: Annotated[Role, Meta(title="Assigned to")] = "end_user"
    description: Annotated[str, Meta(max_length=5000, title="Description")] = ""


class StepIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: Annotated[StepKind, Meta(title="Kind of step")] = "lesson"
    title: Annotated[str, Meta(max_length=200, title="Title")] = ""
    body: Annotated[str, Meta(max_length=10_000, title="Text")] = ""
    url: Annotated[str, Meta(max_length=500, title="Link")] = ""
    task: Annotated[str, Meta(max_length=40, title="Task checked automatically")] = ""
    due_days: Annotated[
        int | None, Meta(title="Due (days after joining)", description="From 0 to 365.")
    ] = None
    due_on: Annotated[dt.date | None, Meta(title="Due on")] = None


class MoveStepIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    direction: Annotated[Literal["up", "down"], Meta(title="Direction")] = "up"


class SessionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    held_on: Annotated[dt.date | None, Meta(title="Held on")] = None
    topic: Annotated[str, Meta(max_length=200, title="Topic")] = ""
    attendee_ids: Annotated[list[uuid.UUID], Meta(max_length=500, title="Attendees")] = []
    duration_minutes: Annotated[int, Meta(title="Duration (minutes)")] = 60
    notes: Annotated[str, Meta(max_length=5000, title="Notes")] = ""


class SessionOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    given_by: uuid.UUID
    held_on: dt.date
    topic: str
    attendee_ids: list[uuid.UUID]
    duration_minutes: int
    notes: str
