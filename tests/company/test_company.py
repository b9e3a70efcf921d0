"""The company profile: the API (defaults, whole replacement, checks) and the admin page."""

from __future__ import annotations

import uuid

import httpx

from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.db.scope import tenant_scope
from tests.support.fixtures import Workspace
from tests.support.pages import add_person, post_form, sign_in, sign_in_as

URL = "/api/v1/settings/company"
GOOD = {
    "legal_name": "Atelier Lumière",
    "legal_form": "SAS",
    "address": "12 rue des Lilas",
    "postcode": "69003",
    "city": "Lyon",
    "siren": "732 829 320",
    "vat_number": "fr 44 732829320",
    "email": "contact@atelier-lumiere.fr",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "bic": "AGRIFRPP",
    "quote_validity_days": 45,
    "payment_terms": "30 jours fin de mois.",
}


async def test_defaults_then_saved_whole(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    before = (await client.get(URL, headers=h)).json()
    assert before["legal_name"] == "" and before["quote_validity_days"] == 30
    saved = await client.put(URL, headers=h, json=GOOD)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["siren"] == "732829320" and body["vat_number"] == "FR44732829320"
    assert body["iban"] == "FR7630006000011234567890189" and body["quote_validity_days"] == 45
    assert (await client.get(URL, headers=h)).json() == body
    # A PUT replaces: what is left out takes its default; still one row.
    again = await client.put(URL, headers=h, json={"legal_name": "Atelier Lumière SAS"})
    assert again.json()["city"] == "" and again.json()["quote_validity_days"] == 30
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        actions = await scope.select(AuditEntry, AuditEntry.action).where(
            AuditEntry.action == "company.update"
        )
    assert len(actions) == 2


async def test_checks_name_each_field(client: httpx.AsyncClient, workspace: Workspace) -> None:
    bad = {
        "siren": "732829321",
        "vat_number": "FR00732829320",
        "email": "nope",
        "iban": "FR7630006000011234567890180",
        "bic": "AGRI",
    }
    refused = await client.put(URL, headers=workspace.headers, json=bad)
    assert refused.status_code == 422
    fields = {error["field"] for error in refused.json()["errors"]}
    assert fields == set(bad)
    for days in (0, 366):
        out_of_range = await client.put(
            URL, headers=workspace.headers, json={"quote_validity_days": days}
        )
        assert out_of_range.status_code in (400, 422), days
    other_siren = await client.put(
        URL, headers=workspace.headers, json={"siren": "552100554", "vat_number": "FR44732829320"}
    )
    assert [e["field"] for e in other_siren.json()["errors"]] == ["vat_number"]


async def test_admin_page_saves_and_others_read(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    await sign_in(client, workspace)
    page = f"/w/{workspace.slug}/admin/company"
    shown = await client.get(page)
    assert shown.status_code == 200 and "Company profile" in shown.text
    wrong = await post_form(client, page, page, {"legal_name": "Atelier", "siren": "123"})
    assert wrong.status_code == 422 and 'value="Atelier"' in wrong.text
    form = {k: str(v) for k, v in GOOD.items()}
    saved = await post_form(client, page, page, form)
    assert saved.status_code == 303
    profile = (await client.get(URL, headers=workspace.headers)).json()
    assert profile["legal_name"] == "Atelier Lumière" and profile["city"] == "Lyon"
    user_id = await add_person(client, workspace, "end_user")
    client.cookies.clear()
    await sign_in_as(client, workspace, user_id)
    read_only = await client.get(page)
    assert read_only.status_code == 200 and "Atelier Lumière" in read_only.text
    assert "<fieldset disabled" in read_only.text
