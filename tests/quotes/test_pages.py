"""The quote pages: list (filter, search), the editor (lines, live totals, errors
kept), the quote's page and its actions, the PDF, the panels of other records."""

from __future__ import annotations

import httpx

from tests.quotes.support import new_account, new_contact, new_quote, send
from tests.support.fixtures import Workspace
from tests.support.pages import post_form, sign_in


async def test_editor_creates_a_quote_with_its_lines(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    account_id = await new_account(client, workspace)
    contact_id = await new_contact(client, workspace)
    await client.put(
        "/api/v1/settings/company",
        headers=workspace.headers,
        json={
            "legal_name": "Atelier Lumière",
            "quote_validity_days": 15,
            "payment_terms": "À 30 jours.",
        },
    )
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/quotes"
    blank = await client.get(f"{base}/new?account_id={account_id}")
    assert blank.status_code == 200
    assert "À 30 jours." in blank.text and "Boulangerie Émile" in blank.text
    form = {
        "title": "Pains pour l'été",
        "account_id": account_id,
        "contact_id": contact_id,
        "payment_terms": "À 30 jours.",
        "lines-0-description": "Baguettes",
        "lines-0-quantity": "100",
        "lines-0-unit_price": "1,10",
        "lines-0-discount_percent": "0",
        "lines-0-vat_rate": "5.5",
        # A gap in the indices (a row removed in the browser) and a blank row.
        "lines-3-description": "Livraison",
        "lines-3-quantity": "1",
        "lines-3-unit_price": "25",
        "lines-3-discount_percent": "10",
        "lines-3-vat_rate": "20",
        "lines-4-description": "",
        "lines-4-unit_price": "",
    }
    wrong = await post_form(
        client, f"{base}/new", base, {**form, "title": "", "lines-3-unit_price": "douze"}
    )
    assert wrong.status_code == 422
    assert "Baguettes" in wrong.text and "douze" in wrong.text  # nothing typed is lost
    created = await post_form(client, f"{base}/new", base, form)
    assert created.status_code == 303, created.text
    quote_url = created.headers["location"]
    listed = (await client.get("/api/v1/quotes", headers=workspace.headers)).json()["items"]
    [quote] = listed
    assert (quote["total_net"], quote["total_vat"], quote["total_gross"]) == (
        "132.50",
        "10.55",
        "143.05",
    )
    page = await client.get(quote_url)
    assert page.status_code == 200
    assert "Baguettes" in page.text and "Send to the contact" in page.text

    totals = await post_form(
        client,
        f"{base}/new",
        f"{base}/totals",
        {"lines-0-description": "Jour", "lines-0-quantity": "2", "lines-0-unit_price": "500"},
    )
    assert totals.status_code == 200 and "1,200.00" in totals.text.replace("\u202f", ",")


async def test_quote_page_actions_and_read_only_once_sent(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    contact_id = await new_contact(client, workspace, email="")
    quote = await new_quote(client, workspace, contact_id=contact_id)
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/quotes/{quote['id']}"
    refused = await post_form(client, url, f"{url}/send", {})
    assert refused.status_code == 422 and "e-mail address" in refused.text
    await client.patch(
        f"/api/v1/contacts/{contact_id}", headers=workspace.headers, json={"email": "a@b.fr"}
    )
    sent = await post_form(client, url, f"{url}/send", {})
    assert sent.status_code == 303
    page = await client.get(url)
    assert "D-" in page.text and "Send to the contact" not in page.text
    assert (await client.get(f"{url}/edit")).status_code == 303
    changed = await post_form(client, url, url, {"title": "Trop tard", "lines-0-description": "x"})
    assert changed.status_code == 409
    pdf = await client.get(f"{url}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    accepted = await post_form(client, url, f"{url}/accept", {})
    assert accepted.status_code == 303
    assert "Accepted" in (await client.get(url)).text
    duplicated = await post_form(client, url, f"{url}/duplicate", {})
    assert duplicated.status_code == 303 and duplicated.headers["location"].endswith("/edit")
    editor = await client.get(duplicated.headers["location"])
    assert editor.status_code == 200 and "Refonte du site" in editor.text


async def test_list_filters_and_searches(client: httpx.AsyncClient, workspace: Workspace) -> None:
    account_id = await new_account(client, workspace, name="Fromagerie Dubois")
    contact_id = await new_contact(client, workspace)
    sent = await new_quote(
        client, workspace, title="Plateaux", account_id=account_id, contact_id=contact_id
    )
    await new_quote(client, workspace, title="Brouillon divers")
    await send(client, workspace, sent["id"])
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/quotes"
    page = await client.get(base)
    assert "Plateaux" in page.text and "Brouillon divers" in page.text
    only_sent = await client.get(base, params={"status": "sent"}, headers={"HX-Request": "true"})
    assert "Plateaux" in only_sent.text and "Brouillon divers" not in only_sent.text
    by_account = await client.get(base, params={"q": "fromagerie"}, headers={"HX-Request": "true"})
    assert "Plateaux" in by_account.text and "Brouillon divers" not in by_account.text
    account_page = await client.get(f"/w/{workspace.slug}/accounts/{account_id}")
    assert "Plateaux" in account_page.text and "D-" in account_page.text


async def test_a_new_quote_from_an_opportunity_takes_its_links(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    account_id = await new_account(client, workspace, name="Cave Rousseau")
    contact_id = await new_contact(client, workspace)
    deal = await client.post(
        "/api/v1/opportunities",
        headers=workspace.headers,
        json={"name": "Caves voûtées", "account_id": account_id, "contact_id": contact_id},
    )
    assert deal.status_code == 201, deal.text
    await sign_in(client, workspace)
    editor = await client.get(
        f"/w/{workspace.slug}/quotes/new", params={"opportunity_id": deal.json()["id"]}
    )
    assert editor.status_code == 200
    for shown in ("Caves voûtées", "Cave Rousseau", "Zoé Martin", f'value="{contact_id}"'):
        assert shown in editor.text, shown
    deal_page = await client.get(f"/w/{workspace.slug}/opportunities/{deal.json()['id']}")
    assert f"/quotes/new?opportunity_id={deal.json()['id']}" in deal_page.text


async def test_a_refused_change_writes_nothing(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    quote = await new_quote(client, workspace)
    await sign_in(client, workspace)
    url = f"/w/{workspace.slug}/quotes/{quote['id']}"
    form = {
        "title": "Refonte du site",
        "owner_id": "0193a0b0-0000-7000-8000-000000000001",  # no such user
        "lines-0-description": "Autre chose",
        "lines-0-unit_price": "99",
    }
    refused = await post_form(client, f"{url}/edit", url, form)
    assert refused.status_code == 422 and "Autre chose" in refused.text
    kept = (await client.get(f"/api/v1/quotes/{quote['id']}", headers=workspace.headers)).json()
    assert [line["description"] for line in kept["lines"]] == [quote["lines"][0]["description"]]
    assert kept["total_net"] == quote["total_net"]
