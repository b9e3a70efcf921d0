"""/api/v1/adoption/training: everyone's progress (admins and key-users) or
one's own (end-users), completing a lesson or link step, the programs editor
and the sessions key-users give. No ``from __future__ import annotations``:
Litestar reads the handlers' annotations."""

import datetime as dt
import statistics
from typing import Any

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from comptoir.adoption.training import service
from comptoir.adoption.training.progress import UserProgress, progress_in
from comptoir.adoption.training.schemas import (
    CompletionOut,
    MoveStepIn,
    MyTrainingOut,
    ProgramIn,
    ProgramOut,
    SessionIn,
    SessionOut,
    StepIn,
    StepOut,
    StepProgressOut,
    TrainingOut,
    TrainingSummaryOut,
    UserTrainingOut,
)
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.features import requires
from comptoir.platform.fields import sent_values
from comptoir.tenants.quotes.service import tenant_today

SEES_EVERYONE = "training.manage"


def user_out(progress: UserProgress, today: dt.date) -> UserTrainingOut:
    return UserTrainingOut(
        user_id=progress.user_id,
        name=progress.name,
        role=progress.role,
        assigned_steps=progress.assigned_steps,
        completed_steps=progress.completed_steps,
        percent=progress.percent,
        status=progress.status,
        on_time=progress.on_time(today),
        on_time_rate=progress.on_time_rate,
        overdue_steps=progress.overdue_steps(today),
        days_to_complete=progress.days_to_complete,
        completed_at=progress.completed_at,
    )


def summary_out(everyone: list[UserProgress]) -> TrainingSummaryOut:
    assigned = [p for p in everyone if p.assigned_steps]
    ratios = [p.ratio for p in assigned if p.ratio is not None]
    judged = [s.on_time for p in assigned for s in p.steps if s.on_time is not None]
    days = [p.days_to_complete for p in assigned if p.days_to_complete is not None]
    return TrainingSummaryOut(
        users=len(assigned),
        completed=sum(1 for p in assigned if p.status == "completed"),
        in_progress=sum(1 for p in assigned if p.status == "in_progress"),
        not_started=sum(1 for p in assigned if p.status == "not_started"),
        completion=sum(ratios) / len(ratios) if ratios else None,
        on_time_rate=sum(1 for ok in judged if ok) / len(judged) if judged else None,
        median_days_to_complete=float(statistics.median(days)) if days else None,
    )


def steps_out(progress: UserProgress) -> list[StepProgressOut]:
    return [
        StepProgressOut(
            step_id=s.step_id,
            program_id=s.program_id,
            program=s.program,
            kind=s.kind,
            title=s.title,
            body=s.body,
            url=s.url,
            task=s.task,
            due=s.due,
            completed_at=s.completed_at,
            on_time=s.on_time,
        )
        for s in progress.steps
    ]


def step_out(step: Any) -> StepOut:
    return StepOut(**{name: getattr(step, name) for name in StepOut.__struct_fields__})


def session_out(session: Any) -> SessionOut:
    return SessionOut(
        id=session.id,
        given_by=session.given_by,
        held_on=session.held_on,
        topic=session.topic,
        attendee_ids=list(session.attendee_ids or []),
        duration_minutes=session.duration_minutes,
        notes=session.notes,
    )


