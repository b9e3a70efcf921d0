"""Billing: the uniqueness Piccolo cannot declare on both engines, the lookup
indexes of the billing run and dunning, the one invoice number sequence, the
first price of each plan, and a subscription for each workspace that existed
before billing did."""

import datetime as dt
import uuid

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from comptoir.platform.db.ddl import run_ddl
from comptoir.platform.ids import new_id

ID = "2026-12-01T02:18:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "billing indexes, the invoice number sequence, plan prices, existing subscriptions"

# The prices the product launched with, in euros per seat per month excl. VAT.
FIRST_PRICES = {"essentiel": "19.00", "pro": "35.00", "entreprise": "59.00"}
FIRST_PERIOD = "2000-01"


async def create_indexes() -> None:
    await run_ddl(
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_billing_plan_prices_plan_from "
        "ON billing_plan_prices (plan, effective_from)",
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_billing_invoices_purpose_key "
        "ON billing_invoices (purpose, idempotency_key)",
        "CREATE INDEX IF NOT EXISTS ix_billing_invoices_tenant_created "
        "ON billing_invoices (for_tenant_id, created_at, id)",
        "CREATE INDEX IF NOT EXISTS ix_billing_invoices_status_next_attempt "
        "ON billing_invoices (status, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS ix_billing_invoices_period "
        "ON billing_invoices (period, purpose)",
        "CREATE INDEX IF NOT EXISTS ix_billing_seat_changes_unbilled "
        "ON billing_seat_changes (subscription_id, period, invoice_id)",
        "CREATE INDEX IF NOT EXISTS ix_billing_subscriptions_status "
        "ON billing_subscriptions (status, trial_ends_at)",
        "CREATE INDEX IF NOT EXISTS ix_billing_transitions_at "
        "ON billing_subscription_transitions (to_status, at)",
    )


async def seed() -> None:
    engine = engine_finder()
    assert engine is not None
    now = str(dt.datetime.now(dt.UTC))
    await engine.run_ddl(
        "INSERT INTO billing_invoice_sequences (id, name, last_number, updated_at) "
        f"VALUES ('{new_id()}', 'invoices', 0, '{now}')"
    )
    for plan, price in FIRST_PRICES.items():
        await engine.run_ddl(
            "INSERT INTO billing_plan_prices "
            "(id, plan, effective_from, price_per_seat, currency, note, created_at) "
            f"VALUES ('{new_id()}', '{plan}', '{FIRST_PERIOD}', {price}, 'EUR', "
            f"'launch price', '{now}')"
        )


async def subscribe_existing_tenants() -> None:
    """Workspaces made before billing get the subscription signup now gives:
    a trial keeps its end date, an active workspace starts on bank-transfer
    terms, a suspended one stays suspended."""
    engine = engine_finder()
    assert engine is not None
    rows = await engine.run_ddl("SELECT id, plan, status, trial_ends_at, company_name FROM tenants")
    now = dt.datetime.now(dt.UTC)
    for row in rows or []:
        tenant_id = str(uuid.UUID(str(row["id"])))
        plan = row["plan"] if row["plan"] in FIRST_PRICES else "essentiel"
        status = {"trial": "trialing", "suspended": "suspended"}.get(row["status"], "active")
        trial_ends = row["trial_ends_at"]
        trial_sql = f"'{trial_ends}'" if trial_ends is not None else "NULL"
        if status == "trialing" and trial_ends is None:
            trial_sql = f"'{now + dt.timedelta(days=14)}'"
        subscription_id = new_id()
        name = str(row["company_name"] or "").replace("'", "''")
        await engine.run_ddl(
            "INSERT INTO billing_subscriptions (id, for_tenant_id, plan, status, trial_ends_at, "
            "current_period_start, current_period_end, seats_billed, billed_through, "
            "cancel_at_period_end, canceled_at, pending_plan, payment_terms, gateway, "
            "gateway_customer_id, payment_method_id, payment_method_summary, past_due_since, "
            "suspended_at, billing_name, billing_address, billing_postal_code, billing_city, "
            "billing_country, vat_number, billing_email, created_at, updated_at) VALUES "
            f"('{subscription_id}', '{tenant_id}', '{plan}', '{status}', {trial_sql}, "
            f"NULL, NULL, 0, '', false, NULL, NULL, 'bank_transfer', 'bank_transfer', NULL, "
            f"NULL, '', NULL, NULL, '{name}', '', '', '', 'FR', '', '', '{now}', '{now}')"
        )
        await engine.run_ddl(
            "INSERT INTO billing_subscription_transitions (id, for_tenant_id, subscription_id, "
            "from_status, to_status, from_plan, to_plan, cause, detail, actor_id, actor_kind, "
            f"at) VALUES ('{new_id()}', '{tenant_id}', '{subscription_id}', NULL, '{status}', "
            f"NULL, '{plan}', 'migrated', 'subscription created for an existing workspace', "
            f"NULL, 'system', '{now}')"
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw(seed)
    manager.add_raw(subscribe_existing_tenants)
    return manager
