"""Each user's follow-up settings: the morning reminder e-mail and the secret
of their calendar subscription. A user changes only their own; the row is
made on first use."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.credentials import digest, new_secret
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.settings import get_settings
from comptoir.tenants.activities.tables import FollowUpSettings

TOKEN_BYTES = 32
FINGERPRINT = 8
LIVE_STATUSES = ("trial", "active")


async def settings_of(scope: TenantScope, user_id: uuid.UUID) -> FollowUpSettings:
    """The user's settings row, made with the defaults when missing."""
    found = await scope.objects(FollowUpSettings).where(FollowUpSettings.user_id == user_id).first()
    if found is not None:
        return found
    return await scope.insert(FollowUpSettings(user_id=user_id))


@dataclass(frozen=True)
class FollowUpPreferences:
    reminder_emails: bool
    calendar_feed: bool
    calendar_fingerprint: str = ""


def _shown(row: FollowUpSettings | None) -> FollowUpPreferences:
    if row is None:
        return FollowUpPreferences(reminder_emails=True, calendar_feed=False)
    return FollowUpPreferences(
        reminder_emails=bool(row.reminder_emails),
        calendar_feed=bool(row.calendar_token_hash),
        calendar_fingerprint=row.calendar_token_prefix if row.calendar_token_hash else "",
    )


async def read_preferences(tenant_id: uuid.UUID, user_id: uuid.UUID) -> FollowUpPreferences:
    async with tenant_scope(tenant_id) as scope:
        row = (
            await scope.objects(FollowUpSettings).where(FollowUpSettings.user_id == user_id).first()
        )
    return _shown(row)


async def set_reminder_emails(
    tenant_id: uuid.UUID, user_id: uuid.UUID, wanted: bool, *, actor: Actor
) -> FollowUpPreferences:
    async with tenant_scope(tenant_id) as scope:
        row = await settings_of(scope, user_id)
        if bool(row.reminder_emails) != wanted:
            row.reminder_emails = wanted
            await scope.save(row, columns=[FollowUpSettings.reminder_emails])
            await audit.record(
                scope,
                actor,
                "follow_up_settings.update",
                object_type="user",
                object_id=user_id,
                changes={"reminder_emails": [not wanted, wanted]},
            )
        return _shown(row)


def feed_url(tenant_slug: str, token: str) -> str:
    return f"{get_settings().base_url}/calendar/{tenant_slug}/{token}.ics"


async def rotate_calendar_token(tenant: Tenant, user_id: uuid.UUID, *, actor: Actor) -> str:
    """A new subscription URL for the user's calendar; the old one stops
    working. The URL is returned once: only the secret's hash is kept."""
    token = new_secret(TOKEN_BYTES)
    async with tenant_scope(tenant.id) as scope:
        row = await settings_of(scope, user_id)
        row.calendar_token_hash = digest(token)
        # What the settings page shows to tell addresses apart: a piece of the
        # hash, never of the secret.
        row.calendar_token_prefix = row.calendar_token_hash[:FINGERPRINT]
        await scope.save(
            row,
            columns=[FollowUpSettings.calendar_token_hash, FollowUpSettings.calendar_token_prefix],
        )
        await audit.record(
            scope, actor, "calendar_feed.rotate", object_type="user", object_id=user_id
        )
    return feed_url(tenant.slug, token)


async def turn_off_calendar(tenant_id: uuid.UUID, user_id: uuid.UUID, *, actor: Actor) -> None:
    async with tenant_scope(tenant_id) as scope:
        row = (
            await scope.objects(FollowUpSettings).where(FollowUpSettings.user_id == user_id).first()
        )
        if row is None or not row.calendar_token_hash:
            return
        row.calendar_token_hash = ""
        row.calendar_token_prefix = ""
        await scope.save(
            row,
            columns=[FollowUpSettings.calendar_token_hash, FollowUpSettings.calendar_token_prefix],
        )
        await audit.record(
            scope, actor, "calendar_feed.delete", object_type="user", object_id=user_id
        )


@dataclass(frozen=True)
class FeedOwner:
    tenant: Tenant
    user: User


async def feed_owner(slug: str, token: str) -> FeedOwner | None:
    """Whose calendar a subscription URL opens: an active user of a live
    workspace whose current secret it is; None for anything else."""
    if not token or len(token) > 200:
        return None
    tenant = await tenant_by_slug(slug)
    if tenant is None or tenant.status not in LIVE_STATUSES:
        return None
    wanted = digest(token)
    async with tenant_scope(tenant.id) as scope:
        row = await (
            scope.objects(FollowUpSettings)
            .where(FollowUpSettings.calendar_token_hash == wanted)
            .first()
        )
        if row is None or not hmac.compare_digest(row.calendar_token_hash, wanted):
            return None
        user = await scope.find(User, row.user_id)
    if user is None or user.status != "active":
        return None
    return FeedOwner(tenant=tenant, user=user)
