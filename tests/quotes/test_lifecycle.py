"""A quote's life: numbering when sent (gapless, per workspace and year, even
under concurrent sends), a sent quote never edited, duplicate to revise,
accept, reject, expire; the PDF e-mailed to the contact."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import httpx
import pytest

from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.scope import tenant_scope
from comptoir.tenants.quotes import service
from comptoir.tenants.quotes.history import expire_everywhere
from comptoir.tenants.quotes.tables import Quote
from tests.quotes.support import new_contact, new_quote, send, sendable_quote
from tests.support import databases
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.smtp import Mailbox


async def test_numbers_are_sequential_per_workspace_and_gapless(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    year = dt.date.today().year
    first = await sendable_quote(client, workspace)
    no_email = await new_contact(client, workspace, email="")
    unsendable = await new_quote(client, workspace, contact_id=no_email)
    second = await sendable_quote(client, workspace)
    elsewhere = await sendable_quote(client, other_workspace)

    sent = await send(client, workspace, first["id"])
    assert sent.status_code == 200, sent.text
    assert sent.json()["number"] == f"D-{year}-00001" and sent.json()["status"] == "sent"
    assert sent.json()["issued_on"] == sent.json()["sent_at"][:10] or sent.json()["issued_on"]

    refused = await send(client, workspace, unsendable["id"])
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["contact_id"]
    lineless = await new_quote(client, workspace, contact_id=no_email, lines=[])
    both = await send(client, workspace, lineless["id"])
    assert {e["field"] for e in both.json()["errors"]} == {"contact_id", "lines"}

    # The failed sends took no number.
    assert (await send(client, workspace, second["id"])).json()["number"] == f"D-{year}-00002"
    assert (await send(client, other_workspace, elsewhere["id"])).json()["number"] == (
        f"D-{year}-00001"
    )
    again = await send(client, workspace, first["id"])
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    found = await client.get(
        "/api/v1/quotes", headers=workspace.headers, params={"q": f"D-{year}-00002"}
    )
    assert [q["id"] for q in found.json()["items"]] == [second["id"]]


async def test_each_year_has_its_own_sequence(
    workspace: Workspace, client: httpx.AsyncClient
) -> None:
    tenant_id = uuid.UUID(workspace.tenant_id)
    async with tenant_scope(tenant_id) as scope:
        assert [await service.next_number(scope, 2025) for _ in range(3)] == [1, 2, 3]
        assert await service.next_number(scope, 2026) == 1
    async with tenant_scope(tenant_id) as scope:
        assert await service.next_number(scope, 2025) == 4
    assert service.quote_number(2025, 4) == "D-2025-00004"


async def test_concurrent_sends_get_distinct_consecutive_numbers(
    db: databases.TestDatabase, client: httpx.AsyncClient, workspace: Workspace
) -> None:
    if db.name != "postgres":
        pytest.skip("concurrent transactions are a PostgreSQL matter (SQLite writers take turns)")
    quotes = [await sendable_quote(client, workspace) for _ in range(6)]
    actor = Actor(
        kind="user",
        id=uuid.UUID(workspace.admin_user_id),
        label=workspace.admin_email,
        tenant_id=uuid.UUID(workspace.tenant_id),
        role="admin",
    )
    tenant_id = uuid.UUID(workspace.tenant_id)
    sent = await asyncio.gather(
        *(service.send_quote(tenant_id, q["id"], actor=actor) for q in quotes)
    )
    year = dt.date.today().year
    assert sorted(view.quote.number for view in sent) == [f"D-{year}-{n:05d}" for n in range(1, 7)]


async def test_a_sent_quote_is_never_edited_but_duplicated(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    quote = await sendable_quote(client, workspace)
    url = f"/api/v1/quotes/{quote['id']}"
    changed = await client.patch(url, headers=h, json={"title": "Refonte v2"})
    assert changed.status_code == 200 and changed.json()["title"] == "Refonte v2"
    relined = await client.patch(
        url, headers=h, json={"lines": [{"description": "Forfait", "unit_price": "1200"}]}
    )
    assert relined.json()["total_gross"] == "1440.00" and len(relined.json()["lines"]) == 1
    assert (await send(client, workspace, quote["id"])).status_code == 200
    for method, body in (("PATCH", {"title": "Trop tard"}), ("PUT", {"title": "Trop tard"})):
        refused = await client.request(method, url, headers=h, json=body)
        assert refused.status_code == 409, (method, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.delete(url, headers=h)).status_code == 409
    assert (await client.get(url, headers=h)).json()["title"] == "Refonte v2"

    copy = await client.post(f"{url}/duplicate", headers=h)
    assert copy.status_code == 201, copy.text
    draft = copy.json()
    assert (
        draft["status"] == "draft" and draft["number"] == "" and draft["revision_of"] == quote["id"]
    )
    assert draft["total_gross"] == "1440.00" and draft["lines"][0]["description"] == "Forfait"
    assert (await client.delete(f"/api/v1/quotes/{draft['id']}", headers=h)).status_code == 204


async def test_accept_reject_and_expire(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    kept, refused, late = [await sendable_quote(client, workspace) for _ in range(3)]
    draft = await sendable_quote(client, workspace)
    for quote in (kept, refused, late):
        await send(client, workspace, quote["id"])
    assert (await client.post(f"/api/v1/quotes/{draft['id']}/accept", headers=h)).status_code == 409
    accepted = await client.post(f"/api/v1/quotes/{kept['id']}/accept", headers=h, json={})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_at"]
    no_deal = await client.post(
        f"/api/v1/quotes/{late['id']}/accept", headers=h, json={"win_opportunity": True}
    )
    assert no_deal.status_code == 422
    assert [e["field"] for e in no_deal.json()["errors"]] == ["win_opportunity"]
    rejected = await client.post(f"/api/v1/quotes/{refused['id']}/reject", headers=h)
    assert rejected.json()["status"] == "rejected"
    assert (
        await client.post(f"/api/v1/quotes/{refused['id']}/accept", headers=h)
    ).status_code == 409

    valid_until = dt.date.fromisoformat(
        (await client.get(f"/api/v1/quotes/{late['id']}", headers=h)).json()["valid_until"]
    )
    assert await expire_everywhere(now=dt.datetime.now(dt.UTC)) == 0
    after = dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(12), dt.UTC)
    assert await expire_everywhere(now=after) == 1
    statuses = await client.get("/api/v1/quotes", headers=h, params={"status": "expired"})
    assert [q["id"] for q in statuses.json()["items"]] == [late["id"]]
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        actions = {
            row["action"]
            for row in await scope.select(AuditEntry, AuditEntry.action).where(
                AuditEntry.object_type == "quote"
            )
        }
        drafts = await scope.count(Quote).where(Quote.status == "draft")
    assert {"quote.send", "quote.accept", "quote.reject", "quote.expire"} <= actions
    assert drafts == 1


async def test_the_pdf_goes_to_the_contact_by_e_mail(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    mailbox.clear()
    quote = await sendable_quote(client, workspace)
    number = (await send(client, workspace, quote["id"])).json()["number"]
    assert await deliver_mail() == 1
    [message] = mailbox.to("zoe@client.fr")
    assert number in message["Subject"]
    assert number in mailbox.text_of(message)
    [pdf] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"devis-{number}.pdf"
    body = pdf.get_payload(decode=True)
    assert isinstance(body, bytes) and body.startswith(b"%PDF-") and len(body) > 5000


async def test_the_pdf_answers_at_its_path(client: httpx.AsyncClient, workspace: Workspace) -> None:
    quote = await new_quote(client, workspace)
    response = await client.get(f"/api/v1/quotes/{quote['id']}.pdf", headers=workspace.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"%%EOF" in response.content[-1024:]
    missing = await client.get(
        "/api/v1/quotes/0193a0b0-0000-7000-8000-000000000001.pdf", headers=workspace.headers
    )
    assert missing.status_code == 404


async def test_accepting_can_win_the_opportunity(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    deal = await client.post(
        "/api/v1/opportunities", headers=h, json={"name": "Four à sole", "amount": "12500"}
    )
    assert deal.status_code == 201, deal.text
    quote = await sendable_quote(client, workspace, opportunity_id=deal.json()["id"])
    await send(client, workspace, quote["id"])
    accepted = await client.post(
        f"/api/v1/quotes/{quote['id']}/accept", headers=h, json={"win_opportunity": True}
    )
    assert accepted.status_code == 200, accepted.text
    won = await client.get(f"/api/v1/opportunities/{deal.json()['id']}", headers=h)
    assert won.json()["status"] == "won"
    history = await client.get(f"/api/v1/opportunities/{deal.json()['id']}", headers=h)
    assert history.status_code == 200


async def test_history_and_panel_of_the_account(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    from tests.quotes.support import new_account

    h = workspace.headers
    account_id = await new_account(client, workspace)
    quote = await sendable_quote(client, workspace, account_id=account_id)
    number = (await send(client, workspace, quote["id"])).json()["number"]
    await client.post(f"/api/v1/quotes/{quote['id']}/reject", headers=h)
    timeline = await client.get(f"/api/v1/accounts/{account_id}/timeline", headers=h)
    titles = [item["title"] for item in timeline.json()["items"]]
    assert f"Quote {number} rejected" in titles or f"Devis {number} refusé" in titles
    assert f"Quote {number} sent" in titles or f"Devis {number} envoyé" in titles
    by_account = await client.get("/api/v1/quotes", headers=h, params={"account_id": account_id})
    assert [q["id"] for q in by_account.json()["items"]] == [quote["id"]]


async def test_a_renamed_account_finds_its_quotes(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    from tests.quotes.support import new_account

    h = workspace.headers
    account_id = await new_account(client, workspace, name="Boulangerie Émile")
    quote = await new_quote(client, workspace, account_id=account_id)
    renamed = await client.patch(
        f"/api/v1/accounts/{account_id}", headers=h, json={"name": "Pâtisserie Nouvelle"}
    )
    assert renamed.status_code == 200
    found = await client.get("/api/v1/quotes", headers=h, params={"q": "patisserie"})
    assert [q["id"] for q in found.json()["items"]] == [quote["id"]]
    old = await client.get("/api/v1/quotes", headers=h, params={"q": "boulangerie"})
    assert old.json()["items"] == []
