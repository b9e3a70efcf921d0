"""The ROI API's payloads. Money is a decimal string in euros."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

# Sent as a decimal string ("45.50") or a number; checked field by field (422).
Figure = Annotated[str | int | float | None, Meta(title="Figure")]


class BaselineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    subscription_monthly: Figure = None
    implementation_cost: Figure = None
    training_cost: Figure = None
    sales_staff: Figure = None
    sales_hourly_cost: Figure = None
    marketing_staff: Figure = None
    marketing_hourly_cost: Figure = None
    service_staff: Figure = None
    service_hourly_cost: Figure = None
    quote_minutes: Figure = None
    quotes_per_month: Figure = None
    ticket_minutes: Figure = None
    tickets_per_month: Figure = None
    campaign_minutes: Figure = None
    campaigns_per_month: Figure = None
    history_minutes: Figure = None
    history_lookups_per_month: Figure = None
    win_rate: Figure = None


class BaselineOut(msgspec.Struct, kw_only=True):
    entered: bool
    entered_at: dt.datetime | None
    subscription_monthly: Decimal | None
    implementation_cost: Decimal | None
    training_cost: Decimal | None
    sales_staff: int | None
    sales_hourly_cost: Decimal | None
    marketing_staff: int | None
    marketing_hourly_cost: Decimal | None
    service_staff: int | None
    service_hourly_cost: Decimal | None
    quote_minutes: Decimal | None
    quotes_per_month: int | None
    ticket_minutes: Decimal | None
    tickets_per_month: int | None
    campaign_minutes: Decimal | None
    campaigns_per_month: int | None
    history_minutes: Decimal | None
    history_lookups_per_month: int | None
    win_rate: Decimal | None


class MeasuredOut(msgspec.Struct, kw_only=True):
    since: dt.datetime
    quote_minutes: Decimal | None  # median, creation to sending
    quotes_sent: int
    quotes_per_month: Decimal
    win_rate: Decimal | None  # percent of deals closed in the window
    deals_closed: int
    ticket_minutes: None = None  # no after-sales data yet
    campaign_minutes: None = None  # no marketing data yet
    history_minutes: None = None  # not timed


class TaskOut(msgspec.Struct, kw_only=True):
    key: str
    label: str
    status: str  # measured, no_data, no_baseline
    reason: str  # why there is no measured figure
    baseline_minutes: Decimal | None
    measured_minutes: Decimal | None
    baseline_volume: int | None
    measured_volume: Decimal | None
    share: Decimal | None
    hours_saved: Decimal | None
    benefit: Decimal | None


class ModuleOut(msgspec.Struct, kw_only=True):
    status: str  # measured, no_data, no_baseline
    time_saved_hours_per_month: Decimal
    monthly_benefit: Decimal
    tasks: list[TaskOut]


class RoiOut(msgspec.Struct, kw_only=True):
    baseline: BaselineOut
    measured: MeasuredOut
    time_saved_hours_per_month: Decimal | None
    monthly_benefit: Decimal | None
    monthly_cost: Decimal | None
    one_off_cost: Decimal | None
    roi_percent: Decimal | None
    payback_months: int | None
    npv_3y: Decimal | None
    by_module: dict[str, ModuleOut]
    message: str  # what is missing, "" when the figures are complete
