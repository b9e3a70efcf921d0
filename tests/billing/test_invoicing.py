"""Invoices on both engines: a run killed mid-way then re-run, gapless numbers
under concurrent finalisation, reverse charge, credit notes, the PDF read back,
the API's shapes and another tenant's invoice."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from comptoir.billing.invoices.run import RunInterrupted
from comptoir.billing.invoices.service import (
    CreditLine,
    DraftInvoice,
    DraftLine,
    finalise,
    issue,
    issue_credit_note,
)
from comptoir.billing.invoices.tables import BillingRun, Invoice
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.scope import control_scope
from comptoir.platform.errors import ValidationFailed
from tests.billing.ledger_support import (
    at,
    euros,
    frozen,
    invoices,
    lines,
    run_at,
    signup_at,
)
from tests.support.fixtures import Workspace

STAFF = Actor(kind="staff", id=None, label="ops@comptoir.test")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def numbers(found: list[Invoice]) -> list[int]:
    return sorted(int(i.sequence_number) for i in found)


async def test_a_run_killed_mid_way_then_restarted_leaves_no_duplicate_and_no_gap(
    client: httpx.AsyncClient,
) -> None:
    workspaces = [await signup_at(client, at(2026, 10, 1), f"lot-{n}") for n in range(5)]

    async def die_at_the_third(handled: int) -> None:
        if handled == 3:
            raise RunInterrupted("killed")

    with pytest.raises(RunInterrupted):
        await run_at(at(2026, 11, 1, 2), "2026-11", chunk_size=2, interrupt=die_at_the_third)
    first = await invoices()
    assert len(first) == 2  # the first chunk committed, the second rolled back whole
    assert numbers(first) == [1, 2]
    failed = await BillingRun.objects().where(BillingRun.status == "failed").first()
    assert failed is not None and "killed" in failed.error

    result = await run_at(at(2026, 11, 1, 3), "2026-11", chunk_size=2)
    assert result.invoices_created == 3
    again = await run_at(at(2026, 11, 2), "2026-11", chunk_size=2)
    assert again.invoices_created == 0
    found = await invoices()
    assert numbers(found) == [1, 2, 3, 4, 5]
    assert sorted(str(i.for_tenant_id) for i in found) == sorted(w.tenant_id for w in workspaces)
    issued = [i.issued_at for i in sorted(found, key=lambda i: i.sequence_number)]
    assert issued == sorted(issued)  # numbers follow the time of issue


def _draft(tenant_id: uuid.UUID, key: str) -> DraftInvoice:
    return DraftInvoice(
        tenant_id=tenant_id,
        subscription_id=None,
        period="2026-11",
        purpose="manual",
        idempotency_key=key,
        plan="pro",
        vat_mode="standard",
        buyer={"name": "Client"},
        payment_terms="bank_transfer",
        lines=[
            DraftLine(
                kind="subscription",
                description="Ligne",
                quantity=Decimal(1),
                unit_price=Decimal("10.00"),
                vat_rate=Decimal(20),
            )
        ],
    )


async def test_concurrent_finalisations_take_gapless_numbers_in_order(
    client: httpx.AsyncClient,
) -> None:
    """Twenty finalisations at once (each its own transaction, asyncio.gather),
    three of which roll back after taking their number: the numbers that
    remain run 1..17 with no hole, each once, in the order of issue."""
    tenant_id = uuid.uuid4()

    async def finalise_then_fail(key: str) -> None:
        async with control_scope():
            await finalise([_draft(tenant_id, key)])
            raise RuntimeError("the transaction fails after its number was taken")

    async def one(n: int) -> Invoice | None:
        if n % 7 == 3:
            with pytest.raises(RuntimeError):
                await finalise_then_fail(f"fail-{n}")
            return None
        return await issue(_draft(tenant_id, f"key-{n}"))

    made = [i for i in await asyncio.gather(*(one(n) for n in range(20))) if i is not None]
    assert len(made) == 17
    found = await invoices()
    assert numbers(found) == list(range(1, 18))
    assert len({i.number for i in found}) == 17
    ordered = sorted(found, key=lambda i: i.sequence_number)
    assert [i.issued_at for i in ordered] == sorted(i.issued_at for i in ordered)

    # The same key again answers the invoice it made, without a number.
    again = await issue(_draft(tenant_id, "key-0"))
    assert again.id == made[0].id
    assert numbers(await invoices()) == list(range(1, 18))


async def test_two_runs_at_once_invoice_each_subscription_once(client: httpx.AsyncClient) -> None:
    for n in range(4):
        await signup_at(client, at(2026, 10, 1), f"double-{n}")
    with frozen(at(2026, 11, 1, 2)):
        from comptoir.billing.invoices.run import billing_run
        from comptoir.billing.periods import Period

        results = await asyncio.gather(
            billing_run(Period.parse("2026-11"), chunk_size=1),
            billing_run(Period.parse("2026-11"), chunk_size=1),
        )
    assert sum(r.invoices_created for r in results) == 4
    assert numbers(await invoices()) == [1, 2, 3, 4]


async def _reverse_charge_workspace(client: httpx.AsyncClient) -> Workspace:
    ws = await signup_at(client, at(2026, 10, 1), "bruxelles")
    with frozen(at(2026, 10, 20)):
        answer = await client.put(
            "/api/v1/billing/subscription/details",
            headers=ws.headers,
            json={
                "billing_name": "Brasserie de Bruxelles SRL",
                "billing_email": "compta@brasserie.be",
                "billing_address": "Rue Haute 12",
                "billing_postal_code": "1000",
                "billing_city": "Bruxelles",
                "billing_country": "BE",
                "vat_number": "BE 0403.170.701",
            },
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["vat_number"] == "BE0403170701"
    return ws


async def test_an_eu_business_outside_france_is_invoiced_under_reverse_charge(
    client: httpx.AsyncClient,
) -> None:
    ws = await _reverse_charge_workspace(client)
    bad = await client.put(
        "/api/v1/billing/subscription/details",
        headers=ws.headers,
        json={
            "billing_name": "X",
            "billing_email": "x@x.be",
            "billing_country": "BE",
            "vat_number": "BE0403170700",
        },
    )
    assert bad.status_code == 422
    assert any(e["field"] == "vat_number" for e in bad.json()["errors"])
    # A number no country prefix reads (the library raises): a 422 too, not a 500.
    for number in ("\u00dam\u00b8\U00091530&\u00e40\x8d", "ZZ123", "12"):
        odd = await client.put(
            "/api/v1/billing/subscription/details",
            headers=ws.headers,
            json={"billing_name": "X", "billing_email": "x@x.be", "vat_number": number},
        )
        assert odd.status_code == 422, (number, odd.text)
        assert [e["field"] for e in odd.json()["errors"]] == ["vat_number"]

    french = await signup_at(client, at(2026, 10, 1), "lyon")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    [belgian] = await invoices(ws)
    assert belgian.vat_mode == "reverse_charge"
    assert (euros(belgian.total_net), euros(belgian.total_vat)) == (Decimal("35.00"), Decimal(0))
    assert json.loads(belgian.buyer)["vat_number"] == "BE0403170701"
    [local] = await invoices(french)
    assert local.vat_mode == "standard" and euros(local.total_vat) == Decimal("7.00")


def _pdf_text(body: bytes, name: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(body)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


async def test_the_pdf_carries_the_mandatory_french_mentions(
    client: httpx.AsyncClient, db: object
) -> None:
    ws = await _reverse_charge_workspace(client)
    french = await signup_at(client, at(2026, 10, 1), "nantes")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    [local] = await invoices(french)
    answer = await client.get(f"/api/v1/billing/invoices/{local.id}.pdf", headers=french.headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    text = " ".join(_pdf_text(answer.content, f"invoice-{local.number}.pdf").split())
    for mention in (
        "Facture",
        f"N° {local.number}",
        "Comptoir SAS",
        "SIREN : 912 345 675",
        "RCS Lyon 912 345 675",
        "FR65912345675",
        "capital de 10 000 €",
        "Date d'émission",
        "1 novembre 2026",
        "Date d'échéance",
        "1 décembre 2026",
        "Période novembre 2026",
        "Abonnement Pro — 1 utilisateur — novembre",
        "Total HT 35,00 €",
        "Total TVA 7,00 €",
        "Total TTC 42,00 €",
        "20 %",
        "Pénalités de retard",
        "40 €",
        "IBAN FR76 3000 4000 0312 3456 7890 143",
        f"Référence : {local.number}",
        "Société nantes",
    ):
        assert mention in text, f"{mention!r} is missing from the PDF:\n{text}"
    assert "Autoliquidation" not in text

    [belgian] = await invoices(ws)
    answer = await client.get(f"/api/v1/billing/invoices/{belgian.id}.pdf", headers=ws.headers)
    text = " ".join(_pdf_text(answer.content, f"invoice-{belgian.number}.pdf").split())
    for mention in ("Autoliquidation", "BE0403170701", "FR65912345675", "Total TVA 0,00 €"):
        assert mention in text, f"{mention!r} is missing from the reverse-charge PDF:\n{text}"

    note = await issue_credit_note(
        local.id, amount=Decimal("10.00"), reason="Geste commercial", actor=STAFF
    )
    answer = await client.get(f"/api/v1/billing/invoices/{note.id}.pdf", headers=french.headers)
    text = " ".join(_pdf_text(answer.content, f"credit-note-{note.number}.pdf").split())
    for mention in (
        "Avoir",
        f"N° {note.number}",
        f"Montant à déduire de la facture {local.number}",
        "Motif : Geste commercial",
        "Total TTC de l'avoir 12,00 €",
    ):
        assert mention in text, f"{mention!r} is missing from the credit note:\n{text}"


async def test_credit_notes_correct_an_invoice_without_editing_it(
    client: httpx.AsyncClient,
) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "avoirs")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    [invoice] = await invoices(ws)
    before = await lines(invoice)

    with frozen(at(2026, 11, 5)):
        note = await issue_credit_note(
            invoice.id,
            lines=[CreditLine("Jours d'indisponibilité", Decimal(2), Decimal("5.00"))],
            reason="Incident du 3 novembre",
            actor=STAFF,
        )
    assert note.kind == "credit_note" and note.number == "AV00000002"
    assert note.credited_invoice_id == invoice.id
    assert (euros(note.total_net), euros(note.total_gross)) == (Decimal("10.00"), Decimal("12.00"))
    with pytest.raises(ValidationFailed):
        await issue_credit_note(invoice.id, amount=Decimal("30.01"), reason="Trop", actor=STAFF)
    with pytest.raises(ValidationFailed):
        await issue_credit_note(invoice.id, amount=Decimal("-1"), reason="Négatif", actor=STAFF)
    with pytest.raises(ValidationFailed):
        await issue_credit_note(invoice.id, amount=Decimal("1"), reason=" ", actor=STAFF)
    rest = await issue_credit_note(invoice.id, amount=Decimal("25.00"), reason="Solde", actor=STAFF)
    assert euros(rest.total_gross) == Decimal("30.00")

    after = await Invoice.objects().where(Invoice.id == invoice.id).first()
    assert after is not None
    assert (after.status, euros(after.credited_gross)) == ("void", Decimal("42.00"))
    assert (after.number, euros(after.total_gross)) == (invoice.number, euros(invoice.total_gross))
    assert [(line.description, line.total_net) for line in await lines(after)] == [
        (line.description, line.total_net) for line in before
    ]

    answer = await client.get(f"/api/v1/billing/invoices/{invoice.id}", headers=ws.headers)
    body = answer.json()
    assert (body["status"], body["credited_gross"], body["amount_due"]) == ("void", "42.00", "0.00")


async def test_the_invoices_api_answers_the_spec_shapes_and_hides_other_tenants(
    client: httpx.AsyncClient,
) -> None:
    ws = await signup_at(client, at(2026, 10, 1), "api-a")
    other = await signup_at(client, at(2026, 10, 1), "api-b")
    await run_at(at(2026, 11, 1, 2), "2026-11")
    await run_at(at(2026, 12, 1, 2), "2026-12")
    listed = await client.get("/api/v1/billing/invoices", headers=ws.headers, params={"limit": 1})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert set(page) == {"items", "next_cursor"} and page["next_cursor"]
    [item] = page["items"]
    assert item["period"] == "2026-12"  # newest first
    assert item["number"].startswith("FA") and item["status"] == "open"
    assert (item["total_net"], item["total_vat"], item["total_gross"]) == ("35.00", "7.00", "42.00")
    [line] = item["lines"]
    assert (line["quantity"], line["unit_price"], line["vat_rate"]) == ("1", "35.00", "20")
    assert (line["total_net"], line["total_vat"], line["total_gross"]) == ("35.00", "7.00", "42.00")
    following = await client.get(
        "/api/v1/billing/invoices",
        headers=ws.headers,
        params={"limit": 1, "cursor": page["next_cursor"]},
    )
    assert [i["period"] for i in following.json()["items"]] == ["2026-11"]

    read = await client.get(f"/api/v1/billing/invoices/{item['id']}", headers=ws.headers)
    assert read.json() == item
    for path in (
        f"/api/v1/billing/invoices/{item['id']}",
        f"/api/v1/billing/invoices/{item['id']}.pdf",
    ):
        foreign = await client.get(path, headers=other.headers)
        assert foreign.status_code == 404
        assert foreign.headers["content-type"].startswith("application/problem+json")
    theirs = await client.get("/api/v1/billing/invoices", headers=other.headers)
    assert item["id"] not in theirs.text
    subscription = await client.get("/api/v1/billing/subscription", headers=ws.headers)
    body = subscription.json()
    assert body["current_period_end"] == "2027-01-01T00:00:00Z"
    assert {"plan", "status", "seats", "trial_ends_at", "current_period_end"} <= set(body)
