"""The territories administration page: rules in order, their forms, move
up and down, the preview and "Reassign now"."""

from __future__ import annotations

import httpx

from comptoir.platform.jobs.worker import run_due_jobs
from comptoir.tenants.territories.feature import FEATURE
from tests.support.fixtures import Workspace
from tests.support.pages import add_person, post_form, sign_in, sign_in_as


async def test_rules_through_the_page(client: httpx.AsyncClient, workspace: Workspace) -> None:
    seller = await add_person(client, workspace, "end_user")
    await sign_in(client, workspace)
    base = f"/w/{workspace.slug}/admin/territories"
    page = await client.get(f"{base}/")
    assert page.status_code == 200 and "No rules yet" in page.text
    typed = {
        "name": "Lyon",
        "postcode_prefixes": "69, 6x",
        "industries": "Boulangerie",
        "min_employees": "",
        "max_employees": "",
        "owner_id": seller,
        "team_id": "",
    }
    refused = await post_form(client, f"{base}/", f"{base}/", typed)
    assert refused.status_code == 422
    assert "6x" in refused.text and 'value="Boulangerie"' in refused.text
    neither = await post_form(client, f"{base}/", f"{base}/", typed | {"owner_id": ""})
    assert neither.status_code == 422 and "an owner or to a team" in neither.text
    created = await post_form(client, f"{base}/", f"{base}/", typed | {"postcode_prefixes": "69"})
    assert created.status_code == 303, created.text
    second = typed | {"name": "Paris", "postcode_prefixes": "75", "industries": ""}
    assert (await post_form(client, f"{base}/", f"{base}/", second)).status_code == 303
    rules = (await client.get("/api/v1/territories", headers=workspace.headers)).json()["items"]
    assert [r["name"] for r in rules] == ["Lyon", "Paris"]
    paris = rules[1]["id"]
    moved = await post_form(client, f"{base}/", f"{base}/{paris}/move", {"direction": "up"})
    assert moved.status_code == 303
    rules = (await client.get("/api/v1/territories", headers=workspace.headers)).json()["items"]
    assert [r["name"] for r in rules] == ["Paris", "Lyon"]
    edit = await client.get(f"{base}/{paris}/edit")
    assert edit.status_code == 200 and 'value="75"' in edit.text
    saved = await post_form(
        client, f"{base}/{paris}/edit", f"{base}/{paris}", second | {"max_employees": "20"}
    )
    assert saved.status_code == 303, saved.text
    read = await client.get(f"/api/v1/territories/{paris}", headers=workspace.headers)
    assert read.json()["max_employees"] == 20
    unowned = await client.post(
        "/api/v1/accounts",
        headers=workspace.headers,
        json={"name": "Soierie", "postcode": "69002", "industry": "boulangerie"},
    )
    cleared = await client.patch(
        f"/api/v1/accounts/{unowned.json()['id']}",
        headers=workspace.headers,
        json={"owner_id": None},
    )
    assert cleared.status_code == 200
    listing = await client.get(f"{base}/")
    assert "1 account without an owner would get one now." in listing.text
    queued = await post_form(client, f"{base}/", f"{base}/reassign", {"scope": "unowned"})
    assert queued.status_code == 303
    assert await run_due_jobs(kinds=FEATURE.job_kinds) == 1
    after = await client.get(f"{base}/")
    assert "1 of 1 accounts reassigned" in after.text
    account = await client.get(
        f"/api/v1/accounts/{unowned.json()['id']}", headers=workspace.headers
    )
    assert account.json()["owner_id"] == seller
    gone = await post_form(client, f"{base}/", f"{base}/{paris}/delete", {})
    assert gone.status_code == 303
    rules = (await client.get("/api/v1/territories", headers=workspace.headers)).json()["items"]
    assert [r["name"] for r in rules] == ["Lyon"]


async def test_who_sees_the_page(client: httpx.AsyncClient, workspace: Workspace) -> None:
    base = f"/w/{workspace.slug}/admin/territories"
    key_user = await add_person(client, workspace, "key_user")
    await sign_in_as(client, workspace, key_user)
    page = await client.get(f"{base}/")
    assert page.status_code == 200 and "Reassign now" not in page.text
    assert "New rule" not in page.text
    end_user = await add_person(client, workspace, "end_user")
    await sign_in_as(client, workspace, end_user)
    assert (await client.get(f"{base}/")).status_code == 403


async def test_an_account_made_unassigned_on_its_page_follows_the_rules(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    seller = await add_person(client, workspace, "end_user")
    rule = {"name": "Lyon", "postcode_prefixes": ["69"], "owner_id": seller}
    assert (
        await client.post("/api/v1/territories", headers=workspace.headers, json=rule)
    ).is_success
    await sign_in(client, workspace)
    accounts = f"/w/{workspace.slug}/accounts"
    for name, owner in (("Soierie", ""), ("Traboule", workspace.admin_user_id)):
        made = await post_form(
            client,
            f"{accounts}/new",
            f"{accounts}/",
            {"name": name, "postcode": "69001", "owner_id": owner},
        )
        assert made.status_code == 303, made.text
    listed = await client.get(
        "/api/v1/accounts", headers=workspace.headers, params={"sort": "name"}
    )
    owners = {a["name"]: a["owner_id"] for a in listed.json()["items"]}
    assert owners == {"Soierie": seller, "Traboule": workspace.admin_user_id}


async def test_an_end_user_whose_new_account_goes_to_another_territory_is_told(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """Under own_and_team, the account a rule gives away is out of the
    creator's sight: the page says so instead of opening a record they may
    not see (404)."""
    seller = await add_person(client, workspace, "end_user")
    owner = await add_person(client, workspace, "end_user")
    h = workspace.headers
    assert (
        await client.put(
            "/api/v1/settings/sharing", headers=h, json={"sharing_rule": "own_and_team"}
        )
    ).is_success
    rule = {"name": "Lyon", "postcode_prefixes": ["69"], "owner_id": owner}
    assert (await client.post("/api/v1/territories", headers=h, json=rule)).is_success
    await sign_in_as(client, workspace, seller)
    accounts = f"/w/{workspace.slug}/accounts"
    made = await post_form(
        client,
        f"{accounts}/new",
        f"{accounts}/",
        {"name": "Soierie", "postcode": "69001", "owner_id": ""},
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"].rstrip("/") == accounts
    listed = await client.get(made.headers["location"])
    assert listed.status_code == 200
    assert "given to its territory" in listed.text


async def test_the_new_account_form_leaves_the_owner_to_the_rules_when_there_are_some(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """Without rules the form proposes its user as owner; with rules it
    proposes "Unassigned", so that saving it as it is lets them route it."""
    await sign_in(client, workspace)
    form = f"/w/{workspace.slug}/accounts/new"
    mine = f'<option value="{workspace.admin_user_id}" selected'
    assert mine in (await client.get(form)).text
    seller = await add_person(client, workspace, "end_user")
    rule = {"name": "Lyon", "postcode_prefixes": ["69"], "owner_id": seller}
    assert (
        await client.post("/api/v1/territories", headers=workspace.headers, json=rule)
    ).is_success
    assert mine not in (await client.get(form)).text
