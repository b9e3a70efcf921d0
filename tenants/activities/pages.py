"""Activities in the workspace: the list (mine/all, open/done, overdue/today/
upcoming, type, live search, "Load more"), create, edit, delete, one-click
done from any list, the quick follow-up of the home page, the calendar file,
and the user's own follow-up settings (reminder e-mail, calendar feed)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.assembly import all_features
from comptoir.platform.db.listing import ListQuery
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires, signed_in
from comptoir.tenants.activities import ics, preferences, service
from comptoir.tenants.activities.controllers import ICS_SUFFIX, ics_response
from comptoir.tenants.activities.follow_ups import FollowUpRow
from comptoir.tenants.activities.forms import (
    form_values,
    parse_activity_form,
    typed_values,
)
from comptoir.tenants.activities.schemas import KIND_LABELS, KINDS
from comptoir.tenants.activities.tables import Activity
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page, safe_next
from comptoir.tenants.workspace.records import people, wants_fragment
from comptoir.tenants.workspace.rendering import form_errors, render_page, render_partial, see_other

PAGE_SIZE = 25
PICKER_SIZE = 20
OWNERS = ("mine", "all")
STATES = ("open", "done", "all")
WHENS = ("", "overdue", "today", "upcoming")
# "due": soonest first (only dated activities); "recent": newest first. Without
# a choice: by due date within a date window, else the newest first.
ORDERS = ("due", "recent")
# How a one-click "done" answers htmx: the piece of page it came from.
VIEWS = {"follow-up": "activities/_follow_up.html", "row": "activities/_rows.html"}

Choice = Annotated[str, QueryParameter(max_length=20)]


def _zone(page: WorkspacePage) -> ZoneInfo:
    return service.tenant_zone(page.tenant.timezone)


def _list_filters(
    page: WorkspacePage, owner: str, state: str, when: str, kind: str
) -> tuple[dict[str, str], str | None]:
    """The list's filters and sort for the page's choices."""
    filters: dict[str, str] = {}
    if owner != "all":
        filters["owner_id"] = str(page.user.id)
    if state in ("open", "done"):
        filters[service.DONE_FILTER] = state
    if kind in KINDS:
        filters["kind"] = kind
    if not when:
        return filters, "due_at"
    day = service.Day.of(_now(), _zone(page))
    if when == "overdue":
        filters[service.DUE_BEFORE] = day.starts.isoformat()
    elif when == "today":
        filters[service.DUE_AFTER] = day.starts.isoformat()
        filters[service.DUE_BEFORE] = day.ends.isoformat()
    else:
        filters[service.DUE_AFTER] = day.ends.isoformat()
    return filters, "due_at"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pick(value: str, choices: tuple[str, ...]) -> str:
    return value if value in choices else choices[0]


async def _form(
    page: WorkspacePage,
    activity: Activity | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    back: str | None = None,
) -> Template:
    """The activity's form; ``back``: the page to return to once it is saved."""
    shown = values if values is not None else form_values(activity, _zone(page))
    if activity is None and values is None:
        shown["owner_id"] = str(page.user.id)
    names = await service.link_names(page.tenant.id, [shown])
    return render_page(
        page,
        "activities/form.html",
        section="activities",
        status=status,
        activity=activity,
        values=shown,
        errors=errors or {},
        people=await people(page),
        names=names,
        kinds=[(kind, KIND_LABELS[kind]) for kind in KINDS],
        opportunity_picker=_opportunity_picker(page),
        back=safe_next(back, page.tenant.slug) or "",
    )


def _late(now: dt.datetime) -> Any:
    """A template helper: whether a listed activity is open and past due."""
    return lambda activity: FollowUpRow.of(activity, now).late


def _opportunity_picker(page: WorkspacePage) -> bool:
    """Whether the opportunities' picker is there for this user to search in."""
    return page.can("opportunities.view") and any(
        feature.name == "opportunities" and feature.page_routes for feature in all_features()
    )


