"""The training page: one's own steps (mark a lesson read, open a link, see
the tasks that complete themselves) and, for admins and key-users,
everyone's progress, the programs editor and the sessions log."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from babel.dates import format_date
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.adoption.training import service
from comptoir.adoption.training.controllers import summary_out
from comptoir.adoption.training.progress import progress_in
from comptoir.platform import i18n
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.tenants.quotes.service import tenant_today
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other


def date_formatter(page: WorkspacePage) -> Callable[[dt.date | None], str]:
    """A calendar date in the viewer's language (``fmt.day`` takes instants)."""
    locale = i18n.current_locale.get()

    def day(value: dt.date | None) -> str:
        return format_date(value, "medium", locale=locale) if value is not None else "—"

    return day


def _(message: str) -> str:
    """Marks an English label for extraction; it is translated when shown."""
    return message


STEP_KINDS = {"lesson": _("Lesson"), "link": _("Link"), "task": _("Task checked automatically")}
STATUS_LABELS = {
    "not_started": _("Not started"),
    "in_progress": _("In progress"),
    "completed": _("Completed"),
}


async def _page(
    page: WorkspacePage,
    *,
    errors: dict[str, str] | None = None,
    form: str = "",
    data: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    today = await tenant_today(page.tenant.id)
    manager = page.can("training.manage")
    async with tenant_scope(page.tenant.id) as scope:
        everyone = scope.unrestricted()
        mine = await progress_in(everyone, user_ids=[page.user.id], include_disabled=True)
        team = await progress_in(everyone) if manager else []
        users = (
            await everyone.select(User, User.id, User.first_name, User.last_name, User.email)
            .where(User.status == "active")
            .order_by(User.first_name)
            if page.can("training.create")
            else []
        )
    programs = await service.programs_with_steps(page.tenant.id) if manager else []
    sessions = await service.list_sessions(page.tenant.id) if manager else []
    names = {
        row["id"]: (f"{row['first_name']} {row['last_name']}".strip() or row["email"])
        for row in users
    }
    return render_page(
        page,
        "adoption/training.html",
        section="adoption-training",
        status=status,
        today=today,
        mine=mine[0] if mine else None,
        team=team,
        summary=summary_out(team) if manager else None,
        programs=programs,
        sessions=sessions,
        users=users,
        names=names,
        manager=manager,
        tasks=service.TASKS,
        step_kinds=STEP_KINDS,
        status_labels=STATUS_LABELS,
        errors=errors or {},
        form=form,
        values=data or {},
        day=date_formatter(page),
    )


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


def _date(value: str | None, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({field: "must be a date"}) from None


class TrainingPages(Controller):
    path = "/w/{slug:str}/adoption/training"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="adoption-training", opt=requires("training", "view"))
    async def overview(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _page(page)

    @post(
        "/steps/{training_step_id:str}/complete",
        name="adoption-training-complete",
        opt=requires("training", "view"),
    )
    async def complete(
        self, page: NamedDependency[WorkspacePage], training_step_id: FromPath[str]
    ) -> Redirect:
        await service.complete_step(page.tenant.id, training_step_id, actor=page.actor)
        return see_other(f"{page.base}/adoption/training", flash="training_step_done")

    @post("/programs", name="adoption-training-program", opt=requires("training", "manage"))
    async def create_program(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            await service.create_program(
                page.tenant.id,
                data.get("name", ""),
                data.get("role", ""),
                data.get("description", ""),
                actor=page.actor,
            )
        except ValidationFailed as error:
            return await _page(
                page, errors=form_errors(error), form="program", data=data, status=422
            )
        return see_other(f"{page.base}/adoption/training#programs", flash="training_saved")

    @post(
        "/programs/{training_program_id:str}/steps",
        name="adoption-training-step",
        opt=requires("training", "manage"),
    )
    async def add_step(
        self,
        page: NamedDependency[WorkspacePage],
        training_program_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        values: dict[str, Any] = dict(data)
        try:
            values["due_days"] = _int(data.get("due_days"))
            if (data.get("due_days") or "").strip() and values["due_days"] is None:
                raise ValidationFailed({"due_days": "must be from 0 to 365 days"})
            values["due_on"] = _date(data.get("due_on"), "due_on")
            await service.add_step(page.tenant.id, training_program_id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _page(
                page,
                errors=form_errors(error),
                form=training_program_id,
                data=data,
                status=422,
            )
        return see_other(f"{page.base}/adoption/training#programs", flash="training_saved")

    @post(
        "/programs/{training_program_id:str}/delete",
        name="adoption-training-program-delete",
        opt=requires("training", "manage"),
    )
    async def delete_program(
        self, page: NamedDependency[WorkspacePage], training_program_id: FromPath[str]
    ) -> Redirect:
        await service.delete_program(page.tenant.id, training_program_id, actor=page.actor)
        return see_other(f"{page.base}/adoption/training#programs", flash="training_saved")

    @post(
        "/steps/{training_step_id:str}/move",
        name="adoption-training-step-move",
        opt=requires("training", "manage"),
    )
    async def move_step(
        self,
        page: NamedDependency[WorkspacePage],
        training_step_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Redirect:
        await service.move_step(
            page.tenant.id, training_step_id, data.get("direction", ""), actor=page.actor
        )
        return see_other(f"{page.base}/adoption/training#programs")

    @post(
        "/steps/{training_step_id:str}/delete",
        name="adoption-training-step-delete",
        opt=requires("training", "manage"),
    )
    async def remove_step(
        self, page: NamedDependency[WorkspacePage], training_step_id: FromPath[str]
    ) -> Redirect:
        await service.remove_step(page.tenant.id, training_step_id, actor=page.actor)
        return see_other(f"{page.base}/adoption/training#programs", flash="training_saved")

    @post("/sessions", name="adoption-training-session", opt=requires("training", "create"))
    async def record_session(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        raw = data.get("attendee_ids") or []
        attendees = raw if isinstance(raw, list) else [raw]
        values: dict[str, Any] = {
            "topic": data.get("topic", ""),
            "notes": data.get("notes", ""),
            "duration_minutes": _int(data.get("duration_minutes")),
            "attendee_ids": [parsed for a in attendees if (parsed := _uuid(a)) is not None],
        }
        try:
            values["held_on"] = _date(data.get("held_on"), "held_on")
            await service.record_session(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _page(
                page, errors=form_errors(error), form="session", data=data, status=422
            )
        return see_other(f"{page.base}/adoption/training#sessions", flash="training_session_saved")


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
