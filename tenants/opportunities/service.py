"""Opportunities: named actions over the shared record rules, their moves
between stages (status, won and lost dates, the lost reason, the stage
history and its events), and the reads the pipeline's pages need: the
totals of each column and the forecast, each one grouped SQL query.

The status is derived from the stage: a won stage makes the deal won (today),
a lost stage lost (with an active reason of the tenant), any other stage open
again (the won and lost fields cleared)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from comptoir.platform import events
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.db.search import like_pattern
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import TimelineEntry
from comptoir.platform.i18n import gettext as _
from comptoir.platform.records import RecordKind, create_record, delete_record, update_record
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities.schemas import (
    ForecastMonth,
    ForecastOut,
    OpportunityFields,
    OpportunityOut,
    StageChangeOut,
)
from comptoir.tenants.opportunities.stages import all_stages, stage_kind
from comptoir.tenants.opportunities.tables import (
    LostReason,
    Opportunity,
    OpportunityStageChange,
    PipelineStage,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # numeric(14, 2)
FORECAST_MONTHS = 12
PANEL_SIZE = 10
# How many of an account's (or contact's) opportunities its history looks at.
HISTORY_DEALS = 200
DEFAULT_TZ = "Europe/Paris"


def money(value: Any) -> Decimal:
    """A sum as the database returns it (Decimal, or a float on SQLite), to the cent."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def local_today(timezone: str | None = None) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone or DEFAULT_TZ)).date()


