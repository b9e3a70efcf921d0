"""The demo is the product's first impression: its data must look like real data."""

from __future__ import annotations

import re
import unicodedata

from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.demo import FIRST_NAMES, TENANTS, TITLES, seed_demo

ADDRESS = re.compile(r"^[a-z0-9.-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.fr$")


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("æ", "ae"))
    return re.findall(r"[a-z0-9]+", plain.encode("ascii", "ignore").decode().lower())


async def test_demo_addresses_are_ascii_on_the_whole_company_name(db) -> None:
    await seed_demo()
    gender = dict(FIRST_NAMES)
    for_men = {man for man, _woman in TITLES}
    for_women = {woman for _man, woman in TITLES}
    seen = 0
    for spec in TENANTS:
        tenant = await tenant_by_slug(str(spec["slug"]))
        assert tenant is not None
        async with tenant_scope(tenant.id) as scope:
            users = await scope.objects(User)
            contacts = await scope.objects(Contact)
            accounts = {a.id: a for a in await scope.objects(Account)}
        for user in users:
            assert user.email.isascii() and ADDRESS.match(user.email), user.email
            assert user.email.endswith("@" + str(spec["domain"]))
        assert len(contacts) >= 30
        for contact in contacts:
            seen += 1
            assert contact.email.isascii() and ADDRESS.match(contact.email), contact.email
            local, domain = contact.email.split("@")
            # The domain spells the whole company name, not a cut of it.
            assert domain == "-".join(_words(contact.company_name)) + ".fr", contact.email
            assert (
                local
                == f"{'-'.join(_words(contact.first_name))}.{'-'.join(_words(contact.last_name))}"
            )
            # Still linked to the account of its company.
            account = accounts[contact.account_id]
            assert account.name == contact.company_name
            # The job title agrees with the person.
            if gender[contact.first_name] == "f":
                assert contact.job_title in for_women, (contact.first_name, contact.job_title)
            else:
                assert contact.job_title in for_men, (contact.first_name, contact.job_title)
    assert seen >= 60


async def test_seeding_the_demo_twice_changes_nothing(db) -> None:
    first = await seed_demo()
    again = await seed_demo()
    assert [line for line in first if "TOTP" not in line] == [
        line for line in again if "TOTP" not in line
    ]


async def test_demo_sales_pages_have_something_to_show(db) -> None:
    """A pipeline with won and lost deals, follow-ups overdue and coming,
    numbered quotes at every status and the seller identity they print."""
    import datetime as dt

    from comptoir.tenants.activities.tables import Activity
    from comptoir.tenants.company.tables import CompanyProfile
    from comptoir.tenants.opportunities.tables import Opportunity
    from comptoir.tenants.quotes.tables import Quote

    await seed_demo()
    now = dt.datetime.now(dt.UTC)
    for spec in TENANTS:
        tenant = await tenant_by_slug(str(spec["slug"]))
        assert tenant is not None
        async with tenant_scope(tenant.id) as scope:
            deals = await scope.objects(Opportunity)
            activities = await scope.objects(Activity)
            quotes = await scope.objects(Quote)
            profile = await scope.objects(CompanyProfile).first()
        assert {d.status for d in deals} == {"open", "won", "lost"}
        open_ones = [a for a in activities if a.done_at is None and a.due_at is not None]
        assert any(a.due_at < now for a in open_ones) and any(a.due_at > now for a in open_ones)
        assert {q.status for q in quotes} == {"draft", "sent", "accepted", "rejected"}
        assert all(q.number.startswith("D-") for q in quotes if q.status != "draft")
        assert profile is not None and profile.siren and profile.vat_number.startswith("FR")


async def test_demo_workspaces_are_paying_customers_with_figures_to_show(db) -> None:
    from comptoir.adoption.roi.service import get_baseline
    from comptoir.adoption.rollups.tables import UsageDay
    from comptoir.billing.invoices.tables import Invoice
    from comptoir.billing.subscriptions.tables import Subscription

    await seed_demo()
    for spec in TENANTS:
        tenant = await tenant_by_slug(str(spec["slug"]))
        assert tenant is not None
        subscription = (
            await Subscription.objects().where(Subscription.for_tenant_id == tenant.id).first()
        )
        assert subscription is not None and subscription.status == "active"
        invoices = await Invoice.objects().where(Invoice.for_tenant_id == tenant.id)
        assert len(invoices) == 1 and invoices[0].number
        async with tenant_scope(tenant.id) as scope:
            days = len(await scope.select(UsageDay, UsageDay.id).limit(5))
        assert days > 0
        assert (await get_baseline(tenant.id)).entered_at is not None
    # Seeding again (the demo restarted) adds nothing.
    await seed_demo()
    assert await Invoice.count() == len(TENANTS)
