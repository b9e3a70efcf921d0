"""Making quotes and what they link to, through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.support.fixtures import Workspace

LINE = {"description": "Audit de l'existant", "quantity": "2", "unit_price": "450.00"}


async def new_contact(
    client: httpx.AsyncClient, ws: Workspace, email: str = "zoe@client.fr"
) -> str:
    body = {"first_name": "Zoé", "last_name": "Martin", "email": email}
    response = await client.post("/api/v1/contacts", headers=ws.headers, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def new_account(
    client: httpx.AsyncClient, ws: Workspace, name: str = "Boulangerie Émile"
) -> str:
    body = {"name": name, "address": "3 place Bellecour", "postcode": "69002", "city": "Lyon"}
    response = await client.post("/api/v1/accounts", headers=ws.headers, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def new_quote(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"title": "Refonte du site", "lines": [LINE], **fields}
    response = await client.post("/api/v1/quotes", headers=ws.headers, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def sendable_quote(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> dict[str, Any]:
    """A draft with a contact who has an e-mail address."""
    contact_id = await new_contact(client, ws)
    return await new_quote(client, ws, contact_id=contact_id, **fields)


async def send(client: httpx.AsyncClient, ws: Workspace, quote_id: str) -> httpx.Response:
    return await client.post(f"/api/v1/quotes/{quote_id}/send", headers=ws.headers)


def template_contexts() -> dict[str, Callable[[], dict[str, Any]]]:
    """Representative contexts of the quote templates no page renders (the
    PDF and the e-mail), for the suite that renders every template."""
    import datetime as dt
    from decimal import Decimal

    from comptoir.tenants.accounts.tables import Account
    from comptoir.tenants.company.tables import CompanyProfile
    from comptoir.tenants.contacts.tables import Contact
    from comptoir.tenants.quotes.pdf import Formats
    from comptoir.tenants.quotes.service import amounts_of
    from comptoir.tenants.quotes.tables import Quote, QuoteLine

    def pdf_context() -> dict[str, Any]:
        lines = [
            QuoteLine(
                description="Audit",
                quantity=Decimal("2"),
                unit_price=Decimal("450.00"),
                discount_percent=Decimal("10"),
                vat_rate=Decimal("20"),
                total_net=Decimal("810.00"),
                total_vat=Decimal("162.00"),
            )
        ]
        quote = Quote(
            number="D-2026-00001",
            title="Refonte du site",
            status="sent",
            issued_on=dt.date(2026, 11, 30),
            valid_until=dt.date(2026, 12, 30),
            payment_terms="À 30 jours.",
            notes="Merci de votre confiance.",
            created_at=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC),
        )
        return {
            "quote": quote,
            "lines": lines,
            "amounts": amounts_of(lines),
            "seller": CompanyProfile(
                legal_name="Atelier Lumière", siren="732829320", vat_number="FR44732829320"
            ),
            "company_name": "Atelier Lumière",
            "account": Account(name="Boulangerie Émile", city="Lyon"),
            "contact": Contact(first_name="Zoé", last_name="Martin", email="zoe@client.fr"),
            "fmt": Formats("fr"),
            "first_name": "Zoé",
        }

    return {
        name: pdf_context
        for name in (
            "quotes/pdf.html",
            "quotes/email.html",
            "quotes/email.txt",
            "quotes/email.subject.txt",
        )
    }
