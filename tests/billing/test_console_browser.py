"""The billing pages in headless Chromium, against a real ``comptoir serve``:
the console's billing figures, a tenant's billing page where staff mark a
transfer paid, and the tenant admin's payment method box. Screenshots go to
test-artifacts/screenshots/ (billing-*.png) for review.

The ledger is filled through its own services, run against the server's
database from a thread of this process (the browser's event loop owns the
main thread)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyotp
import pytest

from comptoir.billing.gateways.base import CardDetails
from comptoir.billing.payments.collect import _pending_attempt
from comptoir.billing.payments.methods import save_card
from comptoir.billing.subscriptions.service import find_subscription, record_transition
from comptoir.billing.subscriptions.tables import Subscription
from comptoir.platform.db.engine import build_engine, get_engine, set_engine
from comptoir.platform.db.scope import tenant_scope

# The session's live server, shared with tests/browser (imported: pytest finds
# fixtures in a test module's namespace; the parameters below reuse its name).
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LiveServer,
    live_server,  # noqa: F401
    screenshot,
)

pytestmark = pytest.mark.browser

PASSWORD = "Facture-claire-2026-ok"
COMPANIES = [
    ("Imprimerie Lacroix", "imprimerie-lacroix", "pro", 6, "transfer"),
    ("Cabinet Vétérinaire Roux", "veto-roux", "pro", 3, "declined"),
    ("Librairie des Quais", "librairie-quais", "essentiel", 2, "card"),
]


@dataclass
class BillingWorld:
    staff_email: str
    staff_password: str
    secret: str
    tenants: dict[str, str]  # slug -> tenant id
    last_step: int = -1

    def codes(self) -> Iterator[str]:
        """Codes to try: the console takes each time step once, and accepts
        the previous, current and next steps (another module may have used one)."""
        totp = pyotp.TOTP(self.secret)
        current = int(time.time()) // totp.interval
        for step in (current + 1, current, current - 1):
            if step > self.last_step:
                yield totp.generate_otp(step)


def _in_a_thread(work: Any) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(work())
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if errors:
        raise errors[0]


async def _fill_ledger(database_url: str, tenants: dict[str, tuple[str, int, str]]) -> None:
    """Each company active for a month, invoiced; one pays by transfer, one's
    card is declined, one's card is on file."""
    from tests.billing.payments_support import issue_invoice

    previous = get_engine()
    set_engine(build_engine(database_url))
    try:
        for tenant_id, seats, how in tenants.values():
            tid = uuid.UUID(tenant_id)
            async with tenant_scope(tid):
                subscription = await find_subscription(tid)
                assert subscription is not None
                await record_transition(subscription, to_status="active", cause="trial_ended")
                await Subscription.update({Subscription.seats_billed: seats}).where(
                    Subscription.id == subscription.id
                )
            if how in ("card", "declined"):
                async with tenant_scope(tid) as scope:
                    fresh = await find_subscription(tid)
                    assert fresh is not None
                    card = CardDetails(f"pm_{how}_{seats}", "visa", "4242", 12, 2030)
                    await save_card(scope, fresh, card, customer_id=f"cus_{how}_{seats}")
            net = str(Decimal("35.00") * seats)
            invoice = await issue_invoice(
                tenant_id, net=net, terms="bank_transfer" if how == "transfer" else "card"
            )
            if how == "declined":
                from comptoir.billing.dunning.service import record_failed_payment

                attempt, _ = await _pending_attempt(invoice, "stripe", 1)
                async with tenant_scope(tid) as scope:
                    await record_failed_payment(
                        scope,
                        invoice,
                        attempt,
                        error_code="insufficient_funds",
                        error_message="Your card has insufficient funds.",
                    )
    finally:
        set_engine(previous)


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Any]:  # noqa: F811
    """Chromium for this module only (see tests/browser/test_console_browser.py)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> BillingWorld:  # noqa: F811
    from comptoir.platform.console.service import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

    database = live_server.env["DATABASE_URL"]
    with sqlite3.connect(database.removeprefix("sqlite:///")) as db:
        found = db.execute(
            "SELECT totp_secret FROM staff_users WHERE email = ?", (DEMO_STAFF_EMAIL,)
        ).fetchone()
    if found is None:
        out = live_server.cli(
            "staff", "create", "--email", DEMO_STAFF_EMAIL, "--name", "Olivia Ops",
            "--password", DEMO_STAFF_PASSWORD,
        )  # fmt: skip
        secret = re.search(r"secret: (\w+)", out).group(1)  # type: ignore[union-attr]
    else:
        secret = found[0]
    made: dict[str, tuple[str, int, str]] = {}
    for company, slug, plan, seats, how in COMPANIES:
        live_server.cli(
            "tenants", "create", "--company", company, "--slug", slug, "--plan", plan,
            "--admin-email", f"compta@{slug}.fr", "--admin-password", PASSWORD,
        )  # fmt: skip
        with sqlite3.connect(database.removeprefix("sqlite:///")) as db:
            (tenant_id,) = db.execute("SELECT id FROM tenants WHERE slug = ?", (slug,)).fetchone()
        made[slug] = (str(uuid.UUID(str(tenant_id))), seats, how)
    _in_a_thread(lambda: _fill_ledger(database, made))
    return BillingWorld(
        staff_email=DEMO_STAFF_EMAIL,
        staff_password=DEMO_STAFF_PASSWORD,
        secret=secret,
        tenants={slug: tenant_id for slug, (tenant_id, _, _) in made.items()},
    )


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(
        viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Paris", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def _staff_sign_in(page: Any, world: BillingWorld) -> None:
    for code in world.codes():
        page.goto("/console/login?next=/console/billing")
        page.fill("input[name=email]", world.staff_email)
        page.fill("input[name=password]", world.staff_password)
        page.fill("input[name=code]", code)
        page.click("[data-action=sign-in]")
        page.wait_for_load_state()
        if "/console/billing" in page.url and "/login" not in page.url:
            return
    raise AssertionError("the staff member could not sign in")


def test_staff_read_the_figures_and_mark_a_transfer_paid(page: Any, world: BillingWorld) -> None:
    _staff_sign_in(page, world)
    page.wait_for_selector("h1:has-text('Billing')")
    assert page.locator(".sidebar a[href='/console/billing'].is-active").is_visible()
    assert page.locator("[data-stat=past_due] .stat-value").inner_text().strip() != "0"
    assert page.locator("#failed-payments tr[data-failed]").count() >= 1
    assert page.locator("#awaited-transfers tr[data-awaited]").count() >= 1
    screenshot(page, "billing-console-overview")

    page.click("#awaited-transfers a:has-text('Imprimerie Lacroix')")
    page.wait_for_url(re.compile(r"/console/tenants/.+/billing$"))
    assert page.locator("#invoices tr[data-invoice]").count() == 1
    screenshot(page, "billing-console-tenant")
    page.click("[data-action=open-mark-paid]")
    page.fill("input[name=note]", "VIR SEPA 0312")
    screenshot(page, "billing-console-mark-paid", full_page=False)
    page.click("[data-action=mark-paid]")
    page.wait_for_selector("[data-flash=paid]")
    assert page.locator("[data-invoice-status=paid]").count() == 1
    assert page.locator("#payments tr[data-attempt]").count() == 1

    declined = world.tenants["veto-roux"]
    page.goto(f"/console/tenants/{declined}/billing")
    assert page.locator("[data-attempt-status=failed]").count() == 1
    assert page.locator("h1 [data-subscription-status=past_due]").is_visible()
    screenshot(page, "billing-console-tenant-past-due")


def test_the_tenant_admin_sees_the_payment_method(page: Any, world: BillingWorld) -> None:
    for slug, shot in (("imprimerie-lacroix", "transfer"), ("librairie-quais", "card")):
        page.goto(f"/w/{slug}/login")
        page.fill("input[name=email]", f"compta@{slug}.fr")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(rf"/w/{slug}/"))
        page.goto(f"/w/{slug}/admin/billing")
        box = page.locator("#payment-method")
        box.wait_for()
        if shot == "transfer":
            assert "COMPTOIR-IMPRIMERIE-LACROIX" in box.inner_text()
        else:
            assert "Visa •••• 4242" in box.inner_text()
        box.scroll_into_view_if_needed()
        screenshot(page, f"billing-payment-method-{shot}", full_page=False)
        page.context.clear_cookies()