async def _check(scope: TenantScope, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not str(values.get("name") or "").strip():
        errors["name"] = "an opportunity needs a name"
    amount = values.get("amount")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        errors["amount"] = "must be an amount in euros, e.g. 1234.50"
    elif amount < 0 or amount > MAX_AMOUNT:
        errors["amount"] = f"must be between 0 and {MAX_AMOUNT}"
    everyone = scope.unrestricted()
    links = {
        "account_id": (Account, "must be the id of an account of this workspace"),
        "contact_id": (Contact, "must be the id of a contact of this workspace"),
    }
    for name, (table, message) in links.items():
        if values.get(name) is not None and await everyone.find(table, values[name]) is None:
            errors[name] = message
    return errors


OPPORTUNITIES: RecordKind[Opportunity] = RecordKind(
    name="opportunity",
    plural="opportunities",
    table=Opportunity,
    fields=OpportunityFields,
    searched=("name",),
    check=_check,
)

OPPORTUNITY_LIST = ListSpec(
    table=Opportunity,
    columns=[*OpportunityOut.__struct_fields__],
    sorts={
        "created_at": ("id",),
        "updated_at": ("updated_at",),
        "name": ("name",),
        "amount": ("amount",),
        "expected_close_date": ("expected_close_date",),
    },
    filters={
        "stage_id": "stage_id",
        "status": "status",
        "owner_id": "owner_id",
        "account_id": "account_id",
        "contact_id": "contact_id",
    },
    search_function="opportunities_search_ids",
    search_page_function="opportunities_search_page",
)

STAGE_CHANGE_LIST = ListSpec(
    table=OpportunityStageChange,
    columns=[*StageChangeOut.__struct_fields__],
    sorts={"created_at": ("id",)},
    search_column=None,
)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if isinstance(cleaned.get("name"), str):
        cleaned["name"] = cleaned["name"].strip()
    amount = cleaned.get("amount")
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        amount = Decimal(str(amount))
    if isinstance(amount, Decimal) and amount.is_finite():
        cleaned["amount"] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return cleaned


@dataclass(frozen=True)
class Move:
    """What a write does to an opportunity's place in the pipeline."""

    values: dict[str, Any]  # the values to write, the derived ones included
    stage: PipelineStage
    from_stage_id: uuid.UUID | None
    from_status: str

    @property
    def status(self) -> str:
        return str(self.values.get("status", self.from_status))

    def changed(self) -> bool:
        return self.stage.id != self.from_stage_id or self.status != self.from_status


async def _first_open_stage(scope: TenantScope) -> PipelineStage | None:
    stages = await all_stages(scope)
    return next((s for s in stages if s.retired_at is None and stage_kind(s) == "open"), None)


async def _placed(
    scope: TenantScope, current: Opportunity | None, values: Mapping[str, Any], today: dt.date
) -> Move:
    """The stage, status, probability, won and lost fields after this write;
    422 naming ``stage_id`` or ``lost_reason_id`` when the move is not allowed."""
    given = dict(values)
    from_stage = current.stage_id if current else None
    from_status = current.status if current else ""
    wanted = given.get("stage_id") or from_stage
    stage = await scope.find(PipelineStage, wanted) if wanted else await _first_open_stage(scope)
    if stage is None:
        message = "must be a stage of this pipeline" if wanted else "the pipeline has no open stage"
        raise ValidationFailed({"stage_id": message})
    given["stage_id"] = stage.id
    moved = stage.id != from_stage
    if moved and stage.retired_at is not None:
        raise ValidationFailed({"stage_id": "is retired: it takes no new opportunity"})
    status = stage_kind(stage)
    given["status"] = status
    if given.get("probability") is None:
        # Left empty (or not sent, on a move): the stage's own probability.
        if moved or "probability" in given:
            given["probability"] = stage.probability
        else:
            given.pop("probability", None)
    if status == "lost":
        reason_id = given.get("lost_reason_id")
        if "lost_reason_id" not in given and current is not None and current.status == "lost":
            reason_id = current.lost_reason_id
        reason = await scope.find(LostReason, reason_id) if reason_id else None
        keeps = current is not None and reason is not None and reason.id == current.lost_reason_id
        if reason is None or (reason.retired_at is not None and not keeps):
            raise ValidationFailed(
                {"lost_reason_id": "a lost opportunity needs one of the workspace's lost reasons"}
            )
        given["lost_reason_id"] = reason.id
    elif given.get("lost_reason_id") is not None:
        raise ValidationFailed({"lost_reason_id": "only a lost opportunity has a lost reason"})
    else:
        given["lost_reason_id"] = None
    if status != from_status:
        given["won_at"] = today if status == "won" else None
        given["closed_at"] = dt.datetime.now(dt.UTC) if status != "open" else None
    return Move(given, stage, from_stage, from_status)


async def _place(
    scope: TenantScope, current: Opportunity | None, values: Mapping[str, Any], today: dt.date
) -> Move:
    """``_placed``, but a refused move is told with the record's other
    problems (an unknown account…), every field at once."""
    try:
        return await _placed(scope, current, values, today)
    except ValidationFailed as refused:
        merged = {
            "name": current.name if current else "",
            "amount": current.amount if current else Decimal("0"),
            "account_id": current.account_id if current else None,
            "contact_id": current.contact_id if current else None,
            **values,
        }
        raise ValidationFailed({**await _check(scope, merged), **refused.errors}) from refused


async def _record_move(
    scope: TenantScope, opportunity: Opportunity, move: Move, actor: Actor
) -> None:
    """The stage history row and the events of a move (or of a creation)."""
    change = OpportunityStageChange(
        opportunity_id=opportunity.id,
        from_stage_id=move.from_stage_id,
        to_stage_id=move.stage.id,
        from_status=move.from_status,
        to_status=move.status,
        changed_by=actor.id if actor.kind == "user" else None,
        changed_at=dt.datetime.now(dt.UTC),
    )
    await scope.insert(change)
    names = []
    if move.from_stage_id is not None and move.stage.id != move.from_stage_id:
        names.append("opportunity.stage_changed")
    if move.status != move.from_status and move.status in ("won", "lost"):
        names.append(f"opportunity.{move.status}")
    if not names:
        return
    previous = await scope.find(PipelineStage, move.from_stage_id) if move.from_stage_id else None
    data = {
        "from": previous.key if previous else None,
        "to": move.stage.key,
        "from_status": move.from_status,
        "to_status": move.status,
        "amount": str(opportunity.amount),
    }
    for name in names:
        events.emit(
            events.DomainEvent(
                name=name,
                tenant_id=scope.tenant_id,
                actor_id=actor.id,
                actor_role=actor.role,
                object_type="opportunity",
                object_id=str(opportunity.id),
                module="sales",
                data=data,
            )
        )


async def create_opportunity(
    tenant_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    async with tenant_scope(tenant_id) as scope:
        move = await _place(scope, None, _clean(values), today or local_today())
        opportunity = await create_record(scope, OPPORTUNITIES, move.values, actor=actor)
        await _record_move(scope, opportunity, move, actor)
        return _in_cents(opportunity)


async def update_opportunity(
    tenant_id: uuid.UUID,
    opportunity_id: uuid.UUID | str,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    """Change the fields sent; a new ``stage_id`` is a move like ``move_opportunity``."""
    async with tenant_scope(tenant_id) as scope:
        current = await scope.get(Opportunity, opportunity_id)
        cleaned = _clean(values)
        placed = {"stage_id", "lost_reason_id", "probability"} & set(cleaned)
        if not placed:
            changed = await update_record(scope, OPPORTUNITIES, current.id, cleaned, actor=actor)
            return _in_cents(changed)
        move = await _place(scope, current, cleaned, today or local_today())
        opportunity = await update_record(
            scope, OPPORTUNITIES, current.id, move.values, actor=actor
        )
        if move.changed():
            await _record_move(scope, opportunity, move, actor)
        return _in_cents(opportunity)


async def move_opportunity(
    tenant_id: uuid.UUID,
    opportunity_id: uuid.UUID | str,
    stage_id: uuid.UUID | str,
    *,
    lost_reason_id: uuid.UUID | str | None = None,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    """Put an opportunity on a stage (a lost one needs ``lost_reason_id``)."""
    values: dict[str, Any] = {"stage_id": stage_id}
    if lost_reason_id:
        values["lost_reason_id"] = lost_reason_id
    async with tenant_scope(tenant_id) as scope:
        current = await scope.get(Opportunity, opportunity_id)
        if str(current.stage_id) == str(stage_id) and not lost_reason_id:
            return _in_cents(current)
        return await update_opportunity(tenant_id, current.id, values, actor=actor, today=today)


async def win_opportunity(
    tenant_id: uuid.UUID,
    opportunity_id: uuid.UUID | str,
    *,
    actor: Actor,
    today: dt.date | None = None,
) -> Opportunity:
    """Move an opportunity to the tenant's first active won stage (an
    accepted quote wins its deal); one already won is left as it is."""
    async with tenant_scope(tenant_id) as scope:
        opportunity = await scope.get(Opportunity, opportunity_id)
        if opportunity.status == "won":
            return _in_cents(opportunity)
        stages = await all_stages(scope)
        won = next((s for s in stages if s.is_won and s.retired_at is None), None)
        if won is None:
            raise ValidationFailed({"stage_id": "the pipeline has no active won stage"})
        return await update_opportunity(
            tenant_id, opportunity.id, {"stage_id": won.id}, actor=actor, today=today
        )


async def delete_opportunity(
    tenant_id: uuid.UUID, opportunity_id: uuid.UUID | str, *, actor: Actor
) -> None:
    """Delete an opportunity and its stage history; its activities stay, unlinked."""
    from comptoir.tenants.activities.tables import Activity

    async with tenant_scope(tenant_id) as scope:
        opportunity = await delete_record(scope, OPPORTUNITIES, opportunity_id, actor=actor)
        everyone = scope.unrestricted()
        await everyone.delete(OpportunityStageChange).where(
            OpportunityStageChange.opportunity_id == opportunity.id
        )
        await everyone.update(Activity, {Activity.opportunity_id: None}).where(
            Activity.opportunity_id == opportunity.id
        )


def _in_cents(opportunity: Opportunity) -> Opportunity:
    """Amounts always have their cents ("400.00"; SQLite hands back 400)."""
    opportunity.amount = money(opportunity.amount)
    return opportunity


async def get_opportunity(tenant_id: uuid.UUID, opportunity_id: uuid.UUID | str) -> Opportunity:
    async with tenant_scope(tenant_id) as scope:
        return _in_cents(await scope.get(Opportunity, opportunity_id))


async def list_opportunities(
    tenant_id: uuid.UUID, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    async with tenant_scope(tenant_id) as scope:
        found = await list_page(scope, OPPORTUNITY_LIST, query, limit=limit)
    for row in found.items:
        row["amount"] = money(row["amount"])
    return found


async def stage_changes(
    tenant_id: uuid.UUID, opportunity_id: uuid.UUID | str, query: ListQuery
) -> Page[dict[str, Any]]:
    """An opportunity's moves, newest first (404 for an opportunity not seen)."""
    async with tenant_scope(tenant_id) as scope:
        opportunity = await scope.get(Opportunity, opportunity_id)
        return await list_page(
            scope,
            STAGE_CHANGE_LIST,
            query,
            where=[OpportunityStageChange.opportunity_id == opportunity.id],
        )


# ---- figures ------------------------------------------------------------------------


def _visible(scope: TenantScope, args: list[Any]) -> str:
    """The viewer's visibility as SQL for a raw query (its values go to ``args``)."""
    owners = scope.visible_owner_ids()
    if owners is None:
        return ""
    if not owners:
        return " AND FALSE"
    args.extend(sorted(owners))
    return f" AND owner_id IN ({', '.join('{}' for _ in owners)})"


def _searched(q: str | None, args: list[Any]) -> str:
    if not q or not q.strip():
        return ""
    args.append(like_pattern(q))
    if is_postgres(get_engine()):
        return " AND id = ANY(ARRAY(SELECT opportunities_search_ids({})))"
    return " AND search_text LIKE {} ESCAPE '\\'"


@dataclass(frozen=True)
class StageTotals:
    count: int
    amount: Decimal
    weighted: Decimal


async def stage_totals(
    tenant_id: uuid.UUID, *, owner_id: uuid.UUID | None = None, q: str | None = None
) -> dict[str, StageTotals]:
    """{stage id: count, total and weighted amount} of the opportunities the
    viewer sees (one grouped query)."""
    async with tenant_scope(tenant_id) as scope:
        args: list[Any] = [scope.tenant_id]
        sql = (
            "SELECT stage_id, COUNT(*) AS n, SUM(amount) AS amount, "
            "SUM(amount * probability) AS weighted FROM opportunities WHERE tenant_id = {}"
        )
        sql += _visible(scope, args)
        if owner_id is not None:
            sql += " AND owner_id = {}"
            args.append(owner_id)
        sql += _searched(q, args)
        rows = await scope.raw(Opportunity, sql + " GROUP BY stage_id", *args)
    return {
        str(row["stage_id"]): StageTotals(
            count=int(row["n"]),
            amount=money(row["amount"]),
            weighted=money(Decimal(str(row["weighted"] or 0)) / 100),
        )
        for row in rows
    }


def _month_start(day: dt.date, months_later: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months_later
    return dt.date(index // 12, index % 12 + 1, 1)


async def forecast(
    tenant_id: uuid.UUID, *, today: dt.date | None = None, owner_id: uuid.UUID | None = None
) -> ForecastOut:
    """Open opportunities by month of expected close, this month and the next
    eleven: their amount and weighted amount (amount * probability, summed,
    then rounded half-up to the cent). One grouped query."""
    first = _month_start(today or local_today())
    end = _month_start(first, FORECAST_MONTHS)
    month = (
        "to_char(expected_close_date, 'YYYY-MM')"
        if is_postgres(get_engine())
        else "strftime('%Y-%m', expected_close_date)"
    )
    async with tenant_scope(tenant_id) as scope:
        args: list[Any] = [scope.tenant_id, first, end]
        sql = (
            f"SELECT {month} AS month, COUNT(*) AS n, SUM(amount) AS amount, "
            "SUM(amount * probability) AS weighted FROM opportunities "
            "WHERE tenant_id = {} AND status = 'open' "
            "AND expected_close_date >= {} AND expected_close_date < {}"
        )
        sql += _visible(scope, args)
        if owner_id is not None:
            sql += " AND owner_id = {}"
            args.append(owner_id)
        rows = await scope.raw(Opportunity, sql + f" GROUP BY {month}", *args)
    found = {str(row["month"]): row for row in rows}
    months = []
    for n in range(FORECAST_MONTHS):
        key = _month_start(first, n).strftime("%Y-%m")
        row = found.get(key)
        months.append(
            ForecastMonth(
                month=key,
                count=int(row["n"]) if row else 0,
                amount=money(row["amount"] if row else 0),
                weighted=money(Decimal(str(row["weighted"] or 0)) / 100 if row else 0),
            )
        )
    return ForecastOut(
        months=months,
        total_amount=sum((m.amount for m in months), Decimal("0.00")),
        total_weighted=sum((m.weighted for m in months), Decimal("0.00")),
    )


# ---- other records' pages -----------------------------------------------------------

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
