"""The billing console: figures, a tenant's billing page, and the staff
actions (a transfer marked paid, a trial extended, a credit note), each in
the staff audit log."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import httpx
import time_machine

from comptoir.billing.console.service import billing_overview
from comptoir.billing.dunning.service import sweep
from comptoir.billing.invoices.tables import Invoice
from comptoir.billing.subscriptions.service import record_transition
from comptoir.platform.audit.tables import StaffAuditEntry
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_id
from tests.billing.payments_support import (
    attempts_of,
    invoice,
    issue_invoice,
    subscription,
    transitions_of,
    utc,
)
from tests.support.console import console_csrf, signed_in_staff
from tests.support.fixtures import Workspace, make_workspace


async def _staff_post(
    client: httpx.AsyncClient, page: str, url: str, data: dict[str, str]
) -> httpx.Response:
    token = await console_csrf(client, page)
    return await client.post(url, data={"_csrf_token": token, **data})


async def _staff_actions() -> list[str]:
    rows = await StaffAuditEntry.select(StaffAuditEntry.action).order_by(StaffAuditEntry.id)
    return [str(row["action"]) for row in rows]


async def test_staff_mark_a_transfer_paid_and_the_workspace_comes_back(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    with time_machine.travel(utc(2027, 1, 1, 6), tick=False) as clock:
        transfer = await issue_invoice(workspace.tenant_id, net="100.00", terms="bank_transfer")
        clock.move_to(utc(2027, 2, 12, 7))
        for day in (1, 3, 5, 7, 12):
            await sweep(utc(2027, 2, day, 7))
        assert (await subscription(workspace.tenant_id)).status == "suspended"

    await signed_in_staff(client)
    page = f"/console/tenants/{workspace.tenant_id}/billing"
    shown = await client.get(page)
    assert shown.status_code == 200
    assert transfer.number in shown.text and "€120.00" in shown.text
    assert 'data-subscription-status="suspended"' in shown.text

    # An invoice of another tenant is not found through this tenant's page.
    other = await make_workspace(client, "gamma")
    theirs = await issue_invoice(other.tenant_id, terms="bank_transfer")
    refused = await _staff_post(
        client, page, f"{page}/mark-paid", {"invoice_id": str(theirs.id), "note": ""}
    )
    assert refused.status_code == 404
    assert (await invoice(theirs.id)).status == "open"

    done = await _staff_post(
        client, page, f"{page}/mark-paid", {"invoice_id": str(transfer.id), "note": "VIR 0212"}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?done=paid")
    assert (await invoice(transfer.id)).status == "paid"
    [attempt] = await attempts_of(transfer.id)
    assert (attempt.gateway, attempt.status, attempt.amount) == (
        "bank_transfer",
        "succeeded",
        Decimal("120.00"),
    )
    assert attempt.actor_id is not None
    assert (await subscription(workspace.tenant_id)).status == "active"
    tenant = await tenant_by_id(workspace.tenant_id)
    assert tenant is not None and tenant.status == "active"
    assert "billing.mark_paid" in await _staff_actions()
    assert (await transitions_of(workspace.tenant_id))[-1][2] == "payment_succeeded"
    # Twice is refused, with the page telling why.
    again = await _staff_post(
        client, page, f"{page}/mark-paid", {"invoice_id": str(transfer.id), "note": ""}
    )
    assert again.status_code == 409 and 'data-error="mark_paid"' in again.text


async def test_staff_extend_a_trial(client: httpx.AsyncClient, workspace: Workspace) -> None:
    before = (await subscription(workspace.tenant_id)).trial_ends_at
    assert before is not None
    await signed_in_staff(client)
    page = f"/console/tenants/{workspace.tenant_id}/billing"
    bad = await _staff_post(client, page, f"{page}/extend-trial", {"days": "400", "reason": ""})
    assert bad.status_code == 422
    assert "must be a whole number of days" in bad.text and "give a reason" in bad.text
    done = await _staff_post(
        client, page, f"{page}/extend-trial", {"days": "10", "reason": "Pilot extended"}
    )
    assert done.status_code == 303, done.text
    after = (await subscription(workspace.tenant_id)).trial_ends_at
    assert after is not None and after - before == dt.timedelta(days=10)
    assert (await transitions_of(workspace.tenant_id))[-1][2] == "trial_extended"
    assert "billing.trial_extend" in await _staff_actions()


async def test_staff_apply_a_credit_note(client: httpx.AsyncClient, workspace: Workspace) -> None:
    billed = await issue_invoice(workspace.tenant_id, net="70.00", terms="bank_transfer")
    await signed_in_staff(client)
    page = f"/console/tenants/{workspace.tenant_id}/billing"
    too_much = await _staff_post(
        client,
        page,
        f"{page}/credit-note",
        {"invoice_id": str(billed.id), "amount": "500", "reason": "Outage"},
    )
    assert too_much.status_code == 422 and "exceeds" in too_much.text
    done = await _staff_post(
        client,
        page,
        f"{page}/credit-note",
        {"invoice_id": str(billed.id), "amount": "35,00", "reason": "Service outage"},
    )
    assert done.status_code == 303, done.text
    notes = await Invoice.objects().where(
        (Invoice.credited_invoice_id == billed.id) & (Invoice.kind == "credit_note")
    )
    assert [(n.total_net, n.total_gross) for n in notes] == [
        (Decimal("-35.00"), Decimal("-42.00"))
    ] or [(abs(n.total_net), abs(n.total_gross)) for n in notes] == [
        (Decimal("35.00"), Decimal("42.00"))
    ]
    assert (await invoice(billed.id)).credited_gross == Decimal("42.00")
    assert "billing.credit_note" in await _staff_actions()
    shown = await client.get(f"{page}?done=credited")
    assert notes[0].number in shown.text and 'data-flash="credited"' in shown.text


async def test_the_figures(client: httpx.AsyncClient, workspace: Workspace) -> None:
    """MRR and ARR from the subscriptions billed each month, counts per
    status, churn over 30 days."""
    other = await make_workspace(client, "delta")
    third = await make_workspace(client, "epsilon")
    with time_machine.travel(utc(2027, 2, 1, 8), tick=False):
        for ws, seats in ((workspace, 3), (other, 2), (third, 1)):
            sub = await subscription(ws.tenant_id)
            async with tenant_scope(uuid.UUID(ws.tenant_id)):
                await record_transition(sub, to_status="active", cause="trial_ended")
                await sub.update_self({"seats_billed": seats})
    with time_machine.travel(utc(2027, 3, 20, 8), tick=False):
        sub = await subscription(third.tenant_id)
        async with tenant_scope(uuid.UUID(third.tenant_id)):
            await record_transition(sub, to_status="canceled", cause="canceled")
    with time_machine.travel(utc(2027, 3, 25, 8), tick=False):
        overview = await billing_overview()
    # Pro at 35 € a seat: 3 + 2 seats billed (the canceled one no longer counts).
    assert overview.counts["active"] == 2 and overview.counts["canceled"] == 1
    assert overview.billed_seats == 5
    assert overview.mrr == overview.prices["pro"] * 5
    assert overview.arr == overview.mrr * 12
    assert (overview.churned, overview.active_at_start) == (1, 3)
    assert overview.churn_rate == 1 / 3

    await signed_in_staff(client)
    page = await client.get("/console/billing")
    assert page.status_code == 200
    assert re.search(r'data-stat="active".*?stat-value[^>]*>2<', page.text, re.S)
    assert 'href="/console/billing"' in page.text  # the sidebar link
    tenant_page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert f'href="/console/tenants/{workspace.tenant_id}/billing"' in tenant_page.text


async def test_the_billing_console_needs_staff(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    for url in ("/console/billing", f"/console/tenants/{workspace.tenant_id}/billing"):
        response = await client.get(url)
        assert (
            response.status_code in (302, 303) and "/console/login" in response.headers["location"]
        )
    refused = await client.post(
        f"/console/tenants/{workspace.tenant_id}/billing/extend-trial",
        data={"days": "10", "reason": "x"},
    )
    assert refused.status_code in (302, 303, 403)
    assert (await transitions_of(workspace.tenant_id))[-1][2] != "trial_extended"
