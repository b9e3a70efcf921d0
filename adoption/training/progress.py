"""Training progress, read side.

Assignment is derived, never stored: a user is assigned every step of the
programs for their CURRENT role, so existing users, users added later and
users whose role changed all see the right programs (completions of steps of
another role's program are kept but no longer counted).

Definitions:
- a step's due date: its ``due_on``, else the day the user joined
  (``users.created_at``, in the workspace's time zone) plus ``due_days``;
  none if neither is set;
- ``percent``: completed assigned steps ÷ assigned steps * 100 (rounded down
  to a whole number in the API; exact in ``ratio``);
- status: ``not_started`` (none completed), ``in_progress``, ``completed``
  (every assigned step completed);
- on time: a completed step with a due date completed on or before the end
  of that date (in the workspace's time zone); ``on_time_rate`` = on-time ÷
  completed steps that have a due date (None without any);
- ``overdue``: steps not completed whose due date has passed;
- ``days_to_complete``: for a completed user, whole days from joining to the
  last completion.

``tenant_training_completion(tenant_id)`` is what the console's health score
reads: the mean ratio over active users with at least one assigned step."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from comptoir.adoption.training.tables import TrainingCompletion, TrainingProgram, TrainingStep
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.tables import Tenant

DEFAULT_TZ = "Europe/Paris"
UTC_ZONE = ZoneInfo("UTC")

__all__ = [
    "StepProgress",
    "UserProgress",
    "progress_in",
    "tenant_training_completion",
    "user_progress",
]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class StepProgress:
    step_id: uuid.UUID
    program_id: uuid.UUID
    program: str
    position: int
    kind: str
    title: str
    body: str
    url: str
    task: str
    due: dt.date | None
    completed_at: dt.datetime | None
    source: str = ""
    zone: ZoneInfo = UTC_ZONE

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def on_time(self) -> bool | None:
        if self.completed_at is None or self.due is None:
            return None
        return _aware(self.completed_at).astimezone(self.zone).date() <= self.due

    def overdue(self, today: dt.date) -> bool:
        return self.completed_at is None and self.due is not None and self.due < today


@dataclass(frozen=True)
class UserProgress:
    user_id: uuid.UUID
    name: str
    email: str
    role: str
    joined_at: dt.datetime
    steps: tuple[StepProgress, ...]

    @property
    def assigned_steps(self) -> int:
        return len(self.steps)

    @property
    def completed_steps(self) -> int:
        return sum(1 for step in self.steps if step.completed)

    @property
    def ratio(self) -> float | None:
        return self.completed_steps / self.assigned_steps if self.steps else None

    @property
    def percent(self) -> int:
        return (self.completed_steps * 100) // self.assigned_steps if self.steps else 0

    @property
    def status(self) -> str:
        if not self.steps or self.completed_steps == 0:
            return "not_started"
        return "completed" if self.completed_steps == self.assigned_steps else "in_progress"

    @property
    def on_time_rate(self) -> float | None:
        judged = [step.on_time for step in self.steps if step.on_time is not None]
        return sum(1 for ok in judged if ok) / len(judged) if judged else None

    @property
    def completed_at(self) -> dt.datetime | None:
        """When the last assigned step was completed, for a completed user."""
        if self.status != "completed":
            return None
        return max(_aware(s.completed_at) for s in self.steps if s.completed_at is not None)

    @property
    def days_to_complete(self) -> int | None:
        done = self.completed_at
        return (done - _aware(self.joined_at)).days if done is not None else None

    def overdue_steps(self, today: dt.date) -> int:
        return sum(1 for step in self.steps if step.overdue(today))

    def on_time(self, today: dt.date) -> bool:
        """No step overdue and none completed late."""
        late = any(step.on_time is False for step in self.steps)
        return not late and self.overdue_steps(today) == 0

    def next_step(self) -> StepProgress | None:
        return next((step for step in self.steps if not step.completed), None)


def due_date(
    step: Mapping[str, Any], joined_at: dt.datetime, zone: ZoneInfo = UTC_ZONE
) -> dt.date | None:
    if step.get("due_on") is not None:
        return step["due_on"]  # type: ignore[no-any-return]
    if step.get("due_days") is not None:
        joined = _aware(joined_at).astimezone(zone).date()
        return joined + dt.timedelta(days=int(step["due_days"]))
    return None


async def workspace_zone(tenant_id: uuid.UUID) -> ZoneInfo:
    row = await Tenant.select(Tenant.timezone).where(Tenant.id == tenant_id).first()
    try:
        return ZoneInfo((row or {}).get("timezone") or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


async def steps_by_role(scope: TenantScope) -> dict[str, list[dict[str, Any]]]:
    """Role -> its programs' steps in order (program position, step position)."""
    programs = await scope.select(TrainingProgram).order_by(TrainingProgram.position)
    steps = await scope.select(TrainingStep).order_by(TrainingStep.position)
    by_program: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for step in steps:
        by_program.setdefault(step["program_id"], []).append(step)
    by_role: dict[str, list[dict[str, Any]]] = {}
    for program in programs:
        for step in by_program.get(program["id"], []):
            by_role.setdefault(program["role"], []).append({**step, "program": program["name"]})
    return by_role


