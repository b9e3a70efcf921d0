"""/api/v1/territories: rules, their order, the owner a new account gets,
the preview and the reassignment job."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.counters import service as counters
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.jobs.worker import run_due_jobs
from comptoir.tenants.territories.feature import FEATURE
from tests.support.fixtures import Workspace
from tests.support.pages import add_person

API = "/api/v1/territories"


async def _rule(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> dict[str, Any]:
    response = await client.post(API, headers=ws.headers, json=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _account(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/accounts", headers=ws.headers, json=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _team(client: httpx.AsyncClient, ws: Workspace, name: str, members: list[str]) -> str:
    made = await client.post("/api/v1/teams", headers=ws.headers, json={"name": name})
    assert made.status_code == 201, made.text
    team_id = str(made.json()["id"])
    for member in members:
        put = await client.put(f"/api/v1/teams/{team_id}/members/{member}", headers=ws.headers)
        assert put.status_code == 204, put.text
    return team_id


async def _headers_of(client: httpx.AsyncClient, ws: Workspace, user_id: str) -> dict[str, str]:
    token = await client.post(
        "/api/v1/tokens", headers=ws.headers, json={"name": "Vendeur", "user_id": user_id}
    )
    assert token.status_code == 201, token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}


async def _owned(ws: Workspace, owner_id: str) -> int:
    async with tenant_scope(uuid.UUID(ws.tenant_id)) as scope:
        return await counters.owned_count(scope, "accounts", uuid.UUID(owner_id))


async def test_rule_crud_and_validation(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    owner = workspace.admin_user_id
    rule = await _rule(
        client,
        workspace,
        name=" Rhône ",
        postcode_prefixes=["69", "2a", "69"],
        industries=["Boulangerie", " Métallurgie "],
        min_employees=10,
        max_employees=50,
        owner_id=owner,
    )
    assert rule["name"] == "Rhône" and rule["position"] == 0
    assert rule["postcode_prefixes"] == ["69", "2A"]
    assert rule["industries"] == ["Boulangerie", "Métallurgie"]
    assert rule["owner_id"] == owner and rule["team_id"] is None
    bad: list[tuple[dict[str, Any], str]] = [
        ({"name": "X", "postcode_prefixes": ["6a"], "owner_id": owner}, "postcode_prefixes"),
        ({"name": "X", "postcode_prefixes": ["123456"], "owner_id": owner}, "postcode_prefixes"),
        ({"name": "X", "industries": ["a,b"], "owner_id": owner}, "industries"),
        ({"name": "X", "min_employees": 9, "max_employees": 2, "owner_id": owner}, "max_employees"),
        ({"name": "X"}, "owner_id"),
        ({"name": "X", "owner_id": str(uuid.uuid4())}, "owner_id"),
        ({"name": "X", "team_id": str(uuid.uuid4())}, "team_id"),
        ({"name": " ", "owner_id": owner}, "name"),
    ]
    team_id = await _team(client, workspace, "Sud", [])
    bad.append(({"name": "X", "owner_id": owner, "team_id": team_id}, "team_id"))
    for body, field in bad:
        refused = await client.post(API, headers=h, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert field in refused.text, (body, refused.text)
    url = f"{API}/{rule['id']}"
    changed = await client.patch(url, headers=h, json={"owner_id": None, "team_id": team_id})
    assert changed.status_code == 200, changed.text
    assert changed.json()["team_id"] == team_id and changed.json()["owner_id"] is None
    assert changed.json()["postcode_prefixes"] == ["69", "2A"]
    assert (await client.get(url, headers=h)).json() == changed.json()
    half = await client.patch(url, headers=h, json={"owner_id": owner})
    assert half.status_code == 422 and "team_id" in half.text
    assert (await client.delete(url, headers=h)).status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404
    assert "territory.created" in FEATURE.events and "account.assigned" in FEATURE.events
    async with tenant_scope(uuid.UUID(workspace.tenant_id)) as scope:
        rows = await scope.select(AuditEntry, AuditEntry.action).where(
            AuditEntry.object_id == rule["id"]
        )
    assert sorted(row["action"] for row in rows) == [
        "territory.create",
        "territory.delete",
        "territory.update",
    ]


async def test_order_and_reorder(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    owner = workspace.admin_user_id
    ids = [(await _rule(client, workspace, name=n, owner_id=owner))["id"] for n in "ABC"]
    listed = (await client.get(API, headers=h)).json()["items"]
    assert [r["name"] for r in listed] == ["A", "B", "C"]
    moved = await client.post(f"{API}/reorder", headers=h, json={"territory_ids": ids[::-1]})
    assert moved.status_code == 200, moved.text
    listed = (await client.get(API, headers=h, params={"limit": 2})).json()
    assert [r["name"] for r in listed["items"]] == ["C", "B"] and listed["next_cursor"]
    rest = await client.get(API, headers=h, params={"limit": 2, "cursor": listed["next_cursor"]})
    assert [r["name"] for r in rest.json()["items"]] == ["A"]
    partial = await client.post(f"{API}/reorder", headers=h, json={"territory_ids": ids[:2]})
    assert partial.status_code == 422 and "territory_ids" in partial.text


async def test_new_account_goes_to_the_first_matching_rule(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    seller = await add_person(client, workspace, "end_user")
    other = await add_person(client, workspace, "end_user")
    big = await add_person(client, workspace, "end_user")
    await _rule(client, workspace, name="Lyon", postcode_prefixes=["69"], owner_id=seller)
    await _rule(
        client,
        workspace,
        name="Boulangers",
        industries=["Boulangerie Pâtisserie"],
        owner_id=other,
    )
    await _rule(client, workspace, name="Grands", min_employees=100, owner_id=big)
    # The first rule that matches wins, even when a later one matches too.
    lyon = await _account(
        client, workspace, name="A", postcode="69003", industry="Boulangerie pâtisserie"
    )
    assert lyon["owner_id"] == seller
    # Industries ignore case and accents (and spacing).
    baker = await _account(
        client, workspace, name="B", postcode="75011", industry="BOULANGERIE  patisserie"
    )
    assert baker["owner_id"] == other
    # Size criteria: unknown headcount never matches a rule with one.
    large = await _account(client, workspace, name="C", postcode="13001", employees=250)
    assert large["owner_id"] == big
    unknown = await _account(client, workspace, name="D", postcode="13001")
    assert unknown["owner_id"] == workspace.admin_user_id
    small = await _account(client, workspace, name="E", postcode="13001", employees=5)
    assert small["owner_id"] == workspace.admin_user_id
    # An explicit owner is kept.
    kept = await _account(
        client, workspace, name="F", postcode="69001", owner_id=workspace.admin_user_id
    )
    assert kept["owner_id"] == workspace.admin_user_id
    assert await _owned(workspace, seller) == 1 and await _owned(workspace, big) == 1


async def test_team_rule_picks_the_least_loaded_active_member(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    members = sorted([await add_person(client, workspace, "end_user") for _ in range(3)])
    first, second, third = members
    team_id = await _team(client, workspace, "Corse", members)
    await _account(client, workspace, name="Déjà", owner_id=first)
    disabled = await client.patch(f"/api/v1/users/{third}", headers=h, json={"status": "disabled"})
    assert disabled.status_code == 200, disabled.text
    await _rule(client, workspace, name="Corse", postcode_prefixes=["2A", "2B"], team_id=team_id)
    # first owns one, second none, third is disabled: second, then the tie
    # (one each) goes to the smaller id.
    one = await _account(client, workspace, name="Ajaccio", postcode="2A004")
    assert one["owner_id"] == second
    two = await _account(client, workspace, name="Bastia", postcode="2b 200")
    assert two["owner_id"] == min(first, second)


async def test_end_user_creating_an_account_for_a_territory_outside_their_team(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    seller = await add_person(client, workspace, "end_user")
    owner = await add_person(client, workspace, "end_user")
    sharing = {"sharing_rule": "own_and_team"}
    rule = await client.put("/api/v1/settings/sharing", headers=h, json=sharing)
    assert rule.status_code == 200, rule.text
    await _rule(client, workspace, name="Lyon", postcode_prefixes=["69"], owner_id=owner)
    seller_h = await _headers_of(client, workspace, seller)
    made = await client.post(
        "/api/v1/accounts", headers=seller_h, json={"name": "Soierie", "postcode": "69001"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["owner_id"] == owner
    refused = await client.post(
        "/api/v1/accounts", headers=seller_h, json={"name": "X", "owner_id": owner}
    )
    assert refused.status_code == 422


async def test_preview_and_reassign_job(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    seller = await add_person(client, workspace, "end_user")
    admin = workspace.admin_user_id
    # Accounts made before the rule exists: the creator owns them; some lose their owner.
    made = [
        await _account(client, workspace, name=f"Lyon {i}", postcode=f"6900{i}") for i in range(4)
    ]
    paris = await _account(client, workspace, name="Paris", postcode="75001")
    for account in [*made[:3], paris]:
        cleared = await client.patch(
            f"/api/v1/accounts/{account['id']}", headers=h, json={"owner_id": None}
        )
        assert cleared.json()["owner_id"] is None
    await _rule(client, workspace, name="Lyon", postcode_prefixes=["69"], owner_id=seller)
    preview = await client.post(f"{API}/reassign/preview", headers=h, json={})
    assert preview.status_code == 200, preview.text
    assert preview.json() == {"accounts": 3, "only_unowned": True}
    everyone = await client.post(f"{API}/reassign/preview", headers=h, json={"only_unowned": False})
    assert everyone.json()["accounts"] == 4
    started = await client.post(f"{API}/reassign", headers=h, json={"only_unowned": False})
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    again = await client.post(f"{API}/reassign", headers=h, json={})
    assert again.status_code == 202 and again.json()["job_id"] == job_id
    pending = (await client.get(f"{API}/reassign/{job_id}", headers=h)).json()
    assert pending["state"] == "available" and pending["reassigned"] == 0
    assert await run_due_jobs(kinds=FEATURE.job_kinds) == 1
    done = (await client.get(f"{API}/reassign/{job_id}", headers=h)).json()
    assert done["state"] == "succeeded", done
    assert done["reassigned"] == 4 and done["scanned"] == 5
    for account in made:
        read = await client.get(f"/api/v1/accounts/{account['id']}", headers=h)
        assert read.json()["owner_id"] == seller
    assert (await client.get(f"/api/v1/accounts/{paris['id']}", headers=h)).json()[
        "owner_id"
    ] is None
    assert await _owned(workspace, seller) == 4 and await _owned(workspace, admin) == 0
    assert (await client.post(f"{API}/reassign/preview", headers=h, json={})).json()[
        "accounts"
    ] == 0
    history = await client.get(f"/api/v1/accounts/{made[0]['id']}/timeline", headers=h)
    seller_email = (await client.get(f"/api/v1/users/{seller}", headers=h)).json()["email"]
    assert history.status_code == 200 and seller_email in history.text
    assert (await client.get(f"{API}/reassign/{uuid.uuid4()}", headers=h)).status_code == 404


async def test_permissions(client: httpx.AsyncClient, workspace: Workspace) -> None:
    h = workspace.headers
    rule = await _rule(client, workspace, name="Tous", owner_id=workspace.admin_user_id)
    key_user = await _headers_of(client, workspace, await add_person(client, workspace, "key_user"))
    end_user = await _headers_of(client, workspace, await add_person(client, workspace, "end_user"))
    assert (await client.get(API, headers=key_user)).status_code == 200
    assert (await client.get(f"{API}/{rule['id']}", headers=key_user)).status_code == 200
    body = {"name": "X", "owner_id": workspace.admin_user_id}
    assert (await client.post(API, headers=key_user, json=body)).status_code == 403
    assert (await client.post(f"{API}/reassign", headers=key_user, json={})).status_code == 403
    assert (await client.get(API, headers=end_user)).status_code == 403
    assert (await client.get(f"{API}/{rule['id']}", headers=end_user)).status_code == 403
    assert (await client.post(API, headers=end_user, json=body)).status_code == 403
    preview = await client.post(f"{API}/reassign/preview", headers=end_user, json={})
    assert preview.status_code == 403
    assert (await client.get(API, headers=h)).status_code == 200
    bodiless = await client.post(f"{API}/reassign/preview", headers=h)
    assert bodiless.status_code == 200 and bodiless.json()["only_unowned"] is True


async def test_reassign_in_batches_spreads_a_team_and_resumes(
    client: httpx.AsyncClient, workspace: Workspace, monkeypatch: Any
) -> None:
    from comptoir.platform import events
    from comptoir.platform.auth.actor import Actor
    from comptoir.tenants.territories import reassign

    h = workspace.headers
    members = sorted([await add_person(client, workspace, "end_user") for _ in range(2)])
    team_id = await _team(client, workspace, "Rhône", members)
    accounts = [
        await _account(client, workspace, name=f"Compte {i}", postcode="69001") for i in range(7)
    ]
    for account in accounts:
        await client.patch(f"/api/v1/accounts/{account['id']}", headers=h, json={"owner_id": None})
    await _rule(client, workspace, name="Rhône", postcode_prefixes=["69"], team_id=team_id)
    assert (await client.post(f"{API}/reassign/preview", headers=h, json={})).json()[
        "accounts"
    ] == 7
    monkeypatch.setattr(reassign, "BATCH", 3)
    seen: list[events.DomainEvent] = []

    async def listen(batch: Any) -> None:
        seen.extend(e for e in batch if e.name == "account.assigned")

    events.subscribe(listen)
    try:
        started = await client.post(f"{API}/reassign", headers=h, json={})
        job_id = uuid.UUID(started.json()["job_id"])
        # A first batch done by an attempt that then died: the job resumes after it.
        tenant_id = uuid.UUID(workspace.tenant_id)
        actor = Actor(kind="user", id=uuid.UUID(workspace.admin_user_id), label="admin")
        async with tenant_scope(tenant_id) as scope:
            after, more = await reassign._apply_batch(
                scope, job_id, None, only_unowned=True, actor=actor
            )
        assert more and after is not None
        assert await run_due_jobs(kinds=FEATURE.job_kinds) == 1
    finally:
        events.unsubscribe(listen)
    done = (await client.get(f"{API}/reassign/{job_id}", headers=h)).json()
    assert done["state"] == "succeeded" and done["reassigned"] == 7 and done["scanned"] == 7
    owners = [
        (await client.get(f"/api/v1/accounts/{a['id']}", headers=h)).json()["owner_id"]
        for a in accounts
    ]
    assert sorted(owners.count(m) for m in members) == [3, 4]
    assert sorted([await _owned(workspace, m) for m in members]) == [3, 4]
    assert len(seen) == 7 and {e.module for e in seen} == {"sales"}
    assert {e.object_id for e in seen} == {a["id"] for a in accounts}
