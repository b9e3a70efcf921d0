"""Dunning on a frozen clock: card retries on days 3, 5 and 7, e-mails over
SMTP, transfer reminders, suspension after the grace period, reactivation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import time_machine

from comptoir.billing.dunning.service import sweep
from comptoir.billing.payments.outcomes import SYSTEM, mark_invoice_paid
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_id
from tests.billing.payments_support import (  # noqa: F401 (fixtures)
    attempts_of,
    invoice,
    issue_invoice,
    run_billing_jobs,
    save_test_card,
    stripe_fake_fixture,
    stripe_server_fixture,
    subscription,
    transitions_of,
    utc,
)
from tests.billing.stripe_fake import StripeFake
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.smtp import Mailbox

DAY_0 = utc(2028, 2, 29, 6)  # a leap day: the retries land on March 3, 5 and 7


async def _at(moment: dt.datetime) -> None:
    """What the worker does at ``moment``: the hourly sweep, then due jobs, then mail."""
    await sweep(moment)
    await run_billing_jobs(now=moment)
    await deliver_mail(now=moment)


async def test_a_card_declined_then_paid_at_the_second_retry(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake, mailbox: Mailbox
) -> None:
    with time_machine.travel(DAY_0, tick=False) as clock:
        await save_test_card(stripe_fake, workspace.tenant_id)
        stripe_fake.decline_next(2)
        card_invoice = await issue_invoice(workspace.tenant_id, net="70.00", terms="card")
        await run_billing_jobs(now=DAY_0)
        await deliver_mail(now=DAY_0)
        assert (await subscription(workspace.tenant_id)).status == "past_due"
        current = await invoice(card_invoice.id)
        assert current.status == "open" and current.attempt_count == 1
        assert current.next_attempt_at == utc(2028, 3, 3, 6)
        [first_mail] = mailbox.to(workspace.admin_email)
        text = Mailbox.text_of(first_mail)
        assert card_invoice.number in first_mail["Subject"]
        assert "84,00" in text  # 70 € + 20 % VAT, in French
        assert "3 mars 2028" in text  # the next retry
        assert f"/w/{workspace.slug}/admin/billing" in text

        # Day 2: nothing is due yet.
        clock.move_to(utc(2028, 3, 2, 7))
        await _at(utc(2028, 3, 2, 7))
        assert len(await attempts_of(card_invoice.id)) == 1

        # Day 3: the first retry is declined too.
        clock.move_to(utc(2028, 3, 3, 7))
        await _at(utc(2028, 3, 3, 7))
        attempts = await attempts_of(card_invoice.id)
        assert [a.status for a in attempts] == ["failed", "failed"]
        assert (await invoice(card_invoice.id)).next_attempt_at == utc(2028, 3, 5, 6)
        assert len(mailbox.to(workspace.admin_email)) == 2
        assert "5 mars 2028" in Mailbox.text_of(mailbox.to(workspace.admin_email)[-1])

        # Day 5: the second retry goes through.
        clock.move_to(utc(2028, 3, 5, 7))
        await _at(utc(2028, 3, 5, 7))
        attempts = await attempts_of(card_invoice.id)
        assert [a.status for a in attempts] == ["failed", "failed", "succeeded"]
        assert len({a.idempotency_key for a in attempts}) == 3
        assert [c["amount"] for c in stripe_fake.charges()] == [8400, 8400, 8400]
        paid = await invoice(card_invoice.id)
        assert paid.status == "paid" and paid.next_attempt_at is None
        assert (await subscription(workspace.tenant_id)).status == "active"
        transitions = await transitions_of(workspace.tenant_id)
        assert transitions[-2:] == [
            ("active", "past_due", "payment_failed"),
            ("past_due", "active", "payment_succeeded"),
        ] or transitions[-2:] == [
            ("trialing", "past_due", "payment_failed"),
            ("past_due", "active", "payment_succeeded"),
        ]

        # Day 7 and later: nothing more happens.
        clock.move_to(utc(2028, 3, 8, 7))
        await _at(utc(2028, 3, 8, 7))
        assert len(await attempts_of(card_invoice.id)) == 3


async def test_suspension_after_the_grace_period_and_reactivation_on_payment(
    client: httpx.AsyncClient, workspace: Workspace, stripe_fake: StripeFake, mailbox: Mailbox
) -> None:
    with time_machine.travel(DAY_0, tick=False) as clock:
        await save_test_card(stripe_fake, workspace.tenant_id)
        stripe_fake.decline_next(10)
        card_invoice = await issue_invoice(workspace.tenant_id, terms="card")
        await run_billing_jobs(now=DAY_0)
        for day in (3, 5, 7):
            clock.move_to(utc(2028, 3, day, 7))
            await _at(utc(2028, 3, day, 7))
        assert [a.status for a in await attempts_of(card_invoice.id)] == ["failed"] * 4
        assert (await invoice(card_invoice.id)).next_attempt_at is None  # retries used up
        last = Mailbox.text_of(mailbox.to(workspace.admin_email)[-1])
        assert "10 mars 2028" in last  # the suspension date (grace: 10 days)

        clock.move_to(utc(2028, 3, 9, 23))
        await _at(utc(2028, 3, 9, 23))
        assert (await subscription(workspace.tenant_id)).status == "past_due"

        clock.move_to(utc(2028, 3, 10, 7))
        await _at(utc(2028, 3, 10, 7))
        suspended = await subscription(workspace.tenant_id)
        assert suspended.status == "suspended" and suspended.suspended_at is not None
        tenant = await tenant_by_id(workspace.tenant_id)
        assert tenant is not None and tenant.status == "suspended"
        assert "suspendu" in mailbox.to(workspace.admin_email)[-1]["Subject"]
        # The workspace shows its suspended page; its data is kept.
        refused = await client.get("/api/v1/contacts", headers=workspace.headers)
        assert refused.status_code == 403
        assert refused.json()["type"] == "/problems/tenant-suspended"

        # A transfer arrives: staff mark the invoice paid.
        async with tenant_scope(tenant.id) as scope:
            assert await mark_invoice_paid(
                scope, await invoice(card_invoice.id), gateway="bank_transfer", actor=SYSTEM
            )
        await deliver_mail(now=utc(2028, 3, 10, 7))
        assert (await subscription(workspace.tenant_id)).status == "active"
        tenant = await tenant_by_id(workspace.tenant_id)
        assert tenant is not None and tenant.status == "active"
        assert (await client.get("/api/v1/contacts", headers=workspace.headers)).status_code == 200
        assert "actif" in mailbox.to(workspace.admin_email)[-1]["Subject"]
        causes = [cause for _, _, cause in await transitions_of(workspace.tenant_id)]
        assert causes[-3:] == ["payment_failed", "grace_expired", "payment_succeeded"]
        # Nothing more is charged once paid.
        clock.move_to(utc(2028, 3, 12, 7))
        await _at(utc(2028, 3, 12, 7))
        assert len(stripe_fake.charges()) == 4


async def test_an_overdue_transfer_is_reminded_then_suspended(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    with time_machine.travel(utc(2027, 1, 1, 6), tick=False) as clock:
        transfer = await issue_invoice(workspace.tenant_id, net="100.00", terms="bank_transfer")
        assert transfer.due_date == dt.date(2027, 1, 31)
        await run_billing_jobs(now=utc(2027, 1, 1, 6))
        assert await attempts_of(transfer.id) == []  # a transfer waits: nothing is charged

        clock.move_to(utc(2027, 1, 31, 20))
        await _at(utc(2027, 1, 31, 20))
        assert (await subscription(workspace.tenant_id)).status != "past_due"
        assert mailbox.to(workspace.admin_email) == []

        clock.move_to(utc(2027, 2, 1, 7))
        await _at(utc(2027, 2, 1, 7))
        await _at(utc(2027, 2, 1, 8))  # the next hour's sweep sends nothing more
        assert (await subscription(workspace.tenant_id)).status == "past_due"
        [reminder] = mailbox.to(workspace.admin_email)
        text = Mailbox.text_of(reminder)
        assert transfer.number in reminder["Subject"]
        assert "120,00" in text and "31 janvier 2027" in text
        assert "IBAN" in text and transfer.number in text

        for day in (3, 5, 7):
            clock.move_to(utc(2027, 2, day, 7))
            await _at(utc(2027, 2, day, 7))
        assert len(mailbox.to(workspace.admin_email)) == 4
        assert (await invoice(transfer.id)).attempt_count == 4

        clock.move_to(utc(2027, 2, 11, 7))
        await _at(utc(2027, 2, 11, 7))
        assert (await subscription(workspace.tenant_id)).status == "suspended"
        assert len(mailbox.to(workspace.admin_email)) == 5  # no reminder after the last

        async with tenant_scope(transfer.for_tenant_id) as scope:
            await mark_invoice_paid(scope, await invoice(transfer.id), gateway="bank_transfer")
        assert (await subscription(workspace.tenant_id)).status == "active"
        assert Decimal((await attempts_of(transfer.id))[0].amount) == Decimal("120.00")
