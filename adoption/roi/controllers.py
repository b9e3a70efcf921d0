"""/api/v1/roi: the return on investment, and the baseline an admin enters.
No ``from __future__ import annotations``: Litestar reads the handlers'
annotations."""

from decimal import Decimal
from typing import Any

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from comptoir.adoption.roi import service
from comptoir.adoption.roi.calculator import CENT, TENTH, TaskResult, task_result
from comptoir.adoption.roi.schemas import (
    BaselineIn,
    BaselineOut,
    MeasuredOut,
    ModuleOut,
    RoiOut,
    TaskOut,
)
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import requires
from comptoir.platform.fields import sent_values

NO_BASELINE = "No baseline entered yet: an admin enters it to compute the return on investment."


def _cents(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def baseline_out(baseline: Any) -> BaselineOut:
    values: dict[str, Any] = {}
    for spec in service.BASELINE_FIELDS:
        value = getattr(baseline, spec.name)
        values[spec.name] = value if spec.kind == "count" else _cents(value)
    return BaselineOut(
        entered=baseline.entered_at is not None, entered_at=baseline.entered_at, **values
    )


def _tenth(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TENTH)


def task_out(result: TaskResult, entered: bool) -> TaskOut:
    task = result.task
    status = result.status if entered or result.status == "no_data" else "no_baseline"
    return TaskOut(
        key=task.key,
        label=task.label,
        status=status,
        reason=task.unmeasured_reason if result.status == "no_data" else "",
        baseline_minutes=task.baseline_minutes,
        measured_minutes=task.measured_minutes,
        baseline_volume=task.baseline_volume,
        measured_volume=task.measured_volume,
        share=result.share.quantize(Decimal("0.001")) if result.share is not None else None,
        hours_saved=_tenth(result.hours_saved),
        benefit=_cents(result.benefit),
    )


def roi_out(report: service.RoiReport) -> RoiOut:
    measured = report.measured
    measured_out = MeasuredOut(
        since=measured.since,
        quote_minutes=measured.quote_minutes,
        quotes_sent=measured.quotes_sent,
        quotes_per_month=measured.quotes_per_month,
        win_rate=measured.win_rate,
        deals_closed=measured.deals_closed,
    )
    result = report.result
    if result is None:
        modules: dict[str, list[TaskResult]] = {}
        for task in report.tasks:
            modules.setdefault(task.module, []).append(task_result(task))
        return RoiOut(
            baseline=baseline_out(report.baseline),
            measured=measured_out,
            time_saved_hours_per_month=None,
            monthly_benefit=None,
            monthly_cost=None,
            one_off_cost=None,
            roi_percent=None,
            payback_months=None,
            npv_3y=None,
            by_module={
                module: ModuleOut(
                    status="no_baseline"
                    if any(r.status != "no_data" for r in results)
                    else "no_data",
                    time_saved_hours_per_month=Decimal("0.0"),
                    monthly_benefit=Decimal("0.00"),
                    tasks=[task_out(r, False) for r in results],
                )
                for module, results in modules.items()
            },
            message=NO_BASELINE,
        )
    return RoiOut(
        baseline=baseline_out(report.baseline),
        measured=measured_out,
        time_saved_hours_per_month=result.time_saved_hours,
        monthly_benefit=result.monthly_benefit,
        monthly_cost=result.monthly_cost,
        one_off_cost=result.one_off_cost,
        roi_percent=result.roi_percent,
        payback_months=result.payback_months,
        npv_3y=result.npv_3y,
        by_module={
            key: ModuleOut(
                status=module.status,
                time_saved_hours_per_month=module.hours_saved.quantize(TENTH),
                monthly_benefit=module.benefit.quantize(CENT),
                tasks=[task_out(r, True) for r in module.tasks],
            )
            for key, module in result.by_module.items()
        },
        message="",
    )


class RoiController(Controller):
    path = "/api/v1/roi"
    tags = ["Adoption"]

    @get(
        "/",
        summary="Return on investment",
        description="The baseline, the figures Comptoir measured from its own timestamps "
        "(last 90 days), time saved and benefit per month, monthly cost, ROI % over 3 years "
        "(one-off costs included), payback month and 3-year NPV at 10 % a year (monthly "
        "discounting), per module. Without a baseline the figures are null and `message` "
        "says so; a module without measured data says `no_data`.",
        opt=requires("roi", "view"),
    )
    async def report(self, caller: NamedDependency[ApiCaller]) -> RoiOut:
        return roi_out(await service.roi_report(caller.tenant.id))

    @put(
        "/baseline",
        summary="Enter the ROI baseline",
        description="Every figure is replaced (one left out is emptied): money and minutes "
        "as decimal strings (2 decimals at most), staff and volumes as whole numbers, "
        "`win_rate` in percent. Each wrong figure is named in the 422 answer.",
        opt=requires("roi", "manage"),
    )
    async def save_baseline(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[BaselineIn]
    ) -> RoiOut:
        await service.save_baseline(caller.tenant.id, sent_values(data), actor=caller.actor)
        return roi_out(await service.roi_report(caller.tenant.id))
