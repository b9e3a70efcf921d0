"""The admin's billing page, its forms, the upgrade page, and ``comptoir billing run``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from comptoir.billing.plans import catalog
from tests.billing.ledger_support import at, frozen, invoices, run_at, signup_at, subscription
from tests.support.pages import form_token, sign_in

EN = {"Accept-Language": "en"}


async def test_the_billing_page_shows_the_plan_seats_estimate_and_invoices(
    client: httpx.AsyncClient,
) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "page-facturation")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    [invoice] = await invoices(ws)
    with frozen(at(2026, 11, 10, 9)):
        await sign_in(client, ws)
        page = await client.get(f"/w/{ws.slug}/admin/billing", headers=EN)
        html = page.text
        assert page.status_code == 200, html
        assert 'data-billing="plan">Pro<' in html
        assert 'data-billing="seats">1<' in html
        assert invoice.number in html
        assert f"/admin/billing/invoices/{invoice.id}.pdf" in html
        assert "Next invoice estimate" in html and "December 2026" in html
        assert "Upgrade now" in html and "Downgrade at the end of the period" in html
        # 21 days of 30 left at (59 - 35) x 1 seat: 16.80 € invoiced today.
        assert "€16.80 excl. VAT invoiced today for the rest of the month" in html
        pdf = await client.get(f"/w/{ws.slug}/admin/billing/invoices/{invoice.id}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        client.cookies.set("lang", "fr", domain="testserver.local", path="/")
        french = await client.get(f"/w/{ws.slug}/admin/billing")
        assert "Facturation" in french.text and "Prochaine facture" in french.text


async def test_the_forms_change_the_plan_and_cancel_with_confirmation(
    client: httpx.AsyncClient,
) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "formulaires", plan="entreprise")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    await sign_in(client, ws)
    url = f"/w/{ws.slug}/admin/billing"
    token = await form_token(client, url)

    down = await client.post(f"{url}/plan", data={"_csrf_token": token, "plan": "pro"})
    assert down.status_code == 303, down.text
    assert (await subscription(ws)).pending_plan == "pro"
    shown = await client.get(url, headers=EN)
    assert "Plan change scheduled" in shown.text

    refused = await client.post(f"{url}/cancel", data={"_csrf_token": token}, headers=EN)
    assert refused.status_code == 422
    assert "Tick the box to confirm the cancellation." in refused.text
    assert not (await subscription(ws)).cancel_at_period_end
    done = await client.post(f"{url}/cancel", data={"_csrf_token": token, "confirm": "yes"})
    assert done.status_code == 303
    assert (await subscription(ws)).cancel_at_period_end
    shown = await client.get(url, headers=EN)
    assert "Your subscription ends with the current period" in shown.text

    bad = await client.post(
        f"{url}/details",
        data={
            "_csrf_token": token,
            "billing_name": "",
            "billing_email": "nope",
            "billing_country": "BE",
            "vat_number": "BE123",
        },
        headers=EN,
    )
    assert bad.status_code == 422
    assert "Is not a valid EU VAT number" in bad.text and 'value="nope"' in bad.text


async def test_a_module_outside_the_plan_shows_the_upgrade_page(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "hors-offre", plan="essentiel")
    # Essentiel without its sales module: the sales pages fall outside it.
    monkeypatch.setitem(catalog.PLAN_MODULES, "essentiel", frozenset({"marketing"}))
    api = await client.get("/api/v1/opportunities", headers=ws.headers)
    assert api.status_code == 403
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["type"] == "/problems/module-not-in-plan"
    await sign_in(client, ws)
    page = await client.get(f"/w/{ws.slug}/opportunities", headers=EN)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    assert "Sales is not included in your plan" in page.text
    assert f'href="/w/{ws.slug}/admin/billing"' in page.text
    assert 'data-plan="pro"' in page.text and "Includes this module" in page.text


async def test_the_api_refuses_a_non_admin(client: httpx.AsyncClient) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "non-admin")
    created = await client.post(
        "/api/v1/users",
        headers=ws.headers,
        json={
            "email": "vendeur@non-admin.fr",
            "first_name": "V",
            "last_name": "D",
            "role": "end_user",
        },
    )
    assert created.status_code == 201
    from comptoir.platform.auth.service import create_api_token
    from comptoir.platform.auth.tables import User
    from comptoir.platform.db.scope import tenant_scope

    async with tenant_scope(uuid.UUID(ws.tenant_id)) as scope:
        user = await scope.get(User, created.json()["id"])
    from comptoir.platform.auth.actor import Actor

    token = await create_api_token(
        uuid.UUID(ws.tenant_id),
        user.id,
        name="t",
        actor=Actor(kind="user", id=user.id, label="v", tenant_id=user.tenant_id, role="end_user"),
    )
    headers = {"Authorization": f"Bearer {token.token}"}
    for method, path in (
        ("GET", "/api/v1/billing/subscription"),
        ("GET", "/api/v1/billing/invoices"),
        ("POST", "/api/v1/billing/subscription/cancel"),
    ):
        answer = await client.request(method, path, headers=headers)
        assert answer.status_code == 403, (path, answer.text)


def test_comptoir_billing_run_invoices_a_month_once(tmp_path: Path) -> None:
    comptoir = str(Path(sys.executable).with_name("comptoir"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "COMPTOIR_SECRET_KEY": "cli-test-secret",
    }
    env.pop("DATABASE_OWNER_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [comptoir, *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run("db", "migrate").returncode == 0
    created = run(
        "tenants",
        "create",
        "--company",
        "Ligne de commande",
        "--slug",
        "cli-billing",
        "--admin-email",
        "admin@cli.fr",
        "--admin-password",
        "Une-phrase-de-passe-solide",
        "--plan",
        "pro",
    )
    assert created.returncode == 0, created.stderr
    # Its trial ended in October (the clock of a separate process cannot be frozen).
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        connection.execute(
            "UPDATE billing_subscriptions SET trial_ends_at = '2026-10-01 00:00:00+00:00'"
        )
    first = run("billing", "run", "--period", "2026-11")
    assert first.returncode == 0, first.stderr
    assert "Billing run 2026-11: 1 invoices created" in first.stdout
    again = run("billing", "run", "--period", "2026-11")
    assert "Billing run 2026-11: 0 invoices created" in again.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as connection:
        rows = connection.execute("SELECT number, period FROM billing_invoices").fetchall()
    assert rows == [("FA00000001", "2026-11")]
    bad = run("billing", "run", "--period", "2026-13")
    assert bad.returncode != 0
    assert "YYYY-MM" in bad.stderr
