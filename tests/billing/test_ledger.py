"""The ledger on both engines, on a frozen clock: trials, the billing run,
seats added and removed mid-period, plan changes both ways, cancellation."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.periods import Period
from comptoir.billing.plans.catalog import set_price
from comptoir.billing.settings import reset_billing_settings
from comptoir.billing.subscriptions import service
from comptoir.billing.subscriptions.tables import SeatChange, Subscription, SubscriptionTransition
from comptoir.platform.auth.actor import Actor
from comptoir.platform.directory.service import tenant_by_id
from tests.billing.ledger_support import (
    add_user,
    at,
    disable_user,
    euros,
    frozen,
    invoices,
    lines,
    run_at,
    signup_at,
    subscription,
)
from tests.support.fixtures import Workspace


def admin(ws: Workspace) -> Actor:
    return Actor(
        kind="user",
        id=uuid.UUID(ws.admin_user_id),
        label=ws.admin_email,
        tenant_id=uuid.UUID(ws.tenant_id),
        role="admin",
    )


async def transitions(ws: Workspace) -> list[tuple[str | None, str, str]]:
    rows = (
        await SubscriptionTransition.select(
            SubscriptionTransition.from_status,
            SubscriptionTransition.to_status,
            SubscriptionTransition.cause,
        )
        .where(SubscriptionTransition.for_tenant_id == uuid.UUID(ws.tenant_id))
        .order_by(SubscriptionTransition.at)
        .order_by(SubscriptionTransition.id)
    )
    return [(r["from_status"], r["to_status"], r["cause"]) for r in rows]


async def test_signup_starts_a_14_day_trial_of_its_plan(client: httpx.AsyncClient) -> None:
    ws = await signup_at(client, at(2026, 11, 20), "essai", plan="essentiel")
    sub = await subscription(ws)
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None
    assert (sub.plan, sub.status, sub.payment_terms) == ("essentiel", "trialing", "bank_transfer")
    assert sub.trial_ends_at == tenant.trial_ends_at == at(2026, 12, 4)
    assert await transitions(ws) == [(None, "trialing", "signup")]

    answer = await client.get("/api/v1/billing/subscription", headers=ws.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["plan"] == "essentiel"
    assert body["status"] == "trialing"
    assert body["seats"] == 1
    assert body["trial_ends_at"] == "2026-12-04T10:00:00Z"
    assert body["current_period_end"] is None
    assert body["price_per_seat"] == "19.00"


async def test_a_trial_ends_on_bank_transfer_terms_then_the_month_is_invoiced_from_that_day(
    client: httpx.AsyncClient,
) -> None:
    ws = await signup_at(client, at(2026, 11, 20), "virement")
    await add_user(client, ws, "deux@virement.fr")  # during the trial: nothing recorded
    assert await SeatChange.count() == 0

    early = await run_at(at(2026, 12, 3), "2026-12")  # the trial is not over
    assert early.invoices_created == 0
    result = await run_at(at(2026, 12, 4, 12), "2026-12")
    assert (result.trials_ended, result.invoices_created) == (1, 1)

    sub = await subscription(ws)
    assert (sub.status, sub.payment_terms, sub.billed_through, sub.seats_billed) == (
        "active",
        "bank_transfer",
        "2026-12",
        2,
    )
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None and tenant.status == "active"
    assert await transitions(ws) == [
        (None, "trialing", "signup"),
        ("trialing", "active", "trial_ended"),
    ]
    [invoice] = await invoices(ws)
    [line] = await lines(invoice)
    # 2 seats of Pro at 35 € from 4 to 31 December: 28/31 of a month.
    assert (line.days, line.days_in_period, Decimal(line.quantity)) == (28, 31, Decimal(2))
    assert euros(line.total_net) == Decimal("63.23")  # 70 x 28 / 31 = 63.225… half-up
    assert euros(invoice.total_vat) == Decimal("12.65")
    assert euros(invoice.total_gross) == Decimal("75.88")
    assert invoice.status == "open" and invoice.number == "FA00000001"
    assert str(invoice.due_date) == "2027-01-03"  # 30 days after its issue

    again = await run_at(at(2026, 12, 5), "2026-12")
    assert again.invoices_created == 0
    assert len(await invoices()) == 1


async def test_a_trial_ends_past_due_when_a_card_is_required(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILLING_CARD_REQUIRED", "1")
    reset_billing_settings()
    try:
        ws = await signup_at(client, at(2026, 11, 20), "carte")
        with_card = await signup_at(client, at(2026, 11, 20), "carte-ok")
        await Subscription.update(
            {Subscription.payment_method_id: "pm_card_visa", Subscription.gateway: "stripe"}
        ).where(Subscription.for_tenant_id == uuid.UUID(with_card.tenant_id))
        with frozen(at(2026, 12, 4, 11)):
            assert await service.end_trials() == 2
    finally:
        monkeypatch.delenv("BILLING_CARD_REQUIRED")
        reset_billing_settings()
    assert (await subscription(ws)).status == "past_due"
    assert (await transitions(ws))[-1] == ("trialing", "past_due", "trial_ended_without_card")
    paid_by_card = await subscription(with_card)
    assert (paid_by_card.status, paid_by_card.payment_terms) == ("active", "card")


async def test_seats_added_mid_period_are_prorated_to_the_day_removals_next_period(
    client: httpx.AsyncClient,
) -> None:
    """Zulip's rule: an added user is billed from the day they are added, a
    removed one stops counting at the next period, without credit."""
    ws = await signup_at(client, at(2027, 12, 10), "sieges")  # trial until 24 December
    await run_at(at(2028, 1, 1, 2), "2028-01")
    [january] = await invoices(ws)
    assert euros(january.total_net) == Decimal("35.00")  # 1 seat, the whole month

    with frozen(at(2028, 1, 31, 9)):  # the last day of a 31-day month
        first = await add_user(client, ws, "un@sieges.fr")
    run = await run_at(at(2028, 2, 1, 2), "2028-02")
    assert run.invoices_created == 1
    with frozen(at(2028, 2, 29, 15)):  # the leap day
        second = await add_user(client, ws, "deux@sieges.fr")
        await disable_user(client, ws, first)  # removed: no credit this month
    changes = await SeatChange.select(
        SeatChange.period, SeatChange.seats_before, SeatChange.seats_after
    ).order_by(SeatChange.at)
    assert [(c["period"], c["seats_before"], c["seats_after"]) for c in changes] == [
        ("2028-01", 1, 2),
        ("2028-02", 2, 3),
    ]
    await run_at(at(2028, 3, 1, 2), "2028-03")
    january_, february, march = await invoices(ws)
    assert january_.id == january.id
    february_lines = await lines(february)
    assert [(line.kind, line.days, line.days_in_period) for line in february_lines] == [
        ("proration", 1, 31),  # the seat added on 31 January: 1/31
        ("subscription", 0, 0),
    ]
    assert euros(february_lines[0].total_net) == Decimal("1.13")  # 35 / 31
    assert Decimal(february_lines[1].quantity) == 2
    march_lines = await lines(march)
    assert [(line.kind, line.days, line.days_in_period) for line in march_lines] == [
        ("proration", 1, 29),  # the seat added on 29 February 2028: 1/29
        ("subscription", 0, 0),
    ]
    assert euros(march_lines[0].total_net) == Decimal("1.21")  # 35 / 29
    assert Decimal(march_lines[1].quantity) == 2  # one removed in February: 2 from March
    assert second


async def test_a_seat_the_listener_missed_is_found_by_the_run(client: httpx.AsyncClient) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "rattrapage")
    await run_at(at(2026, 11, 2), "2026-11")
    from comptoir.platform.directory.tables import Tenant

    await Tenant.update({Tenant.user_count: 4}).where(Tenant.id == uuid.UUID(ws.tenant_id))
    result = await run_at(at(2026, 11, 16), "2026-11")
    assert result.seats_recounted == 1
    sub = await subscription(ws)
    assert sub.seats_billed == 4
    await run_at(at(2026, 12, 1, 2), "2026-12")
    december = (await invoices(ws))[-1]
    proration, period_line = await lines(december)
    assert (Decimal(proration.quantity), proration.days, proration.days_in_period) == (
        Decimal(3),
        15,
        30,
    )
    assert Decimal(period_line.quantity) == 4


async def test_an_upgrade_invoices_the_rest_of_the_month_a_downgrade_waits(
    client: httpx.AsyncClient,
) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "offres", plan="essentiel")
    await add_user(client, ws, "b@offres.fr")
    await run_at(at(2026, 11, 1, 2), "2026-11")  # 2 seats of Essentiel at 19 €

    with frozen(at(2026, 11, 21, 9)):  # 10 days left of 30
        answer = await client.post(
            "/api/v1/billing/subscription/plan", headers=ws.headers, json={"plan": "entreprise"}
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["immediate"] is True and body["subscription"]["plan"] == "entreprise"
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None and tenant.plan == "entreprise"
    upgrade = await Invoice.objects().where(Invoice.id == uuid.UUID(body["invoice_id"])).first()
    assert upgrade is not None and upgrade.purpose == "upgrade"
    [line] = await lines(upgrade)
    # (59 - 19) x 2 seats x 10/30 = 26.666… → 26.67
    assert (Decimal(line.unit_price), line.days, line.days_in_period) == (Decimal(40), 10, 30)
    assert euros(line.total_net) == Decimal("26.67")

    with frozen(at(2026, 11, 25)):
        down = await client.post(
            "/api/v1/billing/subscription/plan", headers=ws.headers, json={"plan": "pro"}
        )
    assert down.status_code == 200, down.text
    assert down.json()["immediate"] is False
    assert down.json()["subscription"]["pending_plan"] == "pro"
    assert (await subscription(ws)).plan == "entreprise"  # until the end of the month
    await run_at(at(2026, 12, 1, 2), "2026-12")
    sub = await subscription(ws)
    assert sub.plan == "pro" and sub.pending_plan is None
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None and tenant.plan == "pro"
    december = (await invoices(ws))[-1]
    assert december.plan == "pro" and euros(december.total_net) == Decimal("70.00")
    causes = [t[2] for t in await transitions(ws)]
    assert causes[-3:] == ["plan_upgraded", "plan_downgrade_scheduled", "plan_downgraded"]

    same = await client.post(
        "/api/v1/billing/subscription/plan", headers=ws.headers, json={"plan": "pro"}
    )
    assert same.status_code == 422
    unknown = await client.post(
        "/api/v1/billing/subscription/plan", headers=ws.headers, json={"plan": "platine"}
    )
    assert unknown.status_code in (400, 422)
    assert unknown.headers["content-type"].startswith("application/problem+json")


async def test_a_price_change_applies_to_new_periods_only(client: httpx.AsyncClient) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "tarif")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    await set_price("pro", Decimal("39.00"), Period.parse("2026-12"))
    await run_at(at(2026, 12, 1, 2), "2026-12")
    november, december = await invoices(ws)
    assert euros(november.total_net) == Decimal("35.00")  # as issued, never rewritten
    assert euros(december.total_net) == Decimal("39.00")


async def test_cancel_at_period_end_keeps_the_data(client: httpx.AsyncClient) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "depart")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    with frozen(at(2026, 11, 10)):
        answer = await client.post("/api/v1/billing/subscription/cancel", headers=ws.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["cancel_at_period_end"] is True
    assert answer.json()["next_invoice"] is None
    with frozen(at(2026, 11, 11)):
        resumed = await client.post("/api/v1/billing/subscription/resume", headers=ws.headers)
        assert resumed.json()["cancel_at_period_end"] is False
    with frozen(at(2026, 11, 12)):
        await service.cancel_at_period_end(uuid.UUID(ws.tenant_id), actor=admin(ws))

    result = await run_at(at(2026, 12, 1, 2), "2026-12")
    assert result.invoices_created == 0
    sub = await subscription(ws)
    assert sub.status == "canceled"
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None and tenant.status == "suspended"
    contacts = await client.get("/api/v1/contacts", headers=ws.headers)
    assert contacts.status_code == 403  # closed, not erased
    assert (await transitions(ws))[-1] == ("active", "canceled", "canceled_at_period_end")


async def test_only_an_admin_manages_the_subscription(client: httpx.AsyncClient) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "roles")
    with pytest.raises(Exception) as refused:
        await service.change_plan(
            uuid.UUID(ws.tenant_id),
            "entreprise",
            actor=Actor(kind="user", id=uuid.uuid4(), label="x", role="end_user"),
        )
    assert getattr(refused.value, "status_code", None) == 403
