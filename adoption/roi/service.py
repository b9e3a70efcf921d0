"""The ROI baseline (entered by a tenant admin, empty at signup) and what
Comptoir measures from its own timestamps, turned into the figures of
``calculator``.

Measured, over the last 90 days:
- producing a quote: the median minutes from a quote's creation to its
  sending (``quotes.created_at`` → ``sent_at``), and how many are sent per
  month (count * 30 / 90);
- the win rate: won ÷ (won + lost) opportunities closed in the window;
- handling a ticket, setting up a campaign: their modules do not exist yet,
  so they are "no data", never guessed; finding a customer's history is not
  timed by Comptoir either (it is one click on the record's timeline, which
  the baseline alone would claim).

The share of the volume handled in Comptoir is the measured monthly volume
divided by the baseline's monthly volume, at most 1."""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from comptoir.adoption.roi.calculator import RoiResult, TaskBaseline, roi
from comptoir.adoption.roi.tables import RoiBaseline
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ValidationFailed
from comptoir.tenants.opportunities.tables import Opportunity
from comptoir.tenants.quotes.tables import Quote

WINDOW_DAYS = 90
MAX_MONEY = Decimal("1000000000")
MAX_MINUTES = Decimal("100000")
MAX_COUNT = 10_000_000


def _(message: str) -> str:
    """Marks an English label for extraction; it is translated when shown."""
    return message


@dataclass(frozen=True)
class BaselineField:
    name: str
    label: str  # English msgid
    kind: str  # money, count, minutes, percent
    section: str  # English msgid


