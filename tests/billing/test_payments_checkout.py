"""The payment method from the tenant admin's billing page: Checkout in setup
mode end to end against the Stripe fake, bank transfer without Stripe, and
collection that survives a worker dying mid-charge."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from unittest import mock
from urllib.parse import urlsplit

import httpx
import pytest

from comptoir.billing.payments import collect
from comptoir.billing.payments.collect import collect_invoice
from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.db.scope import tenant_scope
from tests.billing.payments_support import (  # noqa: F401 (fixtures)
    attempts_of,
    deliver,
    invoice,
    issue_invoice,
    run_billing_jobs,
    save_test_card,
    stripe_fake_fixture,
    stripe_server_fixture,
    subscription,
)
from tests.billing.stripe_fake import StripeFake
from tests.support.fixtures import Workspace
from tests.support.pages import EN, form_token, sign_in

CHECKOUT_FORM = re.compile(r'action="(/w/[^"]+/admin/billing/payment-method)"')


async def _card_audits(tenant_id: str) -> int:
    async with tenant_scope(uuid.UUID(tenant_id)) as scope:
        return int(await scope.count(AuditEntry).where(AuditEntry.action == "billing.card_saved"))


async def test_a_card_saved_through_checkout_end_to_end(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    await sign_in(client, workspace)
    billing_page = f"/w/{workspace.slug}/admin/billing"
    page = await client.get(billing_page, headers=EN)
    assert page.status_code == 200, page.text[:300]
    assert 'id="payment-method"' in page.text and "Pay by card" in page.text
    assert CHECKOUT_FORM.search(page.text)

    token = await form_token(client, billing_page)
    started = await client.post(
        f"{billing_page}/payment-method", data={"_csrf_token": token}, headers=EN
    )
    # A page that navigates to Stripe (a redirect of the POST to another site
    # would be refused by the CSP's form-action 'self').
    assert started.status_code == 200, started.text[:300]
    assert "form-action 'self'" in started.headers["content-security-policy"]
    [session] = stripe_fake.sessions.values()
    checkout = f"https://checkout.stripe.com/c/pay/{session['id']}"
    assert f'http-equiv="refresh" content="0;url={checkout}"' in started.text
    assert f'href="{checkout}" data-checkout-link' in started.text
    assert session["mode"] == "setup" and session["client_reference_id"] == workspace.tenant_id
    success = urlsplit(session["success_url"])
    assert success.path == f"/w/{workspace.slug}/admin/billing/checkout-return"
    customer = (await subscription(workspace.tenant_id)).gateway_customer_id
    assert customer == session["customer"]

    # Starting again reuses the customer.
    token = await form_token(client, billing_page)
    await client.post(f"{billing_page}/payment-method", data={"_csrf_token": token}, headers=EN)
    assert len(stripe_fake.customers) == 1

    # The admin enters a card on Stripe's page and comes back.
    completed = stripe_fake.complete_checkout(session["id"], card="mastercard")
    back = f"{success.path}?outcome=success&session_id={session['id']}"
    returned = await client.get(back, headers=EN)
    assert returned.status_code == 303 and returned.headers["location"] == billing_page
    saved = await subscription(workspace.tenant_id)
    assert saved.payment_terms == "card" and saved.payment_method_summary == "Mastercard •••• 4444"
    shown = await client.get(billing_page, headers=EN)
    assert "Card saved" in shown.text and "Mastercard •••• 4444" in shown.text
    assert "Replace the card" in shown.text

    # Stripe's webhook arrives after the return page (three times): nothing more changes.
    for _ in range(3):
        assert (await deliver(client, completed)).status_code == 200
    await run_billing_jobs()
    assert await _card_audits(workspace.tenant_id) == 1

    # Abandoned, or another workspace's session: nothing is saved.
    cancel = await client.get(f"{success.path}?outcome=cancel", headers=EN)
    assert cancel.status_code == 303
    assert "No card was saved" in (await client.get(billing_page, headers=EN)).text
    stripe_fake.customers["cus_someone"] = {"id": "cus_someone"}
    stripe_fake.sessions["cs_foreign"] = {**session, "id": "cs_foreign", "customer": "cus_someone"}
    foreign = await client.get(f"{success.path}?outcome=success&session_id=cs_foreign", headers=EN)
    assert foreign.status_code == 303
    assert "does not belong" in (await client.get(billing_page, headers=EN)).text


async def test_without_stripe_the_box_shows_the_bank_details(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await sign_in(client, workspace)
    billing_page = f"/w/{workspace.slug}/admin/billing"
    page = await client.get(billing_page, headers=EN)
    assert page.status_code == 200
    assert "data-iban" in page.text and f"COMPTOIR-{workspace.slug.upper()}" in page.text
    assert not CHECKOUT_FORM.search(page.text)
    token = await form_token(client, billing_page)
    refused = await client.post(
        f"{billing_page}/payment-method", data={"_csrf_token": token}, headers=EN
    )
    assert refused.status_code == 303 and refused.headers["location"] == billing_page
    assert "not available" in (await client.get(billing_page, headers=EN)).text


async def test_a_worker_dying_mid_charge_never_charges_twice(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    """The charge went through at Stripe but the worker died before recording
    it: the job runs again with the same attempt, hence the same idempotency
    key, and Stripe answers the first charge again."""
    await save_test_card(stripe_fake, workspace.tenant_id)
    with mock.patch.object(collect, "queue_collection", autospec=True):
        card_invoice = await issue_invoice(workspace.tenant_id, net="70.00", terms="card")

    async def dies(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("worker killed")

    with mock.patch.object(collect, "mark_invoice_paid", dies), pytest.raises(RuntimeError):
        await collect_invoice(card_invoice.id)
    [pending] = await attempts_of(card_invoice.id)
    assert pending.status == "pending" and len(stripe_fake.charges()) == 1

    assert await collect_invoice(card_invoice.id) == "paid"
    assert await collect_invoice(card_invoice.id) == "nothing"
    [attempt] = await attempts_of(card_invoice.id)
    assert attempt.status == "succeeded"
    assert len(stripe_fake.charges()) == 1  # one PaymentIntent, replayed
    keys = [
        h.get("idempotency-key")
        for m, p, _, h in stripe_fake.requests
        if p == "/v1/payment_intents"
    ]
    assert len(keys) == 2 and keys[0] == keys[1] == attempt.idempotency_key
    assert (await invoice(card_invoice.id)).status == "paid"
    assert Decimal(attempt.amount) == Decimal("84.00")


async def test_a_batch_of_invoices_queues_a_job_per_open_card_invoice(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    from comptoir.platform.jobs.tables import Job

    with (
        mock.patch.object(collect, "queue_collections", autospec=True),
        mock.patch.object(collect, "queue_collection", autospec=True),
    ):
        card = await issue_invoice(workspace.tenant_id, terms="card")
        transfer = await issue_invoice(workspace.tenant_id, terms="bank_transfer")
    assert await Job.count().where(Job.kind == collect.COLLECT) == 0
    assert await collect.queue_collections([card.id, transfer.id]) == 1
    assert await collect.queue_collections([card.id, transfer.id]) == 0  # one job per invoice
    [job] = await Job.objects().where(Job.kind == collect.COLLECT)
    assert str(job.for_tenant_id) == workspace.tenant_id


async def test_a_failure_told_by_the_webhook_after_a_crash_waits_for_the_retry_day(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake
) -> None:
    """The worker died after Stripe declined the card; the webhook records the
    failure; the job's re-run does not charge again before the retry day."""
    await save_test_card(stripe_fake, workspace.tenant_id)
    with mock.patch.object(collect, "queue_collection", autospec=True):
        card_invoice = await issue_invoice(workspace.tenant_id, terms="card")
    stripe_fake.decline_next(1)

    async def dies(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("worker killed")

    with mock.patch.object(collect, "record_failed_payment", dies), pytest.raises(RuntimeError):
        await collect_invoice(card_invoice.id)
    [intent] = stripe_fake.charges()
    failed = stripe_fake.event("payment_intent.payment_failed", dict(intent))
    assert (await deliver(client, failed)).status_code == 200
    await run_billing_jobs()
    [attempt] = await attempts_of(card_invoice.id)
    assert attempt.status == "failed"
    assert (await subscription(workspace.tenant_id)).status == "past_due"
    assert await collect_invoice(card_invoice.id) == "not_due"
    assert len(stripe_fake.charges()) == 1
    # A new card is tried at once.
    await save_test_card(stripe_fake, workspace.tenant_id, card="mastercard")
    await run_billing_jobs()
    assert (await invoice(card_invoice.id)).status == "paid"
    assert (await subscription(workspace.tenant_id)).status == "active"
    assert len(stripe_fake.charges()) == 2
