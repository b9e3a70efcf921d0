"""/api/v1/activities (the record API, plus done/undone and the iCalendar
event), /api/v1/me/... (one's follow-up settings and calendar feed) and the
calendar subscription feed itself. No ``from __future__ import annotations``:
Litestar reads the handlers' annotations."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, Parameter

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import public, requires, signed_in
from comptoir.platform.web.lists import Cursor, Limit, PageOf, Search, Sort, list_query, page_of
from comptoir.platform.web.record_api import RecordApi, record_controller
from comptoir.tenants.activities import ics, preferences, service
from comptoir.tenants.activities.schemas import (
    ActivityFields,
    ActivityOut,
    ActivityUpdate,
    CalendarFeedOut,
    FollowUpSettingsIn,
    FollowUpSettingsOut,
)

ICS_SUFFIX = ".ics"
ICS_TYPE = "text/calendar; charset=utf-8"

ACTIVITIES_API = RecordApi(
    feature="activities",
    singular="activity",
    tag="Activities",
    fields=ActivityFields,
    update=ActivityUpdate,
    out=ActivityOut,
    spec=service.ACTIVITY_LIST,
    list_records=service.list_activities,
    get_record=service.get_activity,
    create_record=service.create_activity,
    update_record=service.update_activity,
    delete_record=service.delete_activity,
    searched="subject, details and location",
)


def shaped(activity: Any) -> ActivityOut:
    return ActivityOut(**{name: getattr(activity, name) for name in ActivityOut.__struct_fields__})


def ics_response(body: bytes, filename: str) -> Response[bytes]:
    return Response(
        content=body,
        media_type=ICS_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


Done = Annotated[
    str | None,
    Parameter(description="`open` (not done) or `done`.", pattern="^(open|done)$", required=False),
]
Moment = Annotated[
    str | None,
    Parameter(max_length=40, description="ISO 8601 with its zone, e.g. 2026-12-01T09:00:00+01:00."),
]


class ActivityController(record_controller(ACTIVITIES_API, "/api/v1/activities")):  # type: ignore[misc]
    @get(
        "/",
        summary="List activities",
        description=ACTIVITIES_API.list_description()
        + " Also `done` (`open` or `done`) and a due window: `due_after` (included) and "
        "`due_before` (excluded). Sorted by `due_at`, activities without a due date are left out.",
        opt=requires("activities", "view"),
    )
    async def list_records(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
        done: Done = None,
        due_after: Moment = None,
        due_before: Moment = None,
    ) -> PageOf[ActivityOut]:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        return page_of(await service.list_activities(caller.tenant.id, query), ActivityOut)

    @get(
        "/{record_id:str}",
        summary="Read an activity",
        description="`/api/v1/activities/{id}.ics` answers the activity as an iCalendar "
        "event (it needs a due date).",
        opt=requires("activities", "view"),
    )
    async def read_record(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> ActivityOut | Response[bytes]:
        if record_id.endswith(ICS_SUFFIX):
            activity = await service.get_activity(caller.tenant.id, record_id[: -len(ICS_SUFFIX)])
            if activity.due_at is None:
                raise NotFoundException("This activity has no date, so no calendar event.")
            body = ics.calendar_of([activity], link_base=ics.workspace_link(caller.tenant.slug))
            return ics_response(body, f"activity-{activity.id}.ics")
        return shaped(await service.get_activity(caller.tenant.id, record_id))

    @post(
        "/{record_id:str}/done",
        summary="Mark an activity done",
        description="Sets `done_at` to now; an activity already done is left as it is.",
        opt=requires("activities", "edit"),
        status_code=200,
    )
    async def mark_done(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> ActivityOut:
        return shaped(await service.mark_done(caller.tenant.id, record_id, actor=caller.actor))

    @post(
        "/{record_id:str}/undone",
        summary="Open a done activity again",
        opt=requires("activities", "edit"),
        status_code=200,
    )
    async def mark_undone(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> ActivityOut:
        return shaped(await service.mark_undone(caller.tenant.id, record_id, actor=caller.actor))


def _settings_out(shown: preferences.FollowUpPreferences) -> FollowUpSettingsOut:
    return FollowUpSettingsOut(
        reminder_emails=shown.reminder_emails, calendar_feed=shown.calendar_feed
    )


class MyFollowUpController(Controller):
    """The caller's own follow-up settings and calendar subscription."""

    path = "/api/v1/me"
    tags = ["Activities"]

    @get("/follow-up-settings", summary="Read my follow-up settings", opt=signed_in())
    async def read_settings(self, caller: NamedDependency[ApiCaller]) -> FollowUpSettingsOut:
        return _settings_out(await preferences.read_preferences(caller.tenant.id, caller.user.id))

    @put(
        "/follow-up-settings",
        summary="Change my follow-up settings",
        description="`reminder_emails: false` stops the morning e-mail of due follow-ups.",
        opt=signed_in(),
    )
    async def change_settings(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[FollowUpSettingsIn]
    ) -> FollowUpSettingsOut:
        shown = await preferences.set_reminder_emails(
            caller.tenant.id, caller.user.id, data.reminder_emails, actor=caller.actor
        )
        return _settings_out(shown)

    @post(
        "/calendar-feed",
        summary="Make a new calendar subscription URL",
        description="Answers the URL of your activities as an iCalendar feed, once; the "
        "previous URL stops working.",
        opt=signed_in(),
        status_code=201,
    )
    async def rotate_feed(self, caller: NamedDependency[ApiCaller]) -> CalendarFeedOut:
        url = await preferences.rotate_calendar_token(
            caller.tenant, caller.user.id, actor=caller.actor
        )
        return CalendarFeedOut(url=url)

    @delete("/calendar-feed", summary="Turn my calendar subscription off", opt=signed_in())
    async def turn_off_feed(self, caller: NamedDependency[ApiCaller]) -> None:
        await preferences.turn_off_calendar(caller.tenant.id, caller.user.id, actor=caller.actor)


class CalendarFeed(Controller):
    """``/calendar/{slug}/{token}.ics``: a user's activities for their calendar
    application, which cannot sign in: the secret in the URL is the key."""

    path = "/calendar"
    include_in_schema = False

    @get("/{slug:str}/{token:str}", opt=public(), name="calendar-feed")
    async def feed(self, slug: FromPath[str], token: FromPath[str]) -> Response[bytes]:
        if not token.endswith(ICS_SUFFIX):
            raise NotFoundException()
        owner = await preferences.feed_owner(slug, token[: -len(ICS_SUFFIX)])
        if owner is None:
            raise NotFoundException()
        activities = await ics.feed_activities(owner.tenant.id, owner.user.id)
        name = f"Comptoir · {owner.tenant.company_name}"
        body = ics.calendar_of(
            activities, name=name, link_base=ics.workspace_link(owner.tenant.slug)
        )
        return ics_response(body, "comptoir.ics")


__all__ = ["ActivityController", "CalendarFeed", "MyFollowUpController"]