async def _one(
    page: WorkspacePage, template: str, activity: Activity, data: dict[str, str]
) -> Template:
    """One activity as the piece of page it is shown in (after a click)."""
    now = _now()
    return render_partial(
        page,
        template,
        activity=activity,
        item=FollowUpRow.of(activity, now),
        back=safe_next(data.get("next"), page.tenant.slug) or f"{page.base}/",
        show_day=bool(data.get("show_day")),
        activities=[activity],
        next_cursor=None,
        more=True,
        q="",
        people=await people(page),
        names=await service.link_names(page.tenant.id, [activity]),
        late=_late(now),
    )


class ActivityPages(Controller):
    path = "/w/{slug:str}/activities"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="activities", opt=requires("activities", "view"))
    async def activities(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
        owner: Choice = "mine",
        done: Choice = "open",
        when: Choice = "",
        kind: Choice = "",
        order: Choice = "",
    ) -> Template:
        """The full page, or with htmx only the table rows (filters, search, "Load more")."""
        owner, done, when = _pick(owner, OWNERS), _pick(done, STATES), _pick(when, WHENS)
        kind = kind if kind in KINDS else ""
        order = order if order in ORDERS else ("due" if when else "recent")
        filters, sort = _list_filters(page, owner, done, when, kind)
        sort = sort if order == "due" else None
        query = ListQuery(q=q or None, cursor=cursor, sort=sort, limit=PAGE_SIZE, filters=filters)
        found = await service.list_activities(page.tenant.id, query)
        context: dict[str, Any] = {
            "activities": found.items,
            "next_cursor": found.next_cursor,
            "q": q,
            "choices": {"owner": owner, "done": done, "when": when, "kind": kind, "order": order},
            "people": await people(page),
            "names": await service.link_names(page.tenant.id, found.items),
            "kinds": [(k, KIND_LABELS[k]) for k in KINDS],
            "late": _late(_now()),
        }
        if wants_fragment(request):
            return render_partial(page, "activities/_rows.html", more=bool(cursor), **context)
        return render_page(page, "activities/list.html", section="activities", **context)

    @get("/contact-options", name="activities-contact-options", opt=requires("contacts", "view"))
    async def contact_options(
        self,
        page: NamedDependency[WorkspacePage],
        contact_q: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> Template:
        """The contact picker's choices for what the user typed (htmx)."""
        from comptoir.tenants.contacts.service import list_contacts

        found = await list_contacts(
            page.tenant.id, ListQuery(q=contact_q or None, limit=PICKER_SIZE)
        )
        return render_partial(
            page, "activities/_contact_options.html", contacts=found.items, q=contact_q
        )

    @get("/new", name="activities-new", opt=requires("activities", "create"))
    async def new_activity(
        self,
        page: NamedDependency[WorkspacePage],
        kind: Choice = "task",
        contact_id: Annotated[str, QueryParameter(max_length=40)] = "",
        account_id: Annotated[str, QueryParameter(max_length=40)] = "",
        opportunity_id: Annotated[str, QueryParameter(max_length=40)] = "",
        back: Annotated[str, QueryParameter(max_length=500)] = "",
    ) -> Template:
        """A blank form; from a record's page, already linked to it (and
        going back there once saved)."""
        values = form_values(None, _zone(page))
        values.update(
            kind=kind if kind in KINDS else "task",
            owner_id=str(page.user.id),
            contact_id=contact_id,
            account_id=account_id,
            opportunity_id=opportunity_id,
        )
        return await _form(page, None, values=values, back=back)

    @post("/", name="activities-create", opt=requires("activities", "create"))
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            values = parse_activity_form(data, _zone(page))
            activity = await service.create_activity(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _form(
                page,
                None,
                values=typed_values(data),
                errors=form_errors(error),
                status=422,
                back=data.get("next"),
            )
        back = safe_next(data.get("next"), page.tenant.slug)
        if back:
            return see_other(back, flash="activity_created")
        return see_other(f"{page.base}/activities/{activity.id}", flash="activity_created")

    @get("/{activity_id:str}", name="activity", opt=requires("activities", "view"))
    async def activity(
        self, page: NamedDependency[WorkspacePage], activity_id: FromPath[str]
    ) -> Template | Response[bytes]:
        """The activity's page, or with ``.ics`` its calendar event."""
        if activity_id.endswith(ICS_SUFFIX):
            found = await service.get_activity(page.tenant.id, activity_id[: -len(ICS_SUFFIX)])
            if found.due_at is None:
                raise NotFoundException()
            body = ics.calendar_of([found], link_base=ics.workspace_link(page.tenant.slug))
            return ics_response(body, f"activity-{found.id}.ics")
        return await _form(page, await service.get_activity(page.tenant.id, activity_id))

    @post("/{activity_id:str}", name="activity-update", opt=requires("activities", "edit"))
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        activity_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        activity = await service.get_activity(page.tenant.id, activity_id)
        try:
            values = parse_activity_form(data, _zone(page), activity=activity)
            await service.update_activity(page.tenant.id, activity.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _form(
                page, activity, values=typed_values(data), errors=form_errors(error), status=422
            )
        return see_other(f"{page.base}/activities/{activity.id}", flash="activity_saved")

    @post("/{activity_id:str}/delete", name="activity-delete", opt=requires("activities", "delete"))
    async def delete(
        self, page: NamedDependency[WorkspacePage], activity_id: FromPath[str]
    ) -> Redirect:
        await service.delete_activity(page.tenant.id, activity_id, actor=page.actor)
        return see_other(f"{page.base}/activities", flash="activity_deleted")

    @post("/{activity_id:str}/done", name="activity-done", opt=requires("activities", "edit"))
    async def done(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        activity_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        """One click: done now. htmx gets the piece of page back, updated."""
        activity = await service.mark_done(page.tenant.id, activity_id, actor=page.actor)
        return await self._answer(request, page, activity, data)

    @post("/{activity_id:str}/undone", name="activity-undone", opt=requires("activities", "edit"))
    async def undone(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        activity_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        activity = await service.mark_undone(page.tenant.id, activity_id, actor=page.actor)
        return await self._answer(request, page, activity, data)

    async def _answer(
        self,
        request: Request[Any, Any, Any],
        page: WorkspacePage,
        activity: Activity,
        data: dict[str, str],
    ) -> Template | Redirect:
        template = VIEWS.get(data.get("view", ""))
        if template and wants_fragment(request):
            return await _one(page, template, activity, data)
        back = safe_next(data.get("next"), page.tenant.slug)
        return see_other(back or f"{page.base}/activities/{activity.id}")


class FollowUpSettingsPages(Controller):
    """The user's own follow-up settings: the reminder e-mail and the calendar feed."""

    path = "/w/{slug:str}/account/follow-ups"
    opt = signed_in()
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="account-follow-ups")
    async def settings(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _settings_page(page)

    @post("/reminders", name="account-follow-ups-reminders")
    async def reminders(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Redirect:
        wanted = bool(data.get("reminder_emails"))
        await preferences.set_reminder_emails(
            page.tenant.id, page.user.id, wanted, actor=page.actor
        )
        return see_other(f"{page.base}/account/follow-ups", flash="follow_up_settings_saved")

    @post("/calendar", name="account-follow-ups-calendar")
    async def calendar(self, page: NamedDependency[WorkspacePage]) -> Template:
        """A new subscription URL, shown on this answer only."""
        url = await preferences.rotate_calendar_token(page.tenant, page.user.id, actor=page.actor)
        return await _settings_page(page, feed_url=url)

    @post("/calendar/off", name="account-follow-ups-calendar-off")
    async def calendar_off(self, page: NamedDependency[WorkspacePage]) -> Redirect:
        await preferences.turn_off_calendar(page.tenant.id, page.user.id, actor=page.actor)
        return see_other(f"{page.base}/account/follow-ups", flash="calendar_feed_off")


async def _settings_page(page: WorkspacePage, *, feed_url: str = "") -> Template:
    shown = await preferences.read_preferences(page.tenant.id, page.user.id)
    return render_page(
        page,
        "activities/settings.html",
        section="account",
        settings=shown,
        feed_url=feed_url,
    )
