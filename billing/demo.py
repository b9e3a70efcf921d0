"""Demo data of the billing area: each demo workspace is a paying customer
(its trial over, on bank-transfer terms) with this month's invoice, so that
`comptoir demo` shows a billing page and the console's figures."""

from __future__ import annotations

from comptoir.billing.invoices.run import billing_run
from comptoir.billing.periods import Period
from comptoir.billing.subscriptions.service import transition, utcnow
from comptoir.platform.auth.actor import Actor
from comptoir.platform.directory.tables import Tenant

DEMO_ACTOR = Actor(kind="system", id=None, label="demo")


async def seed_billing_demo(tenant: Tenant) -> None:
    await transition(tenant.id, "active", cause="demo", actor=DEMO_ACTOR)
    # The run invoices every subscription due; a second call adds only the new ones.
    await billing_run(Period.of(utcnow()))
