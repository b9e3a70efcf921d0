"""The morning reminder: once a day, from 07:00 in the workspace's time zone,
each active user who has open activities due today or overdue (and has not
turned the reminder off) gets one e-mail listing them.

A periodic job runs every quarter of an hour; it may run again or late, so
``FollowUpSettings.last_reminder_on`` (written with the queued e-mail, in one
transaction) keeps it to once a day. Per workspace it reads its active users,
their settings and which of them have something due: three queries whatever
the number of users, then one read and one e-mail per person reminded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import structlog

from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.jobs.kinds import JobContext, JobKind
from comptoir.platform.outbox.service import queue_email
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import render_email
from comptoir.tenants.activities.preferences import LIVE_STATUSES, settings_of
from comptoir.tenants.activities.schemas import KIND_LABELS
from comptoir.tenants.activities.service import Day, aware, tenant_zone
from comptoir.tenants.activities.tables import Activity, FollowUpSettings

log = structlog.get_logger(__name__)

REMINDER_KIND = "activities.morning_reminder"
EMAIL_KIND = "follow_up_reminder"
REMINDER_HOUR = 7
MOST_LISTED = 50  # activities listed in one e-mail
TENANT_BATCH = 500


def _local_day(tenant: Mapping[str, Any], now: dt.datetime) -> Day | None:
    """Today in the workspace, once it is 07:00 there; None before."""
    zone = tenant_zone(tenant["timezone"])
    if aware(now).astimezone(zone).hour < REMINDER_HOUR:
        return None
    return Day.of(now, zone)


async def _recipients(scope: TenantScope, day: Day) -> list[dict[str, Any]]:
    """The active users still to remind today who have something due."""
    users = await scope.select(
        User, User.id, User.email, User.first_name, User.last_name, User.locale
    ).where(User.status == "active")
    if not users:
        return []
    settled = await scope.select(
        FollowUpSettings,
        FollowUpSettings.user_id,
        FollowUpSettings.reminder_emails,
        FollowUpSettings.last_reminder_on,
    )
    skipped = {
        row["user_id"]
        for row in settled
        if not row["reminder_emails"] or row["last_reminder_on"] == day.date.isoformat()
    }
    candidates = [user for user in users if user["id"] not in skipped]
    if not candidates:
        return []
    owners = await (
        scope.select(Activity, Activity.owner_id)
        .where(Activity.owner_id.is_in([user["id"] for user in candidates]))
        .where(Activity.done_at.is_null())
        .where(Activity.due_at < day.ends)
        .distinct()
    )
    due = {row["owner_id"] for row in owners}
    return [user for user in candidates if user["id"] in due]


async def _remind(
    scope: TenantScope, tenant: Mapping[str, Any], user: Mapping[str, Any], day: Day
) -> bool:
    items = await (
        scope.objects(Activity)
        .where(Activity.owner_id == user["id"])
        .where(Activity.done_at.is_null())
        .where(Activity.due_at < day.ends)
        .order_by(Activity.due_at)
        .limit(MOST_LISTED + 1)
    )
    if not items:
        return False
    base = f"{get_settings().base_url}/w/{tenant['slug']}"
    listed = [
        {
            "subject": a.subject,
            "kind": KIND_LABELS.get(a.kind, a.kind),
            "due_at": aware(a.due_at),
            "overdue": aware(a.due_at) < day.starts,
            "link": f"{base}/activities/{a.id}",
        }
        for a in items[:MOST_LISTED]
    ]
    subject, text, html = render_email(
        EMAIL_KIND,
        locale=user["locale"] or tenant["locale"] or "fr",
        first_name=user["first_name"] or "",
        company=tenant["company_name"],
        items=listed,
        overdue=sum(1 for item in listed if item["overdue"]),
        today=sum(1 for item in listed if not item["overdue"]),
        more=len(items) > MOST_LISTED,
        link=f"{base}/",
        all_link=f"{base}/activities?owner=mine&done=open",
        settings_link=f"{base}/account/follow-ups",
        tz=tenant["timezone"] or "Europe/Paris",
    )
    await queue_email(
        scope, to=user["email"], subject=subject, body_text=text, body_html=html, kind=EMAIL_KIND
    )
    settings = await settings_of(scope, user["id"])
    settings.last_reminder_on = day.date.isoformat()
    await scope.save(settings, columns=[FollowUpSettings.last_reminder_on])
    return True


async def remind_workspace(tenant: Mapping[str, Any], now: dt.datetime) -> int:
    """Send the workspace's reminders due at ``now``; how many were sent."""
    day = _local_day(tenant, now)
    if day is None:
        return 0
    sent = 0
    async with tenant_scope(tenant["id"]) as scope:
        for user in await _recipients(scope, day):
            sent += await _remind(scope, tenant, user, day)
    return sent


async def send_morning_reminders(*, now: dt.datetime | None = None) -> int:
    """Every live workspace's reminders; a workspace that fails does not stop
    the others (the job fails afterwards, to be run again)."""
    moment = aware(now or dt.datetime.now(dt.UTC))
    sent = 0
    failed: list[uuid.UUID] = []
    after: uuid.UUID | None = None
    while True:
        query = (
            Tenant.select(
                Tenant.id,
                Tenant.slug,
                Tenant.company_name,
                Tenant.timezone,
                Tenant.locale,
            )
            .where(Tenant.status.is_in(list(LIVE_STATUSES)))
            .order_by(Tenant.id)
            .limit(TENANT_BATCH)
        )
        if after is not None:
            query = query.where(Tenant.id > after)
        tenants = await query
        for tenant in tenants:
            try:
                sent += await remind_workspace(tenant, moment)
            except Exception:
                log.exception("follow_up.reminder_failed", tenant_id=str(tenant["id"]))
                failed.append(tenant["id"])
        if len(tenants) < TENANT_BATCH:
            break
        after = tenants[-1]["id"]
    if failed:
        raise RuntimeError(f"reminders failed in {len(failed)} workspace(s)")
    return sent


# A slot run later than this (every worker was down) is run as of now.
LATE_SLOT = dt.timedelta(hours=1)


def _moment_of(context: JobContext, now: dt.datetime | None = None) -> dt.datetime:
    """The time the run is for: its slot, unless the slot is long past."""
    current = aware(now or dt.datetime.now(dt.UTC))
    try:
        slot = aware(dt.datetime.fromisoformat(str(context.args.get("slot", ""))))
    except ValueError:
        return current
    return slot if current - slot < LATE_SLOT else current


async def morning_reminder_job(context: JobContext) -> None:
    await send_morning_reminders(now=_moment_of(context))


MORNING_REMINDER = JobKind(
    name=REMINDER_KIND,
    handler=morning_reminder_job,
    periodic="*/15 * * * *",
    max_attempts=3,
    timeout=600.0,
    description="The morning e-mail of each user's due and overdue follow-ups (from 07:00).",
)