def _progress(
    user: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]],
    done: Mapping[uuid.UUID, Mapping[str, Any]],
    zone: ZoneInfo = UTC_ZONE,
) -> UserProgress:
    joined = _aware(user["created_at"])
    return UserProgress(
        user_id=user["id"],
        name=f"{user['first_name'] or ''} {user['last_name'] or ''}".strip() or user["email"],
        email=user["email"],
        role=user["role"],
        joined_at=joined,
        steps=tuple(
            StepProgress(
                step_id=step["id"],
                program_id=step["program_id"],
                program=step["program"],
                position=step["position"],
                kind=step["kind"],
                title=step["title"],
                body=step["body"],
                url=step["url"],
                task=step["task"],
                due=due_date(step, joined, zone),
                completed_at=done[step["id"]]["completed_at"] if step["id"] in done else None,
                source=str(done[step["id"]]["source"]) if step["id"] in done else "",
                zone=zone,
            )
            for step in steps
        ),
    )


async def progress_in(
    scope: TenantScope,
    *,
    user_ids: Iterable[uuid.UUID] | None = None,
    include_disabled: bool = False,
) -> list[UserProgress]:
    """Each user's progress on the steps their current role is assigned."""
    query = (
        scope.select(
            User, User.id, User.first_name, User.last_name, User.email, User.role, User.created_at
        )
        .order_by(User.last_name)
        .order_by(User.first_name)
    )
    if not include_disabled:
        query = query.where(User.status == "active")
    if user_ids is not None:
        wanted = list(user_ids)
        if not wanted:
            return []
        query = query.where(User.id.is_in(wanted))
    users = await query
    by_role = await steps_by_role(scope)
    completions = scope.select(
        TrainingCompletion,
        TrainingCompletion.user_id,
        TrainingCompletion.step_id,
        TrainingCompletion.completed_at,
        TrainingCompletion.source,
    )
    if user_ids is not None:
        completions = completions.where(TrainingCompletion.user_id.is_in([u["id"] for u in users]))
    done: dict[uuid.UUID, dict[uuid.UUID, Mapping[str, Any]]] = {}
    for row in await completions:
        done.setdefault(row["user_id"], {})[row["step_id"]] = row
    zone = await workspace_zone(scope.tenant_id)
    return [
        _progress(user, by_role.get(user["role"], []), done.get(user["id"], {}), zone)
        for user in users
    ]


async def user_progress(tenant_id: uuid.UUID, user_id: uuid.UUID) -> UserProgress | None:
    async with tenant_scope(tenant_id) as scope:
        found = await progress_in(scope.unrestricted(), user_ids=[user_id], include_disabled=True)
        return found[0] if found else None


async def tenant_training_completion(tenant_id: uuid.UUID) -> float | None:
    """0..1: the mean share of assigned steps completed, over the tenant's
    active users who have at least one; None when nobody has any."""
    async with tenant_scope(tenant_id) as scope:
        everyone = await progress_in(scope.unrestricted())
    ratios = [p.ratio for p in everyone if p.ratio is not None]
    return sum(ratios) / len(ratios) if ratios else None
