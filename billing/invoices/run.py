"""The billing run of a period: every subscription invoiced for that month in
advance, plus the seats added last month prorated to the day.

Safe to re-run: a subscription is invoiced for a period once (its
``billed_through`` moves to the period in the transaction that writes the
invoice, and the invoice's (purpose, key) is unique). Work goes in chunks of
subscriptions, one transaction each: a run killed mid-way has committed whole
chunks only, and the next run carries on where it stopped. Each chunk first
takes its numbers from the one sequence (locking its row), so two runs at
once queue chunk by chunk and the second finds the work done; numbers stay
gapless and follow the order of issue."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog

from comptoir.billing.invoices.service import (
    DraftInvoice,
    DraftLine,
    buyer_of,
    finalise,
    proration_line,
    subscription_line,
    unbilled_seat_changes,
    vat_mode_for,
    vat_rate_for,
)
from comptoir.billing.invoices.tables import BillingRun, Invoice
from comptoir.billing.periods import Period, current_period
from comptoir.billing.plans.catalog import PriceList, price_list
from comptoir.billing.subscriptions.service import (
    BILLABLE,
    _record_seat_increase,
    end_trials,
    record_transition,
    utcnow,
)
from comptoir.billing.subscriptions.tables import SeatChange, Subscription
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.scope import control_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.jobs.kinds import JobContext

log = structlog.get_logger(__name__)

CHUNK_SIZE = 500
PURPOSE = "period"


def period_key(subscription_id: uuid.UUID, period: Period) -> str:
    return f"{subscription_id}:{period}"


@dataclass
class RunResult:
    period: str
    subscriptions_seen: int = 0
    invoices_created: int = 0
    trials_ended: int = 0
    seats_recounted: int = 0
    seconds: float = 0.0


class RunInterrupted(RuntimeError):
    """Raised by the ``interrupt`` hook of a test that kills a run mid-way."""


# Called with the number of subscriptions handled so far, inside the chunk's
# transaction: tests raise from it to kill a run mid-way.
Interrupt = Callable[[int], Awaitable[None]]


async def billing_run(
    period: Period,
    *,
    now: dt.datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    interrupt: Interrupt | None = None,
) -> RunResult:
    started = time.perf_counter()
    now = now or utcnow()
    result = RunResult(period=str(period))
    run = BillingRun(period=str(period), started_at=now, status="running")
    await BillingRun.insert(run)
    try:
        result.trials_ended = await end_trials(now)
        prices = await price_list(period)
        after: uuid.UUID | None = None
        while True:
            ids = await _candidates(period, after, chunk_size)
            if not ids:
                break
            after = ids[-1]
            seen, created = await _invoice_chunk(period, ids, prices, now, result, interrupt)
            result.subscriptions_seen += seen
            result.invoices_created += created
        if period == current_period(now):
            result.seats_recounted = await recount_seats(period, now)
    except BaseException as error:
        await BillingRun.update(
            {
                BillingRun.status: "failed",
                BillingRun.finished_at: utcnow(),
                BillingRun.error: repr(error)[:2000],
                BillingRun.subscriptions_seen: result.subscriptions_seen,
                BillingRun.invoices_created: result.invoices_created,
            }
        ).where(BillingRun.id == run.id)
        raise
    result.seconds = time.perf_counter() - started
    await BillingRun.update(
        {
            BillingRun.status: "done",
            BillingRun.finished_at: utcnow(),
            BillingRun.subscriptions_seen: result.subscriptions_seen,
            BillingRun.invoices_created: result.invoices_created,
        }
    ).where(BillingRun.id == run.id)
    log.info(
        "billing.run",
        period=str(period),
        invoices=result.invoices_created,
        seen=result.subscriptions_seen,
        seconds=round(result.seconds, 2),
    )
    return result


def _due_filter(period: Period) -> Any:
    """Subscriptions still to invoice for ``period``: billable (or ending at
    its start), not invoiced for it yet, and serving it (a trial ending in
    it is invoiced from its end; one ending after it is not invoiced)."""
    return (
        Subscription.status.is_in(list(BILLABLE))
        & (Subscription.billed_through < str(period))
        & (Subscription.trial_ends_at.is_null() | (Subscription.trial_ends_at < period.end))
    )


async def _candidates(period: Period, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
    query = Subscription.select(Subscription.id).where(_due_filter(period))
    if after is not None:
        query = query.where(Subscription.id > after)
    rows = await query.order_by(Subscription.id).limit(limit)
    return [row["id"] for row in rows]


async def _invoice_chunk(
    period: Period,
    ids: list[uuid.UUID],
    prices: PriceList,
    now: dt.datetime,
    result: RunResult,
    interrupt: Interrupt | None,
) -> tuple[int, int]:
    """Invoice one chunk in one transaction; (subscriptions seen, invoices made)."""
    async with control_scope():
        # The sequence's row first: concurrent runs queue here, and the
        # second one re-reads below what the first one left to do.
        from comptoir.billing.invoices.service import take_numbers

        await take_numbers(0)
        if is_postgres(get_engine()):
            await Subscription.raw(
                "SELECT id FROM billing_subscriptions WHERE id = ANY({}) ORDER BY id FOR UPDATE",
                ids,
            )
        subscriptions = (
            await Subscription.objects()
            .where(Subscription.id.is_in(ids) & _due_filter(period))
            .order_by(Subscription.id)
        )
        if not subscriptions:
            return 0, 0
        counts = {
            row["id"]: int(row["user_count"])
            for row in await Tenant.select(Tenant.id, Tenant.user_count).where(
                Tenant.id.is_in([s.for_tenant_id for s in subscriptions])
            )
        }
        changes_by_subscription: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for change in await unbilled_seat_changes([s.id for s in subscriptions], period):
            changes_by_subscription[change["subscription_id"]].append(change)
        price_lists: dict[str, PriceList] = {str(period): prices}

        drafts: list[DraftInvoice] = []
        billed: dict[int, list[uuid.UUID]] = defaultdict(list)  # seats -> subscriptions
        downgraded: list[Subscription] = []
        canceled: list[Subscription] = []
        seat_changes_of: dict[uuid.UUID, list[uuid.UUID]] = {}
        handled = 0
        for subscription in subscriptions:
            handled += 1
            if interrupt is not None:
                await interrupt(result.subscriptions_seen + handled)
            ending = bool(subscription.cancel_at_period_end)
            plan = str(subscription.pending_plan or subscription.plan)
            if subscription.pending_plan:
                downgraded.append(subscription)
            if ending:
                canceled.append(subscription)
            mode = vat_mode_for(str(subscription.billing_country), str(subscription.vat_number))
            rate = vat_rate_for(mode)
            lines: list[DraftLine] = []
            changes = changes_by_subscription.get(subscription.id, [])
            for change in changes:
                change_period = str(change["period"])
                if change_period not in price_lists:
                    price_lists[change_period] = await price_list(Period.parse(change_period))
                lines.append(
                    proration_line(change, price_lists[change_period][str(change["plan"])], rate)
                )
            seats = max(1, counts.get(subscription.for_tenant_id, 1))
            if not ending:
                lines.append(
                    subscription_line(
                        plan, seats, prices[plan], period, rate, start=_start(subscription, period)
                    )
                )
                billed[seats].append(subscription.id)
            if not lines:
                continue
            draft = DraftInvoice(
                tenant_id=subscription.for_tenant_id,
                subscription_id=subscription.id,
                period=str(period),
                purpose=PURPOSE,
                idempotency_key=period_key(subscription.id, period),
                plan=plan,
                vat_mode=mode,
                buyer=buyer_of(subscription),
                payment_terms=str(subscription.payment_terms),
                lines=lines,
            )
            drafts.append(draft)
            if changes:
                seat_changes_of[draft.id] = [change["id"] for change in changes]

        for subscription in downgraded:
            if subscription.cancel_at_period_end:
                continue
            await record_transition(
                subscription,
                to_plan=str(subscription.pending_plan),
                cause="plan_downgraded",
                detail=f"at the start of {period}",
                now=now,
            )
        for subscription in canceled:
            await record_transition(
                subscription,
                to_status="canceled",
                cause="canceled_at_period_end",
                detail=f"ended with {period.previous()}",
                now=now,
            )
        invoices = await finalise(drafts)
        for invoice_id, change_ids in seat_changes_of.items():
            await SeatChange.update({SeatChange.invoice_id: invoice_id}).where(
                SeatChange.id.is_in(change_ids)
            )
        for seats, subscription_ids in billed.items():
            await Subscription.update(
                {
                    Subscription.billed_through: str(period),
                    Subscription.seats_billed: seats,
                    Subscription.current_period_start: period.start,
                    Subscription.current_period_end: period.end,
                    Subscription.updated_at: now,
                }
            ).where(Subscription.id.is_in(subscription_ids))
        if canceled:
            await Subscription.update(
                {Subscription.billed_through: str(period), Subscription.updated_at: now}
            ).where(Subscription.id.is_in([s.id for s in canceled]))
        return len(subscriptions), len(invoices)


def _start(subscription: Subscription, period: Period) -> dt.date:
    """The first day of ``period`` the subscription is paid for: its first
    day, or the day its trial ended."""
    trial_end = subscription.trial_ends_at
    if trial_end is None:
        return period.first_day
    day = (trial_end if trial_end.tzinfo else trial_end.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return max(period.first_day, day.date())


async def recount_seats(period: Period, now: dt.datetime) -> int:
    """Seats added this period that no event told billing about (a listener
    that failed, a write elsewhere): compare the directory's count of active
    users with what was billed, and bill the difference from today."""
    rows = await Subscription.raw(
        "SELECT s.for_tenant_id, t.user_count, s.seats_billed FROM billing_subscriptions s "
        "JOIN tenants t ON t.id = s.for_tenant_id "
        "WHERE s.billed_through = {} AND s.status IN ('active', 'past_due') "
        "AND t.user_count > s.seats_billed",
        str(period),
    )
    recorded = 0
    for row in rows:
        async with control_scope():
            subscription = (
                await Subscription.objects()
                .where(Subscription.for_tenant_id == row["for_tenant_id"])
                .first()
            )
            if subscription is None or subscription.billed_through != str(period):
                continue
            count = (
                await Tenant.select(Tenant.user_count)
                .where(Tenant.id == subscription.for_tenant_id)
                .first()
            )
            seats = int(count["user_count"]) if count else 0
            if seats > subscription.seats_billed:
                await _record_seat_increase(subscription, seats, at=now, cause="recount")
                recorded += 1
    return recorded


async def invoices_of_period(period: Period) -> int:
    return int(
        await Invoice.count().where((Invoice.period == str(period)) & (Invoice.purpose == PURPOSE))
    )


# ---- the daily job -------------------------------------------------------------------

DAILY_RUN_JOB = "billing.daily_run"


async def run_daily(context: JobContext) -> None:
    """The periodic job: end the trials that are over, then invoice the
    current month (subscriptions that started since the 1st, and the whole
    month on the 1st)."""
    await billing_run(current_period())
