"""Status changes other sides make through the ledger (dunning, staff), the
trial extension, the first invoice's estimate, and the daily job."""

from __future__ import annotations

import uuid

import httpx
import pytest

from comptoir.billing.invoices.run import DAILY_RUN_JOB
from comptoir.billing.subscriptions import service
from comptoir.platform.auth.actor import Actor
from comptoir.platform.directory.service import tenant_by_id
from comptoir.platform.errors import Conflict, ValidationFailed
from comptoir.platform.jobs.registry import registered_kinds
from tests.billing.ledger_support import at, frozen, run_at, signup_at, subscription

STAFF = Actor(kind="staff", id=None, label="ops@comptoir.test")


async def test_suspension_and_reactivation_are_recorded_and_followed_by_the_directory(
    client: httpx.AsyncClient,
) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "impaye")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    tenant_id = uuid.UUID(ws.tenant_id)
    with frozen(at(2026, 11, 5)):
        await service.transition(tenant_id, "past_due", cause="payment_failed", actor=STAFF)
    with frozen(at(2026, 11, 20)):
        await service.transition(tenant_id, "suspended", cause="grace_expired", actor=STAFF)
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None and tenant.status == "suspended" and tenant.suspended_reason
    refused = await client.get("/api/v1/contacts", headers=ws.headers)
    assert refused.status_code == 403  # suspended: refused, nothing deleted
    with frozen(at(2026, 11, 21)):
        await service.transition(tenant_id, "active", cause="payment_succeeded", actor=STAFF)
        again = await service.transition(tenant_id, "active", cause="again", actor=STAFF)
    assert again.status == "active"
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None and tenant.status == "active" and tenant.suspended_reason is None
    sub = await subscription(ws)
    assert sub.suspended_at is None and sub.past_due_since is None
    assert (await client.get("/api/v1/contacts", headers=ws.headers)).status_code == 200
    with pytest.raises(ValidationFailed):
        await service.transition(tenant_id, "lost", cause="x", actor=STAFF)


async def test_staff_extend_a_trial_before_its_first_invoice(client: httpx.AsyncClient) -> None:
    ws = await signup_at(client, at(2026, 11, 20), "prolonge")
    tenant_id = uuid.UUID(ws.tenant_id)
    with frozen(at(2026, 12, 1)):
        await service.extend_trial(tenant_id, at(2026, 12, 20), actor=STAFF)
        with pytest.raises(ValidationFailed):
            await service.extend_trial(tenant_id, at(2026, 11, 1), actor=STAFF)
        answer = await client.get("/api/v1/billing/subscription", headers=ws.headers)
    body = answer.json()
    assert body["trial_ends_at"] == "2026-12-20T10:00:00Z"
    tenant = await tenant_by_id(ws.tenant_id)
    assert tenant is not None and tenant.trial_ends_at == at(2026, 12, 20)
    # The first invoice: December from the 20th, 12 days of 31 (35 x 12 / 31 = 13.55).
    assert body["next_invoice"]["period"] == "2026-12"
    assert body["next_invoice"]["total_net"] == "13.55"
    result = await run_at(at(2026, 12, 10), "2026-12")
    assert result.invoices_created == 0  # still in its trial
    await run_at(at(2026, 12, 20, 12), "2026-12")
    with frozen(at(2026, 12, 21)), pytest.raises(Conflict):
        await service.extend_trial(tenant_id, at(2027, 1, 15), actor=STAFF)


def test_the_billing_run_is_a_daily_periodic_job() -> None:
    kind = registered_kinds()[DAILY_RUN_JOB]
    assert kind.periodic == "15 2 * * *"
    assert kind.timeout < 30 * 60
