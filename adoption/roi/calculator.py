"""The return on investment, from a baseline and measured figures: pure
arithmetic on Decimals, so every figure can be checked by hand.

For each task a module speeds up (producing a quote, handling a ticket,
setting up a campaign, finding a customer's history):

    hours saved per month = (baseline minutes - measured minutes) / 60
                            * baseline monthly volume * share
    share                 = min(1, measured monthly volume ÷ baseline volume):
                            the part of the work actually done in Comptoir
    monthly benefit       = Σ hours saved * the module's loaded hourly cost

A task without measured minutes (its module does not exist yet, or Comptoir
cannot time it) says so and adds nothing: nothing is guessed.

    monthly cost   = the subscription per month
    one-off cost   = implementation + training
    net per month  = monthly benefit - monthly cost
    ROI %          = over 36 months, undiscounted:
                     (36 * benefit - (one-off + 36 * cost)) ÷ (one-off + 36 * cost) * 100
    payback month  = the first month m ≥ 1 where m * net - one-off ≥ 0
                     (None when the net is negative, or zero with one-off costs)
    NPV (3 years)  = -one-off + Σ_{m=1..36} net ÷ (1 + r)^m, with the monthly
                     rate r = 1.10^(1/12) - 1 (10 % a year, compounded monthly)
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HORIZON_MONTHS = 36
ANNUAL_DISCOUNT_RATE = Decimal("0.10")


def _(message: str) -> str:
    """Marks an English label for extraction; it is translated when shown."""
    return message


@dataclass(frozen=True)
class TaskBaseline:
    """One task the baseline describes, and what Comptoir measured of it."""

    key: str  # quote, ticket, campaign, history
    module: str  # sales, service, marketing
    label: str  # English msgid
    baseline_minutes: Decimal | None
    baseline_volume: int | None  # per month
    hourly_cost: Decimal | None
    measured_minutes: Decimal | None
    measured_volume: Decimal | None  # per month
    # Why nothing is measured, when nothing is: an English msgid.
    unmeasured_reason: str = ""


@dataclass(frozen=True)
class TaskResult:
    task: TaskBaseline
    status: str  # measured, no_data, no_baseline
    share: Decimal | None = None
    minutes_saved: Decimal | None = None  # per unit
    hours_saved: Decimal | None = None  # per month
    benefit: Decimal | None = None  # per month


@dataclass(frozen=True)
class ModuleResult:
    module: str
    status: str  # measured (some task measured), no_data, no_baseline
    hours_saved: Decimal
    benefit: Decimal
    tasks: list[TaskResult]


@dataclass(frozen=True)
class RoiResult:
    time_saved_hours: Decimal
    monthly_benefit: Decimal
    monthly_cost: Decimal
    one_off_cost: Decimal
    roi_percent: Decimal | None
    payback_months: int | None
    npv_3y: Decimal
    by_module: dict[str, ModuleResult]


def task_result(task: TaskBaseline) -> TaskResult:
    if task.measured_minutes is None or task.measured_volume is None:
        return TaskResult(task, "no_data")
    if not task.baseline_minutes or not task.baseline_volume or task.hourly_cost is None:
        return TaskResult(task, "no_baseline")
    volume = Decimal(task.baseline_volume)
    share = min(Decimal(1), task.measured_volume / volume)
    minutes_saved = task.baseline_minutes - task.measured_minutes
    hours = minutes_saved / 60 * volume * share
    return TaskResult(
        task,
        "measured",
        share=share,
        minutes_saved=minutes_saved,
        hours_saved=hours,
        benefit=hours * task.hourly_cost,
    )


def monthly_rate(annual: Decimal = ANNUAL_DISCOUNT_RATE) -> Decimal:
    with decimal.localcontext() as context:
        context.prec = 28
        return (1 + annual) ** (Decimal(1) / Decimal(12)) - 1


def npv(net_monthly: Decimal, one_off: Decimal, months: int = HORIZON_MONTHS) -> Decimal:
    rate = monthly_rate()
    total = -one_off
    factor = Decimal(1)
    for _month in range(months):
        factor *= 1 + rate
        total += net_monthly / factor
    return total


def payback(net_monthly: Decimal, one_off: Decimal) -> int | None:
    if net_monthly < 0 or (net_monthly == 0 and one_off > 0):
        return None
    if one_off <= 0:
        return 1
    months = (one_off / net_monthly).to_integral_value(rounding=ROUND_CEILING)
    return max(1, int(months))


def roi(
    tasks: Sequence[TaskBaseline],
    *,
    monthly_cost: Decimal,
    one_off_cost: Decimal,
    modules: Mapping[str, str] | None = None,
) -> RoiResult:
    """The figures, unrounded until the end (money to the cent, hours to the tenth)."""
    results = [task_result(task) for task in tasks]
    by_module: dict[str, ModuleResult] = {}
    for module in dict.fromkeys(task.module for task in tasks):
        mine = [r for r in results if r.task.module == module]
        measured = [r for r in mine if r.status == "measured"]
        status = (
            "measured"
            if measured
            else ("no_baseline" if any(r.status == "no_baseline" for r in mine) else "no_data")
        )
        by_module[module] = ModuleResult(
            module=module,
            status=status,
            hours_saved=sum((r.hours_saved or Decimal(0) for r in measured), Decimal(0)),
            benefit=sum((r.benefit or Decimal(0) for r in measured), Decimal(0)),
            tasks=mine,
        )
    benefit = sum((m.benefit for m in by_module.values()), Decimal(0))
    hours = sum((m.hours_saved for m in by_module.values()), Decimal(0))
    net = benefit - monthly_cost
    horizon_cost = one_off_cost + HORIZON_MONTHS * monthly_cost
    roi_percent = (
        (HORIZON_MONTHS * benefit - horizon_cost) / horizon_cost * 100 if horizon_cost else None
    )
    return RoiResult(
        time_saved_hours=hours.quantize(TENTH, ROUND_HALF_UP),
        monthly_benefit=benefit.quantize(CENT, ROUND_HALF_UP),
        monthly_cost=monthly_cost.quantize(CENT, ROUND_HALF_UP),
        one_off_cost=one_off_cost.quantize(CENT, ROUND_HALF_UP),
        roi_percent=roi_percent.quantize(TENTH, ROUND_HALF_UP) if roi_percent is not None else None,
        payback_months=payback(net, one_off_cost),
        npv_3y=npv(net, one_off_cost).quantize(CENT, ROUND_HALF_UP),
        by_module=by_module,
    )
