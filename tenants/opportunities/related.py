"""What other records' pages show of the pipeline: an account's or contact's
opportunities (its panel), the moves of its deals (its history), and the
names of the accounts and contacts opportunities link to."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.features import TimelineEntry
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities.service import money
from comptoir.tenants.opportunities.stages import all_stages
from comptoir.tenants.opportunities.tables import (
    Opportunity,
    OpportunityStageChange,
)

PANEL_SIZE = 10
# How many of an account's (or contact's) opportunities its history looks at.
HISTORY_DEALS = 200

SUBJECT_COLUMNS = {"account": Opportunity.account_id, "contact": Opportunity.contact_id}
PANEL_COLUMNS = (
    Opportunity.id,
    Opportunity.name,
    Opportunity.amount,
    Opportunity.status,
    Opportunity.stage_id,
    Opportunity.probability,
    Opportunity.expected_close_date,
)


async def opportunities_of(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID | str
) -> list[dict[str, Any]]:
    """An account's or contact's opportunities for its page: the open ones
    first (soonest close first), then the closed ones (latest first), 10 at
    most; each with its stage's name as ``stage_name``."""
    column = SUBJECT_COLUMNS.get(subject)
    if column is None:
        return []
    async with tenant_scope(tenant_id) as scope:
        opened = await (
            scope.select(Opportunity, *PANEL_COLUMNS)
            .where(column == subject_id)
            .where(Opportunity.status == "open")
            .order_by(Opportunity.expected_close_date)
            .order_by(Opportunity.id)
            .limit(PANEL_SIZE)
        )
        closed = (
            []
            if len(opened) >= PANEL_SIZE
            else await scope.select(Opportunity, *PANEL_COLUMNS)
            .where(column == subject_id)
            .where(Opportunity.status != "open")
            .order_by(Opportunity.updated_at, ascending=False)
            .limit(PANEL_SIZE - len(opened))
        )
        names = {s.id: s.name for s in await all_stages(scope)} if opened or closed else {}
    rows = [*opened, *closed]
    return [
        {**row, "amount": money(row["amount"]), "stage_name": names.get(row["stage_id"], "")}
        for row in rows
    ]


def _history_title(
    change: Mapping[str, Any], stage_names: Mapping[Any, str], deal: str | None
) -> str:
    stage = stage_names.get(change["to_stage_id"], "—")
    if change["from_status"] == "" and change["from_stage_id"] is None:
        title = _("Opportunity created in %(stage)s") % {"stage": stage}
    elif change["to_status"] == "won" and change["from_status"] != "won":
        title = _("Opportunity won")
    elif change["to_status"] == "lost" and change["from_status"] != "lost":
        title = _("Opportunity lost")
    else:
        title = _("Moved to %(stage)s") % {"stage": stage}
    return f"{deal} · {title}" if deal else title


async def stage_history(
    tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID, limit: int
) -> Sequence[TimelineEntry]:
    """The moves of an opportunity (or of an account's or contact's
    opportunities), newest first, ``limit`` at most."""
    if limit <= 0 or subject not in ("opportunity", "account", "contact"):
        return []
    async with tenant_scope(tenant_id) as scope:
        if subject == "opportunity":
            deal = await scope.find(Opportunity, subject_id)
            deals = {deal.id: None} if deal else {}
        else:
            rows = await (
                scope.select(Opportunity, Opportunity.id, Opportunity.name)
                .where(SUBJECT_COLUMNS[subject] == subject_id)
                .order_by(Opportunity.id, ascending=False)
                .limit(HISTORY_DEALS)
            )
            deals = {row["id"]: row["name"] for row in rows}
        if not deals:
            return []
        changes = await (
            scope.select(OpportunityStageChange)
            .where(OpportunityStageChange.opportunity_id.is_in(list(deals)))
            .order_by(OpportunityStageChange.id, ascending=False)
            .limit(limit)
        )
        stage_names = {s.id: s.name for s in await all_stages(scope)}
    return [
        TimelineEntry(
            at=change["changed_at"]
            if change["changed_at"].tzinfo
            else change["changed_at"].replace(tzinfo=dt.UTC),
            kind="opportunity",
            title=_history_title(change, stage_names, deals.get(change["opportunity_id"])),
            actor_id=change["changed_by"],
            link=f"/opportunities/{change['opportunity_id']}",
        )
        for change in changes
    ]


@dataclass(frozen=True)
class LinkNames:
    """{id: name} of the accounts and contacts some opportunities link to."""

    accounts: dict[str, str]
    contacts: dict[str, str]


def _ids_of(rows: Sequence[Any], name: str) -> list[uuid.UUID]:
    found = set()
    for row in rows:
        value = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
        if value:
            found.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    return sorted(found)


async def link_names(tenant_id: uuid.UUID, rows: Sequence[Any]) -> LinkNames:
    """The names of the accounts and contacts of these rows (dicts or
    opportunities) the viewer may see: one query per kind that appears."""
    accounts: dict[str, str] = {}
    contacts: dict[str, str] = {}
    async with tenant_scope(tenant_id) as scope:
        if wanted := _ids_of(rows, "account_id"):
            for row in await scope.select(Account, Account.id, Account.name).where(
                Account.id.is_in(wanted)
            ):
                accounts[str(row["id"])] = row["name"]
        if wanted := _ids_of(rows, "contact_id"):
            for row in await scope.select(
                Contact, Contact.id, Contact.first_name, Contact.last_name, Contact.email
            ).where(Contact.id.is_in(wanted)):
                name = f"{row['first_name']} {row['last_name']}".strip()
                contacts[str(row["id"])] = name or row["email"] or "—"
    return LinkNames(accounts, contacts)
