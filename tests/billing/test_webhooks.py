"""POST /webhooks/stripe: signatures, replays, reordering, concurrent
deliveries, events that arrive before their record."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import httpx
import time_machine

from comptoir.billing.console.service import billing_overview
from comptoir.billing.payments.tables import WebhookEvent
from comptoir.platform.jobs.tables import Job
from tests.billing.payments_support import (  # noqa: F401 (fixtures)
    attempts_of,
    deliver,
    invoice,
    issue_invoice,
    run_billing_jobs,
    save_test_card,
    signed,
    stripe_fake_fixture,
    stripe_server_fixture,
    subscription,
    transitions_of,
)
from tests.billing.stripe_fake import StripeFake, signature
from tests.support.fixtures import Workspace


async def _webhook_rows() -> list[WebhookEvent]:
    return await WebhookEvent.objects().order_by(WebhookEvent.id)


async def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    event = stripe_fake.event("payment_intent.succeeded", {"id": "pi_x", "metadata": {}})
    payload = json.dumps(event).encode()
    jobs_before = await Job.count()
    for headers in (
        {},
        {"Stripe-Signature": ""},
        {"Stripe-Signature": "t=1,v1=00"},
        {"Stripe-Signature": signature(payload, "whsec_someone_else")},
        {"Stripe-Signature": signature(payload + b"\n", "whsec_test_comptoir_0123456789abcdef")},
    ):
        response = await client.post(
            "/webhooks/stripe",
            content=payload,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == "/problems/invalid-signature"
    assert await _webhook_rows() == []
    assert await Job.count() == jobs_before


async def test_without_a_webhook_secret_nothing_is_trusted(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    event = {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}}
    response = await deliver(client, event)
    assert response.status_code == 400
    assert await _webhook_rows() == []


async def test_a_payment_replayed_three_times_pays_the_invoice_once(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    card_invoice = await issue_invoice(workspace.tenant_id, terms="bank_transfer")
    paid = stripe_fake.event(
        "payment_intent.succeeded",
        {
            "id": "pi_test_manual",
            "object": "payment_intent",
            "status": "succeeded",
            "metadata": {"invoice_id": str(card_invoice.id), "tenant_id": workspace.tenant_id},
        },
    )
    answers = [await deliver(client, paid) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]
    await run_billing_jobs()
    for _ in range(2):  # replayed again after processing
        assert (await deliver(client, paid)).json()["duplicate"] is True
    await run_billing_jobs()
    rows = await _webhook_rows()
    assert [(r.event_id, r.status) for r in rows] == [(paid["id"], "processed")]
    assert str(rows[0].for_tenant_id) == workspace.tenant_id
    assert (await invoice(card_invoice.id)).status == "paid"
    attempts = await attempts_of(card_invoice.id)
    assert [(a.status, a.gateway_payment_id) for a in attempts] == [("succeeded", "pi_test_manual")]


async def test_a_late_failure_never_undoes_a_payment(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    """Stripe may deliver out of order: a success after the collection's own
    failure wins; a failure delivered after the success changes nothing."""
    await save_test_card(stripe_fake, workspace.tenant_id)
    stripe_fake.decline_next(1)
    card_invoice = await issue_invoice(workspace.tenant_id, terms="card")
    await run_billing_jobs()
    [attempt] = await attempts_of(card_invoice.id)
    assert attempt.status == "failed" and attempt.gateway_payment_id
    assert (await subscription(workspace.tenant_id)).status == "past_due"
    intent = stripe_fake.payment_intents[attempt.gateway_payment_id]
    failed = stripe_fake.event("payment_intent.payment_failed", dict(intent))
    # The customer's bank accepts after all (e.g. a retry from Stripe's side).
    succeeded = stripe_fake.event("payment_intent.succeeded", {**intent, "status": "succeeded"})
    failed_again = stripe_fake.event("payment_intent.payment_failed", dict(intent))
    for event in (succeeded, failed, failed_again, succeeded):
        assert (await deliver(client, event)).status_code == 200
    await run_billing_jobs()
    assert (await invoice(card_invoice.id)).status == "paid"
    [attempt] = await attempts_of(card_invoice.id)
    assert attempt.status == "succeeded"
    assert (await subscription(workspace.tenant_id)).status == "active"
    causes = [cause for _, _, cause in await transitions_of(workspace.tenant_id)]
    assert causes.count("payment_failed") == 1 and causes[-1] == "payment_succeeded"
    statuses = {r.event_id: r.status for r in await _webhook_rows()}
    assert set(statuses.values()) == {"processed"}


async def test_concurrent_duplicate_deliveries_are_recorded_once(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    card_invoice = await issue_invoice(workspace.tenant_id, terms="bank_transfer")
    paid = stripe_fake.event(
        "payment_intent.succeeded",
        {"id": "pi_concurrent", "metadata": {"invoice_id": str(card_invoice.id)}},
    )
    answers = await asyncio.gather(*(deliver(client, paid) for _ in range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert sorted(a.json()["duplicate"] for a in answers) == [False] + [True] * 5
    assert len(await _webhook_rows()) == 1
    assert await Job.count().where(Job.kind == "billing.webhook") == 1
    await asyncio.gather(run_billing_jobs(), run_billing_jobs())
    assert (await invoice(card_invoice.id)).status == "paid"
    assert len(await attempts_of(card_invoice.id)) == 1


async def test_an_event_before_its_invoice_is_parked_then_applied(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    future_invoice = uuid.uuid4()
    paid = stripe_fake.event(
        "payment_intent.succeeded",
        {"id": "pi_early", "metadata": {"invoice_id": str(future_invoice)}},
    )
    assert (await deliver(client, paid)).status_code == 200
    await run_billing_jobs()
    [row] = await _webhook_rows()
    assert row.status == "retry" and "no invoice" in row.last_error
    job = await Job.objects().where(Job.kind == "billing.webhook").first()
    assert job is not None and job.state == "retryable"
    assert (await billing_overview()).parked_events == 1
    await issue_invoice(workspace.tenant_id, terms="bank_transfer", invoice_id=future_invoice)
    await run_billing_jobs(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    [row] = await _webhook_rows()
    assert row.status == "processed"
    assert (await invoice(future_invoice)).status == "paid"


async def test_a_card_event_before_its_customer_is_parked(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    event = stripe_fake.event(
        "setup_intent.succeeded",
        {"id": "seti_x", "customer": "cus_unknown", "payment_method": "pm_x"},
    )
    assert (await deliver(client, event)).status_code == 200
    await run_billing_jobs()
    [row] = await _webhook_rows()
    assert row.status == "retry"


async def test_card_events_in_any_order_keep_the_newest_card(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False):
        first = await save_test_card(stripe_fake, workspace.tenant_id, card="visa")
    customer = (await subscription(workspace.tenant_id)).gateway_customer_id
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False):
        old_setup = stripe_fake.event(
            "setup_intent.succeeded",
            {"id": "seti_a", "customer": customer, "payment_method": first},
        )
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC), tick=False):
        method = stripe_fake._payment_method("amex", customer)
        new_setup = stripe_fake.event(
            "setup_intent.succeeded",
            {"id": "seti_b", "customer": customer, "payment_method": method["id"]},
        )
        removed = stripe_fake.detach(first)
    # The newest first, then the old setup, then the old card's removal.
    for event in (new_setup, old_setup, removed, old_setup):
        await deliver(client, event)
        await run_billing_jobs()
    current = await subscription(workspace.tenant_id)
    assert current.payment_method_id == method["id"]
    assert current.payment_method_summary == "Amex •••• 8431"
    # Removing the card in use leaves the subscription without one.
    gone = stripe_fake.detach(method["id"])
    await deliver(client, gone)
    await run_billing_jobs()
    current = await subscription(workspace.tenant_id)
    assert current.payment_method_id is None and current.payment_method_summary == ""


async def test_events_it_does_not_use_are_acknowledged_and_ignored(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    event = stripe_fake.event("customer.updated", {"id": "cus_1"})
    payload, headers = signed(event)
    response = await client.post("/webhooks/stripe", content=payload, headers=headers)
    assert response.status_code == 200
    await run_billing_jobs()
    [row] = await _webhook_rows()
    assert row.status == "ignored"
