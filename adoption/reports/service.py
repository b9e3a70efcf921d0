"""The monthly adoption report: on the 1st, each tenant's administrators get
the previous month's key figures by e-mail (through the outbox), with a link
to the dashboard. ``MonthlyReport`` (unique per tenant and month, written in
the same transaction as the queued e-mails) keeps it to once per tenant and
month, however often the job runs."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from comptoir.adoption.reports.tables import MonthlyReport
from comptoir.adoption.rollups.service import each_tenant
from comptoir.adoption.telemetry.clock import today, zone
from comptoir.adoption.usage.summary import UsageSummary, usage_summary
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.jobs.kinds import JobContext, JobKind
from comptoir.platform.outbox.service import queue_email
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import render_email

log = structlog.get_logger(__name__)
EMAIL_KIND = "adoption_monthly_report"
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Month:
    first: dt.date
    last: dt.date

    @property
    def key(self) -> str:
        return self.first.strftime("%Y-%m")

    @classmethod
    def before(cls, day: dt.date) -> Month:
        """The month before ``day``'s."""
        last = day.replace(day=1) - DAY
        return cls(last.replace(day=1), last)

    @classmethod
    def parse(cls, key: str) -> Month:
        first = dt.date.fromisoformat(f"{key}-01")
        return cls.before((first + 32 * DAY).replace(day=1))


def _figures(summary: UsageSummary, previous: UsageSummary, locale: str) -> dict[str, Any]:
    def number(value: float) -> str:
        return format_decimal(round(value, 1), locale=locale)

    def share(value: float | None) -> str:
        return format_percent(value, locale=locale) if value is not None else "—"

    change = summary.active_users - previous.active_users
    return {
        "dau": number(summary.dau),
        "wau": number(summary.wau),
        "mau": number(summary.mau),
        "stickiness": share(summary.stickiness),
        "active_users": number(summary.active_users),
        "change": f"{'+' if change > 0 else ''}{change}",
        "seats": number(summary.seats),
        "seat_activation": share(summary.seat_activation),
        "inactive_seats": number(summary.inactive_seats),
        "inactive": [seat.name for seat in summary.inactive[:10]],
        "modules": {name: number(segment.events) for name, segment in summary.by_module.items()},
        "module_users": {
            name: number(segment.active_users) for name, segment in summary.by_module.items()
        },
    }


async def send_monthly_report(
    tenant: dict[str, Any], month: Month, *, now: dt.datetime | None = None
) -> int:
    """Queue the month's report to the tenant's active administrators; how
    many e-mails (0 when it was already sent for that month)."""
    tenant_id: uuid.UUID = tenant["id"]
    async with tenant_scope(tenant_id) as scope:
        done = await scope.select(MonthlyReport, MonthlyReport.id).where(
            MonthlyReport.month == month.key
        )
        if done:
            return 0
        admins = (
            await scope.select(User, User.email, User.first_name, User.locale)
            .where(User.role == "admin")
            .where(User.status == "active")
        )
        summary = await usage_summary(tenant_id, month.first, month.last, now=now)
        before = Month.before(month.first)
        previous = await usage_summary(tenant_id, before.first, before.last, now=now)
        base = f"{get_settings().base_url}/w/{tenant['slug']}"
        link = f"{base}/adoption?from={month.first.isoformat()}&to={month.last.isoformat()}"
        for admin in admins:
            locale = admin["locale"] or tenant["locale"] or "fr"
            subject, text, html = render_email(
                EMAIL_KIND,
                locale=locale,
                first_name=admin["first_name"] or "",
                company=tenant["company_name"],
                month=format_date(month.first, "LLLL yyyy", locale=locale),
                figures=_figures(summary, previous, locale),
                link=link,
            )
            await queue_email(
                scope,
                to=admin["email"],
                subject=subject,
                body_text=text,
                body_html=html,
                kind=EMAIL_KIND,
            )
        await scope.insert(MonthlyReport(month=month.key, recipients=len(admins)))
    return len(admins)


async def send_monthly_reports(
    *, month: Month | None = None, now: dt.datetime | None = None
) -> int:
    """Every tenant's report of ``month`` (by default the one before the
    current month in each tenant's time zone)."""

    async def one(tenant: dict[str, Any]) -> None:
        chosen = month or Month.before(today(zone(tenant["timezone"]), now))
        await send_monthly_report(tenant, chosen, now=now)

    async def each(tenant_row: dict[str, Any]) -> None:
        rows = await Tenant.select(
            Tenant.id,
            Tenant.slug,
            Tenant.company_name,
            Tenant.locale,
            Tenant.timezone,
            Tenant.status,
        ).where(Tenant.id == tenant_row["id"])
        if rows and rows[0]["status"] != "suspended":
            await one(rows[0])

    return await each_tenant(each, label="monthly_report")


async def run_monthly_reports(context: JobContext) -> None:
    await send_monthly_reports()


MONTHLY_REPORT = JobKind(
    name="adoption.monthly_report",
    handler=run_monthly_reports,
    periodic="0 6 1 * *",
    description="E-mail each tenant's administrators last month's adoption figures.",
    timeout=1500.0,
)