BASELINE_FIELDS = (
    BaselineField("subscription_monthly", _("Subscription per month (€)"), "money", _("Costs")),
    BaselineField("implementation_cost", _("Implementation cost (€, once)"), "money", _("Costs")),
    BaselineField("training_cost", _("Training cost (€, once)"), "money", _("Costs")),
    BaselineField("sales_staff", _("Sales staff"), "count", _("Staff")),
    BaselineField("sales_hourly_cost", _("Sales loaded hourly cost (€)"), "money", _("Staff")),
    BaselineField("marketing_staff", _("Marketing staff"), "count", _("Staff")),
    BaselineField(
        "marketing_hourly_cost", _("Marketing loaded hourly cost (€)"), "money", _("Staff")
    ),
    BaselineField("service_staff", _("After-sales staff"), "count", _("Staff")),
    BaselineField(
        "service_hourly_cost", _("After-sales loaded hourly cost (€)"), "money", _("Staff")
    ),
    BaselineField(
        "quote_minutes", _("Minutes to produce a quote"), "minutes", _("Before Comptoir")
    ),
    BaselineField("quotes_per_month", _("Quotes per month"), "count", _("Before Comptoir")),
    BaselineField(
        "ticket_minutes", _("Minutes to handle a ticket"), "minutes", _("Before Comptoir")
    ),
    BaselineField("tickets_per_month", _("Tickets per month"), "count", _("Before Comptoir")),
    BaselineField(
        "campaign_minutes", _("Minutes to set up a campaign"), "minutes", _("Before Comptoir")
    ),
    BaselineField("campaigns_per_month", _("Campaigns per month"), "count", _("Before Comptoir")),
    BaselineField(
        "history_minutes",
        _("Minutes to find a customer's history"),
        "minutes",
        _("Before Comptoir"),
    ),
    BaselineField(
        "history_lookups_per_month",
        _("History look-ups per month"),
        "count",
        _("Before Comptoir"),
    ),
    BaselineField("win_rate", _("Win rate (%)"), "percent", _("Before Comptoir")),
)
FIELD_NAMES = tuple(f.name for f in BASELINE_FIELDS)


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def clean_baseline(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every field's value (None when left empty), or ValidationFailed with
    one message per field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for spec in BASELINE_FIELDS:
        raw = values.get(spec.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned[spec.name] = None
            continue
        if isinstance(raw, bool):
            errors[spec.name] = "must be a number"
            continue
        if spec.kind == "count":
            number = _decimal(raw)
            if number is None or number != number.to_integral_value():
                errors[spec.name] = "must be a whole number"
            elif not 0 <= number <= MAX_COUNT:
                errors[spec.name] = f"must be from 0 to {MAX_COUNT}"
            else:
                cleaned[spec.name] = int(number)
            continue
        number = _decimal(raw)
        limit = {"money": MAX_MONEY, "minutes": MAX_MINUTES, "percent": Decimal(100)}[spec.kind]
        if number is None:
            errors[spec.name] = "must be a number"
        elif not 0 <= number <= limit:
            errors[spec.name] = f"must be from 0 to {limit}"
        elif number != number.quantize(Decimal("0.01")):
            errors[spec.name] = "may have at most 2 decimals"
        else:
            cleaned[spec.name] = number
    if errors:
        raise ValidationFailed(errors)
    return cleaned


async def provision_baseline(scope: TenantScope, tenant: Tenant, admin: User) -> tuple[str, str]:
    """Signup: an empty baseline, to be entered by an admin."""
    await scope.insert(RoiBaseline())
    return "roi", "empty baseline"


async def _baseline(scope: TenantScope) -> RoiBaseline | None:
    return await scope.objects(RoiBaseline).first()


async def get_baseline(tenant_id: uuid.UUID) -> RoiBaseline:
    """The tenant's baseline; an empty one (unsaved) for a workspace made
    before this feature."""
    async with tenant_scope(tenant_id) as scope:
        found = await _baseline(scope)
    return found if found is not None else RoiBaseline()


async def save_baseline(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> RoiBaseline:
    """Replace the whole baseline (a field left out is emptied)."""
    cleaned = clean_baseline(values)
    now = dt.datetime.now(dt.UTC)
    async with tenant_scope(tenant_id) as scope:
        baseline = await _baseline(scope)
        if baseline is None:
            baseline = RoiBaseline()
            await scope.insert(baseline)
        before = {name: getattr(baseline, name) for name in FIELD_NAMES}
        for name, value in cleaned.items():
            setattr(baseline, name, value)
        baseline.entered_at = baseline.entered_at or now
        baseline.updated_at = now
        baseline.updated_by = actor.id
        await scope.save(baseline)
        await audit.record(
            scope,
            actor,
            "roi.baseline",
            object_type="roi_baseline",
            object_id=baseline.id,
            changes={
                name: [before[name], cleaned[name]]
                for name in FIELD_NAMES
                if _decimal(before[name]) != _decimal(cleaned[name])
            },
        )
        return baseline


# --- Measured ----------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    since: dt.datetime
    quote_minutes: Decimal | None
    quotes_sent: int
    quotes_per_month: Decimal
    win_rate: Decimal | None  # percent
    deals_closed: int


def _aware(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


async def measure(tenant_id: uuid.UUID, *, now: dt.datetime | None = None) -> Measured:
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=WINDOW_DAYS)
    async with tenant_scope(tenant_id) as scope:
        everyone = scope.unrestricted()
        quotes = await (
            everyone.select(Quote, Quote.created_at, Quote.sent_at)
            .where(Quote.sent_at.is_not_null())
            .where(Quote.sent_at >= since)
        )
        won = await everyone.count(Opportunity).where(
            (Opportunity.status == "won") & (Opportunity.closed_at >= since)
        )
        lost = await everyone.count(Opportunity).where(
            (Opportunity.status == "lost") & (Opportunity.closed_at >= since)
        )
    minutes = [
        max(0.0, (_aware(q["sent_at"]) - _aware(q["created_at"])).total_seconds() / 60)
        for q in quotes
    ]
    median = Decimal(str(statistics.median(minutes))).quantize(Decimal("0.01")) if minutes else None
    closed = won + lost
    return Measured(
        since=since,
        quote_minutes=median,
        quotes_sent=len(quotes),
        quotes_per_month=(Decimal(len(quotes)) * 30 / WINDOW_DAYS).quantize(Decimal("0.01")),
        win_rate=(Decimal(won) * 100 / closed).quantize(Decimal("0.1")) if closed else None,
        deals_closed=closed,
    )


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def tasks_of(baseline: RoiBaseline, measured: Measured) -> list[TaskBaseline]:
    return [
        TaskBaseline(
            key="quote",
            module="sales",
            label=_("Producing a quote"),
            baseline_minutes=_money(baseline.quote_minutes),
            baseline_volume=baseline.quotes_per_month,
            hourly_cost=_money(baseline.sales_hourly_cost),
            measured_minutes=measured.quote_minutes,
            measured_volume=measured.quotes_per_month if measured.quotes_sent else None,
            unmeasured_reason=""
            if measured.quotes_sent
            else _("No quote was sent in the last 90 days."),
        ),
        TaskBaseline(
            key="history",
            module="sales",
            label=_("Finding a customer's history"),
            baseline_minutes=_money(baseline.history_minutes),
            baseline_volume=baseline.history_lookups_per_month,
            hourly_cost=_money(baseline.sales_hourly_cost),
            measured_minutes=None,
            measured_volume=None,
            unmeasured_reason=_("Comptoir does not time how long a look-up takes."),
        ),
        TaskBaseline(
            key="ticket",
            module="service",
            label=_("Handling a ticket"),
            baseline_minutes=_money(baseline.ticket_minutes),
            baseline_volume=baseline.tickets_per_month,
            hourly_cost=_money(baseline.service_hourly_cost),
            measured_minutes=None,
            measured_volume=None,
            unmeasured_reason=_("The after-sales module has no measured data yet."),
        ),
        TaskBaseline(
            key="campaign",
            module="marketing",
            label=_("Setting up a campaign"),
            baseline_minutes=_money(baseline.campaign_minutes),
            baseline_volume=baseline.campaigns_per_month,
            hourly_cost=_money(baseline.marketing_hourly_cost),
            measured_minutes=None,
            measured_volume=None,
            unmeasured_reason=_("The marketing module has no measured data yet."),
        ),
    ]


@dataclass(frozen=True)
class RoiReport:
    baseline: RoiBaseline
    measured: Measured
    tasks: list[TaskBaseline]
    result: RoiResult | None  # None until a baseline is entered

    @property
    def entered(self) -> bool:
        return self.baseline.entered_at is not None


async def roi_report(tenant_id: uuid.UUID, *, now: dt.datetime | None = None) -> RoiReport:
    baseline = await get_baseline(tenant_id)
    measured = await measure(tenant_id, now=now)
    tasks = tasks_of(baseline, measured)
    result = None
    if baseline.entered_at is not None:
        result = roi(
            tasks,
            monthly_cost=_money(baseline.subscription_monthly) or Decimal(0),
            one_off_cost=(_money(baseline.implementation_cost) or Decimal(0))
            + (_money(baseline.training_cost) or Decimal(0)),
        )
    return RoiReport(baseline, measured, tasks, result)
