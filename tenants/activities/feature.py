"""The activities feature's manifest."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from comptoir.platform.features import (
    EVERY_ACTION,
    WORK_ACTIONS,
    Feature,
    NavEntry,
    RecordPanel,
)
from comptoir.tenants.activities.controllers import (
    ActivityController,
    CalendarFeed,
    MyFollowUpController,
)
from comptoir.tenants.activities.follow_ups import FollowUpRow, history_of, next_follow_ups
from comptoir.tenants.activities.pages import ActivityPages, FollowUpSettingsPages
from comptoir.tenants.activities.reminders import MORNING_REMINDER
from comptoir.tenants.activities.tables import Activity, FollowUpSettings


async def _next_follow_ups(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID
) -> Sequence[FollowUpRow]:
    return await next_follow_ups(tenant_id, subject, subject_id)


FEATURE = Feature(
    name="activities",
    label="Activities",
    module="sales",
    api_routes=(ActivityController, MyFollowUpController),
    page_routes=(ActivityPages, FollowUpSettingsPages, CalendarFeed),
    tables=(Activity, FollowUpSettings),
    nav=(
        NavEntry(
            key="activities", label="Activities", path="/activities", icon="calendar", order=25
        ),
    ),
    audit_labels={
        "activity.create": "Created an activity",
        "activity.update": "Changed an activity",
        "activity.delete": "Deleted an activity",
        "activity.done": "Marked an activity done",
        "follow_up_settings.update": "Changed their follow-up reminders",
        "calendar_feed.rotate": "Made a new calendar subscription address",
        "calendar_feed.delete": "Turned their calendar subscription off",
    },
    permissions={
        "admin": EVERY_ACTION,
        "key_user": EVERY_ACTION - {"manage"},
        "end_user": WORK_ACTIONS,
    },
    events=("activity.created", "activity.updated", "activity.deleted", "activity.done"),
    job_kinds=(MORNING_REMINDER,),
    flashes={
        "activity_created": ("success", "Activity saved."),
        "activity_saved": ("success", "Changes saved."),
        "activity_deleted": ("success", "Activity deleted."),
        "follow_up_settings_saved": ("success", "Your reminder settings are saved."),
        "calendar_feed_off": ("success", "Calendar subscription turned off."),
    },
    record_panels=(
        RecordPanel(
            key="next-follow-ups",
            label="Next follow-ups",
            subjects=frozenset({"contact", "account", "opportunity"}),
            load=_next_follow_ups,
            template="activities/_panel.html",
            order=20,
        ),
    ),
    timeline=history_of,
)
