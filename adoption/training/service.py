"""Training: the starter programs provisioned with each workspace, the tasks
checked from the user's own work (domain events), completing a lesson or a
link oneself, the programs editor, and the sessions key-users give.

Every write takes the tenant first and the acting user as ``actor=``, runs
in one transaction and leaves an audit row; completing a step emits
``training.step_completed`` (module ``training``) for adoption figures."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from comptoir.adoption.training.tables import (
    TrainingCompletion,
    TrainingProgram,
    TrainingSession,
    TrainingStep,
)
from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Conflict, NotFound, ValidationFailed
from comptoir.platform.features import ROLES

log = structlog.get_logger(__name__)
KINDS = ("lesson", "link", "task")
MAX_STEPS = 50


def _(message: str) -> str:
    """Marks an English label for extraction; it is translated when shown."""
    return message


# --- Tasks checked from the user's work ---------------------------------------------


@dataclass(frozen=True)
class TrainingTask:
    """A step completed by doing something in the CRM: the domain event that
    shows it (and, for activities, the activity's kind)."""

    key: str
    label: str  # English msgid
    event: str
    activity_kind: str = ""


TASKS: dict[str, TrainingTask] = {
    task.key: task
    for task in (
        TrainingTask("contact.created", _("Create a contact"), "contact.created"),
        TrainingTask("account.created", _("Create an account"), "account.created"),
        TrainingTask("call.logged", _("Log a call"), "activity.created", "call"),
        TrainingTask("meeting.logged", _("Log a meeting"), "activity.created", "meeting"),
        TrainingTask("opportunity.created", _("Create an opportunity"), "opportunity.created"),
        TrainingTask(
            "opportunity.stage_changed", _("Move an opportunity"), "opportunity.stage_changed"
        ),
        TrainingTask("opportunity.won", _("Win an opportunity"), "opportunity.won"),
        TrainingTask("quote.created", _("Draft a quote"), "quote.created"),
        TrainingTask("quote.sent", _("Send a quote"), "quote.sent"),
        TrainingTask("session.given", _("Give a training session"), "training.session_recorded"),
    )
}
WATCHED_EVENTS = frozenset(task.event for task in TASKS.values())


# --- The starter programs -------------------------------------------------------------


@dataclass(frozen=True)
class StarterStep:
    kind: str
    title: str
    body: str = ""
    url: str = ""
    task: str = ""
    due_days: int | None = None


@dataclass(frozen=True)
class StarterProgram:
    role: str
    name: str
    description: str
    steps: tuple[StarterStep, ...]


# In the workspace's language (French): they are the tenant's own records,
# which its admins edit.
STARTER_PROGRAMS = (
    StarterProgram(
        role="end_user",
        name="Prise en main de Comptoir",
        description="Les gestes de base pour travailler vos clients dans Comptoir dès la "
        "première semaine.",
        steps=(
            StarterStep(
                "lesson",
                "Découvrir votre page d'accueil",
                "Votre page d'accueil rassemble vos relances du jour, vos contacts récents et "
                "votre progression. Commencez chaque journée par elle : les relances en retard "
                "y sont en tête.",
                due_days=2,
            ),
            StarterStep(
                "task",
                "Créer votre premier contact",
                "Ajoutez un client ou un prospect avec son e-mail et son téléphone : une fiche "
                "complète évite de rechercher l'information plus tard.",
                task="contact.created",
                due_days=3,
            ),
            StarterStep(
                "task",
                "Enregistrer un appel",
                "Après un appel, notez-le dans les activités du contact : toute l'équipe voit "
                "l'historique et personne ne redemande la même chose au client.",
                task="call.logged",
                due_days=5,
            ),
            StarterStep(
                "task",
                "Faire avancer une opportunité",
                "Déplacez une affaire vers l'étape suivante du pipeline quand elle progresse : "
                "les prévisions de l'équipe en dépendent.",
                task="opportunity.stage_changed",
                due_days=7,
            ),
            StarterStep(
                "task",
                "Envoyer un devis",
                "Préparez un devis depuis une opportunité et envoyez-le au client en PDF, "
                "numéroté automatiquement.",
                task="quote.sent",
                due_days=10,
            ),
            StarterStep(
                "lesson",
                "Des fiches complètes, pourquoi ?",
                "Les champs attendus (e-mail, téléphone, montant, date de clôture…) servent à "
                "relancer, segmenter et prévoir. Votre page d'accueil vous montre les fiches "
                "qu'il reste à compléter.",
                due_days=14,
            ),
        ),
    ),
    StarterProgram(
        role="key_user",
        name="Référent Comptoir",
        description="Maîtriser Comptoir et accompagner vos collègues dans leur prise en main.",
        steps=(
            StarterStep(
                "task",
                "Créer votre premier contact",
                "Ajoutez un contact complet : e-mail, téléphone, fonction et compte.",
                task="contact.created",
                due_days=2,
            ),
            StarterStep(
                "task",
                "Enregistrer un appel",
                "Consignez un appel dans les activités pour montrer l'exemple à l'équipe.",
                task="call.logged",
                due_days=3,
            ),
            StarterStep(
                "task",
                "Faire avancer une opportunité",
                "Faites passer une affaire à l'étape suivante du pipeline.",
                task="opportunity.stage_changed",
                due_days=5,
            ),
            StarterStep(
                "task",
                "Envoyer un devis",
                "Envoyez un devis depuis une opportunité.",
                task="quote.sent",
                due_days=7,
            ),
            StarterStep(
                "lesson",
                "Lire le tableau de complétude",
                "La page Complétude des données montre les champs les moins remplis et les "
                "personnes qui peuvent les compléter : c'est votre liste d'accompagnement.",
                due_days=10,
            ),
            StarterStep(
                "task",
                "Animer une session de formation",
                "Réunissez vos collègues pour une session de prise en main, puis enregistrez-la "
                "dans la page Formation (date, sujet, participants, durée).",
                task="session.given",
                due_days=21,
            ),
        ),
    ),
)


async def provision_programs(scope: TenantScope, tenant: Tenant, admin: User) -> tuple[str, str]:
    """Signup: the starter programs for key-users and for end-users."""
    steps = 0
    for position, starter in enumerate(STARTER_PROGRAMS):
        program = TrainingProgram(
            name=starter.name,
            description=starter.description,
            role=starter.role,
            position=position,
        )
        await scope.insert(program)
        await scope.insert_many(
            [
                TrainingStep(
                    program_id=program.id,
                    position=index,
                    kind=step.kind,
                    title=step.title,
                    body=step.body,
                    url=step.url,
                    task=step.task,
                    due_days=step.due_days,
                )
                for index, step in enumerate(starter.steps)
            ]
        )
        steps += len(starter.steps)
    return "training", f"{len(STARTER_PROGRAMS)} programs, {steps} steps"


# --- Completing steps -----------------------------------------------------------------


def _step_completed(
    tenant_id: uuid.UUID, user_id: uuid.UUID, role: str | None, step: TrainingStep, source: str
) -> None:
    events.emit(
        events.DomainEvent(
            name="training.step_completed",
            tenant_id=tenant_id,
            actor_id=user_id,
            actor_role=role,
            object_type="training_step",
            object_id=str(step.id),
            module="training",
            data={"kind": step.kind, "task": step.task, "source": source},
        )
    )


async def _assigned_step(scope: TenantScope, user: User, step_id: uuid.UUID | str) -> TrainingStep:
    """A step of a program of the user's role, or NotFound."""
    step = await scope.get(TrainingStep, step_id)
    program = await scope.find(TrainingProgram, step.program_id)
    if program is None or program.role != user.role:
        raise NotFound("No such step in your training.")
    return step


async def _completion(
    scope: TenantScope, user_id: uuid.UUID, step_id: uuid.UUID
) -> TrainingCompletion | None:
    return await (
        scope.objects(TrainingCompletion)
        .where(TrainingCompletion.user_id == user_id)
        .where(TrainingCompletion.step_id == step_id)
        .first()
    )


async def complete_step(
    tenant_id: uuid.UUID, step_id: uuid.UUID | str, *, actor: Actor
) -> TrainingCompletion:
    """The acting user marks a lesson read or a link opened (a task completes
    itself from their work). Completing it again changes nothing."""
    if actor.id is None:
        raise Conflict("Only a user of the workspace follows a training.")
    async with tenant_scope(tenant_id) as scope:
        user = await scope.get(User, actor.id)
        step = await _assigned_step(scope, user, step_id)
        if step.kind == "task":
            raise Conflict("This step completes itself when you do it in Comptoir.")
        done = await _completion(scope, user.id, step.id)
        if done is not None:
            return done
        completion = TrainingCompletion(user_id=user.id, step_id=step.id, source="self")
        await scope.insert(completion)
        await audit.record(
            scope,
            actor,
            "training.step_completed",
            object_type="training_step",
            object_id=step.id,
            changes={"title": step.title},
        )
        _step_completed(tenant_id, user.id, user.role, step, "self")
        return completion


async def _activity_kind(scope: TenantScope, activity_id: str) -> str:
    from comptoir.tenants.activities.tables import Activity

    found = await scope.unrestricted().find(Activity, activity_id)
    return str(found.kind) if found is not None else ""


async def complete_tasks(event: events.DomainEvent) -> int:
    """The task steps of the actor's role that this event shows done, and
    that they had not completed yet; how many were completed."""
    if event.actor_id is None or event.name not in WATCHED_EVENTS:
        return 0
    async with tenant_scope(event.tenant_id) as scope:
        user = await scope.find(User, event.actor_id)
        if user is None or user.status != "active":
            return 0
        matching = [t for t in TASKS.values() if t.event == event.name]
        kind = ""
        if any(t.activity_kind for t in matching):
            kind = await _activity_kind(scope, event.object_id)
        keys = [t.key for t in matching if not t.activity_kind or t.activity_kind == kind]
        if not keys:
            return 0
        programs = await scope.select(TrainingProgram, TrainingProgram.id).where(
            TrainingProgram.role == user.role
        )
        if not programs:
            return 0
        steps = await (
            scope.objects(TrainingStep)
            .where(TrainingStep.kind == "task")
            .where(TrainingStep.task.is_in(keys))
            .where(TrainingStep.program_id.is_in([p["id"] for p in programs]))
        )
        completed = 0
        for step in steps:
            if await _completion(scope, user.id, step.id) is not None:
                continue
            await scope.insert(
                TrainingCompletion(
                    user_id=user.id, step_id=step.id, source="auto", completed_at=event.at
                )
            )
            _step_completed(event.tenant_id, user.id, user.role, step, "auto")
            completed += 1
        return completed


async def on_work_done(batch: Sequence[events.DomainEvent]) -> None:
    """Listener: complete the task steps the committed events show done."""
    for event in batch:
        if event.name not in WATCHED_EVENTS:
            continue
        try:
            await complete_tasks(event)
        except Exception:  # a training step never undoes the work itself
            log.exception("training.task_check_failed", event=event.name)


# --- The programs editor ------------------------------------------------------------------


def _clean_step(values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = str(values.get("kind") or "lesson")
    title = str(values.get("title") or "").strip()
    url = str(values.get("url") or "").strip()
    task = str(values.get("task") or "").strip()
    due_days = values.get("due_days")
    due_on = values.get("due_on")
    if kind not in KINDS:
        errors["kind"] = "must be lesson, link or task"
    if not title:
        errors["title"] = "a step needs a title"
    elif len(title) > 200:
        errors["title"] = "must be at most 200 characters"
    if kind == "link" and not (url.startswith("https://") or url.startswith("http://")):
        errors["url"] = "a link step needs an address starting with https://"
    if kind == "task" and task not in TASKS:
        errors["task"] = "must be one of: " + ", ".join(TASKS)
    if due_days is not None and (
        isinstance(due_days, bool) or not isinstance(due_days, int) or not 0 <= due_days <= 365
    ):
        errors["due_days"] = "must be from 0 to 365 days"
    if due_on is not None and not isinstance(due_on, dt.date):
        errors["due_on"] = "must be a date"
    if errors:
        raise ValidationFailed(errors)
    return {
        "kind": kind,
        "title": title,
        "body": str(values.get("body") or "").strip(),
        "url": url if kind == "link" else "",
        "task": task if kind == "task" else "",
        "due_days": due_days,
        "due_on": due_on,
    }


async def create_program(
    tenant_id: uuid.UUID, name: str, role: str, description: str = "", *, actor: Actor
) -> TrainingProgram:
    errors = {}
    if not name.strip():
        errors["name"] = "a program needs a name"
    if role not in ROLES:
        errors["role"] = "must be admin, key_user or end_user"
    if errors:
        raise ValidationFailed(errors)
    async with tenant_scope(tenant_id) as scope:
        count = await scope.count(TrainingProgram)
        program = TrainingProgram(
            name=name.strip()[:200], role=role, description=description.strip(), position=count
        )
        await scope.insert(program)
        await audit.record(
            scope,
            actor,
            "training.program_created",
            object_type="training_program",
            object_id=program.id,
            changes={"name": program.name, "role": role},
        )
        return program


async def delete_program(
    tenant_id: uuid.UUID, program_id: uuid.UUID | str, *, actor: Actor
) -> None:
    async with tenant_scope(tenant_id) as scope:
        program = await scope.get(TrainingProgram, program_id)
        steps = await scope.select(TrainingStep, TrainingStep.id).where(
            TrainingStep.program_id == program.id
        )
        ids = [s["id"] for s in steps]
        if ids:
            await scope.delete(TrainingCompletion).where(TrainingCompletion.step_id.is_in(ids))
            await scope.delete(TrainingStep).where(TrainingStep.program_id == program.id)
        await scope.delete(TrainingProgram).where(TrainingProgram.id == program.id)
        await audit.record(
            scope,
            actor,
            "training.program_deleted",
            object_type="training_program",
            object_id=program.id,
            changes={"name": program.name},
        )


async def add_step(
    tenant_id: uuid.UUID, program_id: uuid.UUID | str, values: Mapping[str, Any], *, actor: Actor
) -> TrainingStep:
    async with tenant_scope(tenant_id) as scope:
        program = await scope.get(TrainingProgram, program_id)
        cleaned = _clean_step(values)
        count = await scope.count(TrainingStep).where(TrainingStep.program_id == program.id)
        if count >= MAX_STEPS:
            raise ValidationFailed({"program_id": f"a program has at most {MAX_STEPS} steps"})
        step = TrainingStep(program_id=program.id, position=count, **cleaned)
        await scope.insert(step)
        await audit.record(
            scope,
            actor,
            "training.step_added",
            object_type="training_step",
            object_id=step.id,
            changes={"program": program.name, **{k: v for k, v in cleaned.items() if v}},
        )
        return step


async def _renumber(scope: TenantScope, program_id: uuid.UUID, order: Sequence[uuid.UUID]) -> None:
    for position, step_id in enumerate(order):
        await scope.update(TrainingStep, {TrainingStep.position: position}).where(
            TrainingStep.id == step_id
        )


async def _program_steps(scope: TenantScope, program_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await (
        scope.select(TrainingStep, TrainingStep.id)
        .where(TrainingStep.program_id == program_id)
        .order_by(TrainingStep.position)
        .order_by(TrainingStep.id)
    )
    return [row["id"] for row in rows]


async def move_step(
    tenant_id: uuid.UUID, step_id: uuid.UUID | str, direction: str, *, actor: Actor
) -> None:
    """Move a step one place up or down in its program."""
    async with tenant_scope(tenant_id) as scope:
        step = await scope.get(TrainingStep, step_id)
        if direction not in ("up", "down"):
            raise ValidationFailed({"direction": "must be up or down"})
        order = await _program_steps(scope, step.program_id)
        index = order.index(step.id)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(order):
            order[index], order[other] = order[other], order[index]
            await _renumber(scope, step.program_id, order)
            await audit.record(
                scope,
                actor,
                "training.step_moved",
                object_type="training_step",
                object_id=step.id,
                changes={"direction": direction},
            )


async def remove_step(tenant_id: uuid.UUID, step_id: uuid.UUID | str, *, actor: Actor) -> None:
    """Remove a step (and who completed it) from its program."""
    async with tenant_scope(tenant_id) as scope:
        step = await scope.get(TrainingStep, step_id)
        await scope.delete(TrainingCompletion).where(TrainingCompletion.step_id == step.id)
        await scope.delete(TrainingStep).where(TrainingStep.id == step.id)
        await _renumber(scope, step.program_id, await _program_steps(scope, step.program_id))
        await audit.record(
            scope,
            actor,
            "training.step_removed",
            object_type="training_step",
            object_id=step.id,
            changes={"title": step.title},
        )


async def programs_with_steps(
    tenant_id: uuid.UUID,
) -> list[tuple[TrainingProgram, list[TrainingStep]]]:
    async with tenant_scope(tenant_id) as scope:
        programs = await scope.objects(TrainingProgram).order_by(TrainingProgram.position)
        steps = await scope.objects(TrainingStep).order_by(TrainingStep.position)
    by_program: dict[uuid.UUID, list[TrainingStep]] = {}
    for step in steps:
        by_program.setdefault(step.program_id, []).append(step)
    return [(program, by_program.get(program.id, [])) for program in programs]


# --- Sessions -----------------------------------------------------------------------------


async def record_session(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> TrainingSession:
    """A session the acting key-user (or admin) gave: date, topic, attendees
    (users of the workspace), duration. Completes their "give a session" step."""
    errors: dict[str, str] = {}
    topic = str(values.get("topic") or "").strip()
    held_on = values.get("held_on")
    duration = values.get("duration_minutes")
    attendees = list(values.get("attendee_ids") or [])
    if not topic:
        errors["topic"] = "a session needs a topic"
    elif len(topic) > 200:
        errors["topic"] = "must be at most 200 characters"
    if not isinstance(held_on, dt.date):
        errors["held_on"] = "must be a date"
    if isinstance(duration, bool) or not isinstance(duration, int) or not 5 <= duration <= 600:
        errors["duration_minutes"] = "must be from 5 to 600 minutes"
    if not attendees:
        errors["attendee_ids"] = "name at least one attendee"
    if actor.id is None:
        raise Conflict("Only a user of the workspace gives a training session.")
    async with tenant_scope(tenant_id) as scope:
        everyone = scope.unrestricted()
        known = set()
        if attendees:
            rows = await everyone.select(User, User.id).where(User.id.is_in(attendees))
            known = {row["id"] for row in rows}
            if len(known) != len(set(attendees)):
                errors["attendee_ids"] = "must be users of this workspace"
        if errors:
            raise ValidationFailed(errors)
        session = TrainingSession(
            given_by=actor.id,
            held_on=held_on,
            topic=topic,
            attendee_ids=[str(a) for a in dict.fromkeys(attendees)],
            duration_minutes=duration,
            notes=str(values.get("notes") or "").strip()[:5000],
        )
        await scope.insert(session)
        await audit.record(
            scope,
            actor,
            "training.session_recorded",
            object_type="training_session",
            object_id=session.id,
            changes={"topic": topic, "attendees": len(known), "held_on": held_on},
        )
        events.emit(
            events.DomainEvent(
                name="training.session_recorded",
                tenant_id=tenant_id,
                actor_id=actor.id,
                actor_role=actor.role,
                object_type="training_session",
                object_id=str(session.id),
                module="training",
                data={"attendees": len(known), "duration_minutes": duration},
            )
        )
        return session


async def list_sessions(tenant_id: uuid.UUID, *, limit: int = 50) -> list[TrainingSession]:
    async with tenant_scope(tenant_id) as scope:
        return list(
            await scope.objects(TrainingSession)
            .order_by(TrainingSession.held_on, ascending=False)
            .order_by(TrainingSession.id, ascending=False)
            .limit(limit)
        )


async def get_session(tenant_id: uuid.UUID, session_id: uuid.UUID | str) -> TrainingSession:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(TrainingSession, session_id)