class TrainingController(Controller):
    path = "/api/v1/adoption/training"
    tags = ["Adoption"]

    @get(
        "/",
        summary="Training progress per user",
        description="Per active user: their role, the steps of their role's programs "
        "(`assigned_steps`), those completed, `percent` (rounded down), `status` (not_started, "
        "in_progress, completed), whether they are on time, their on-time rate and the days "
        "they took to complete. Admins and key-users see everyone, end-users themselves.",
        opt=requires("training", "view"),
    )
    async def progress(self, caller: NamedDependency[ApiCaller]) -> TrainingOut:
        today = await tenant_today(caller.tenant.id)
        only = None if caller.can(SEES_EVERYONE) else [caller.user.id]
        async with tenant_scope(caller.tenant.id) as scope:
            everyone = await progress_in(scope.unrestricted(), user_ids=only)
        return TrainingOut(
            users=[user_out(p, today) for p in everyone], summary=summary_out(everyone)
        )

    @get("/me", summary="Your training", opt=requires("training", "view"))
    async def mine(self, caller: NamedDependency[ApiCaller]) -> MyTrainingOut:
        today = await tenant_today(caller.tenant.id)
        async with tenant_scope(caller.tenant.id) as scope:
            found = await progress_in(
                scope.unrestricted(), user_ids=[caller.user.id], include_disabled=True
            )
        return MyTrainingOut(progress=user_out(found[0], today), steps=steps_out(found[0]))

    @post(
        "/steps/{step_id:str}/complete",
        summary="Complete a lesson or link step",
        description="For yourself, on a step of your role's programs; a task step completes "
        "itself when you do it (409). Completing it again changes nothing.",
        opt=requires("training", "view"),
        status_code=200,
    )
    async def complete(
        self, caller: NamedDependency[ApiCaller], step_id: FromPath[str]
    ) -> CompletionOut:
        done = await service.complete_step(caller.tenant.id, step_id, actor=caller.actor)
        return CompletionOut(
            step_id=done.step_id, completed_at=done.completed_at, source=done.source
        )

    @get("/programs", summary="Training programs", opt=requires("training", "manage"))
    async def programs(self, caller: NamedDependency[ApiCaller]) -> list[ProgramOut]:
        return [
            ProgramOut(
                id=program.id,
                name=program.name,
                description=program.description,
                role=program.role,
                steps=[step_out(s) for s in steps],
            )
            for program, steps in await service.programs_with_steps(caller.tenant.id)
        ]

    @get(
        "/programs/{program_id:str}",
        summary="A training program",
        opt=requires("training", "manage"),
    )
    async def program(
        self, caller: NamedDependency[ApiCaller], program_id: FromPath[str]
    ) -> ProgramOut:
        async with tenant_scope(caller.tenant.id) as scope:
            from comptoir.adoption.training.tables import TrainingProgram, TrainingStep

            found = await scope.get(TrainingProgram, program_id)
            steps = (
                await scope.objects(TrainingStep)
                .where(TrainingStep.program_id == found.id)
                .order_by(TrainingStep.position)
            )
        return ProgramOut(
            id=found.id,
            name=found.name,
            description=found.description,
            role=found.role,
            steps=[step_out(s) for s in steps],
        )

    @post(
        "/programs",
        summary="Create a training program",
        description="Assigned to every user of `role`.",
        opt=requires("training", "manage"),
    )
    async def create_program(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[ProgramIn]
    ) -> ProgramOut:
        program = await service.create_program(
            caller.tenant.id, data.name, data.role, data.description, actor=caller.actor
        )
        return ProgramOut(
            id=program.id,
            name=program.name,
            description=program.description,
            role=program.role,
            steps=[],
        )

    @delete(
        "/programs/{program_id:str}",
        summary="Delete a training program",
        opt=requires("training", "manage"),
    )
    async def delete_program(
        self, caller: NamedDependency[ApiCaller], program_id: FromPath[str]
    ) -> None:
        await service.delete_program(caller.tenant.id, program_id, actor=caller.actor)

    @post(
        "/programs/{program_id:str}/steps",
        summary="Add a step at the end of a program",
        description="`kind` lesson (a text), link (`url`) or task (`task`, checked from the "
        "user's work: " + ", ".join(service.TASKS) + "); due `due_days` after the user "
        "joined or on `due_on`.",
        opt=requires("training", "manage"),
    )
    async def add_step(
        self, caller: NamedDependency[ApiCaller], program_id: FromPath[str], data: JSONBody[StepIn]
    ) -> StepOut:
        step = await service.add_step(
            caller.tenant.id, program_id, sent_values(data), actor=caller.actor
        )
        return step_out(step)

    @get("/steps/{step_id:str}", summary="A training step", opt=requires("training", "manage"))
    async def step(self, caller: NamedDependency[ApiCaller], step_id: FromPath[str]) -> StepOut:
        async with tenant_scope(caller.tenant.id) as scope:
            from comptoir.adoption.training.tables import TrainingStep

            return step_out(await scope.get(TrainingStep, step_id))

    @post(
        "/steps/{step_id:str}/move",
        summary="Move a step up or down in its program",
        opt=requires("training", "manage"),
        status_code=204,
    )
    async def move_step(
        self, caller: NamedDependency[ApiCaller], step_id: FromPath[str], data: JSONBody[MoveStepIn]
    ) -> None:
        await service.move_step(caller.tenant.id, step_id, data.direction, actor=caller.actor)

    @delete(
        "/steps/{step_id:str}",
        summary="Remove a step from its program",
        opt=requires("training", "manage"),
    )
    async def remove_step(self, caller: NamedDependency[ApiCaller], step_id: FromPath[str]) -> None:
        await service.remove_step(caller.tenant.id, step_id, actor=caller.actor)

    @get(
        "/sessions",
        summary="Training sessions given",
        description="The latest 50, most recent first.",
        opt=requires("training", "manage"),
    )
    async def sessions(self, caller: NamedDependency[ApiCaller]) -> list[SessionOut]:
        return [session_out(s) for s in await service.list_sessions(caller.tenant.id)]

    @get(
        "/sessions/{session_id:str}",
        summary="A training session",
        opt=requires("training", "manage"),
    )
    async def session(
        self, caller: NamedDependency[ApiCaller], session_id: FromPath[str]
    ) -> SessionOut:
        return session_out(await service.get_session(caller.tenant.id, session_id))

    @post(
        "/sessions",
        summary="Record a session you gave",
        description="`held_on`, `topic`, `attendee_ids` (users of the workspace), "
        "`duration_minutes` (5 to 600), `notes`.",
        opt=requires("training", "create"),
    )
    async def record_session(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[SessionIn]
    ) -> SessionOut:
        session = await service.record_session(
            caller.tenant.id, sent_values(data), actor=caller.actor
        )
        return session_out(session)
