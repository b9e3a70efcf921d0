"""The figures on a workspace's home page, read in one tenant transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from comptoir.platform.auth.tables import User
from comptoir.platform.counters import service as counters
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.ids import id_floor
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.users.tables import Invitation

RECENT_CONTACTS = 6
# "1,000+ this week" is as precise as the home page needs to be.
WEEK_CAP = 1000


@dataclass(frozen=True)
class HomeFigures:
    contacts: int
    my_contacts: int
    contacts_this_week: int
    active_users: int
    pending_invitations: int
    recent_contacts: list[Contact]
    trial_days_left: int | None


def trial_days_left(tenant: Tenant, now: dt.datetime | None = None) -> int | None:
    """Whole days left in the trial (0 on its last day), or None outside a trial."""
    if tenant.status != "trial" or tenant.trial_ends_at is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    ends = tenant.trial_ends_at
    if ends.tzinfo is None:
        ends = ends.replace(tzinfo=dt.UTC)
    seconds = (ends - now).total_seconds()
    return max(0, int(-(-seconds // 86400)))  # ceiling


async def home_figures(tenant: Tenant, user_id: uuid.UUID) -> HomeFigures:
    """The home page's figures without a COUNT(*) over a big table: totals
    from the maintained record counts, the week's new contacts counted up to
    a cap through the id index (ids are UUIDv7, ordered by creation)."""
    now = dt.datetime.now(dt.UTC)
    async with tenant_scope(tenant.id) as scope:
        contacts = await counters.visible_count(scope, "contacts")
        mine = await counters.owned_count(scope, "contacts", user_id)
        since = id_floor(now - dt.timedelta(days=7))
        this_week = len(
            await scope.select(Contact, Contact.id).where(Contact.id >= since).limit(WEEK_CAP + 1)
        )
        users = await scope.count(User).where(User.status == "active")
        invitations = (
            await scope.count(Invitation)
            .where(Invitation.accepted_at.is_null())
            .where(Invitation.revoked_at.is_null())
            .where(Invitation.expires_at > now)
        )
        recent = await (
            scope.objects(Contact)
            .where(Contact.owner_id == user_id)
            .order_by(Contact.updated_at, ascending=False)
            .limit(RECENT_CONTACTS)
        )
    return HomeFigures(
        contacts=contacts,
        my_contacts=mine,
        contacts_this_week=this_week,
        active_users=users,
        pending_invitations=invitations,
        recent_contacts=list(recent),
        trial_days_left=trial_days_left(tenant, now),
    )
