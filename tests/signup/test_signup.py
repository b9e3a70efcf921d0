"""POST /api/v1/signup: provisioning, idempotency and bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from comptoir.platform.auth.credentials import hash_password
from comptoir.platform.auth.tables import ApiToken, User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import provisioning_log, tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.ids import parse_id
from comptoir.tenants.opportunities.tables import PipelineStage
from comptoir.tenants.signup.tables import TicketSla
from comptoir.tenants.users.tables import Role
from tests.support.fixtures import STRONG_PASSWORD
from tests.support.pages import EN, post_form

PAYLOAD = {
    "company_name": "Boulangerie Hélène",
    "slug": "boulangerie-helene",
    "admin_email": "Helene@Boulangerie.fr",
    "admin_password": STRONG_PASSWORD,
    "plan": "pro",
}


async def test_signup_provisions_a_usable_workspace(client) -> None:
    response = await client.post("/api/v1/signup", json=PAYLOAD)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["tenant"]["slug"] == "boulangerie-helene"
    assert body["tenant"]["status"] == "trial"
    assert body["tenant"]["plan"] == "pro"
    assert isinstance(body["tenant"]["id"], str)
    tenant_id = parse_id(body["tenant"]["id"])
    assert tenant_id is not None and tenant_id.version == 7

    async with tenant_scope(tenant_id) as scope:
        roles = {r.key for r in await scope.objects(Role)}
        stages = await scope.objects(PipelineStage).order_by(PipelineStage.position)
        slas = {s.priority for s in await scope.objects(TicketSla)}
    steps = {e.step for e in await provisioning_log(tenant_id)}
    assert roles == {"admin", "key_user", "end_user"}
    assert [s.key for s in stages][:2] == ["prospecting", "qualification"]
    assert slas == {"urgent", "high", "normal", "low"}
    assert {"tenant", "admin", "pipeline", "ticket_slas"} <= steps

    # The workspace is usable at once with the returned token.
    headers = {"Authorization": f"Bearer {body['api_token']}"}
    users = await client.get("/api/v1/users", headers=headers)
    assert users.status_code == 200
    [admin] = users.json()["items"]
    assert admin["email"] == "helene@boulangerie.fr"
    assert admin["role"] == "admin"


async def test_same_idempotency_key_returns_the_same_tenant(client) -> None:
    headers = {"Idempotency-Key": "8c1e6a3e-retry"}
    first = await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)
    second = await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["tenant"] == second.json()["tenant"]
    assert second.headers.get("idempotent-replayed") == "true"
    # Both tokens work: each answer carried a token shown once.
    for response in (first, second):
        token = response.json()["api_token"]
        me = await client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200


async def _tokens(tenant_id: str) -> int:
    parsed = parse_id(tenant_id)
    assert parsed is not None
    async with tenant_scope(parsed) as scope:
        return int(await scope.count(ApiToken))


async def _refused_replay(client, headers: dict[str, str], tenant_id: str) -> None:
    before = await _tokens(tenant_id)
    replay = await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)
    assert replay.status_code == 409, replay.text
    assert replay.headers["content-type"].startswith("application/problem+json")
    assert "api_token" not in replay.json() and "already completed" in replay.json()["detail"]
    assert await _tokens(tenant_id) == before  # no token was minted


async def test_a_replay_grants_nothing_once_the_workspace_is_signed_in_to(client) -> None:
    headers = {"Idempotency-Key": "replay-after-sign-in"}
    first = await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)
    assert first.status_code == 201
    tenant_id = first.json()["tenant"]["id"]
    slug = PAYLOAD["slug"]
    signed_in = await post_form(
        client,
        f"/w/{slug}/login",
        f"/w/{slug}/login",
        {"email": PAYLOAD["admin_email"], "password": STRONG_PASSWORD},
    )
    assert signed_in.status_code == 303, signed_in.text
    await _refused_replay(client, headers, tenant_id)


async def test_a_replay_grants_nothing_once_the_admin_password_changed(client) -> None:
    headers = {"Idempotency-Key": "replay-after-password-change"}
    first = await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)
    tenant_id = first.json()["tenant"]["id"]
    parsed = parse_id(tenant_id)
    assert parsed is not None
    async with tenant_scope(parsed) as scope:
        await scope.update(
            User, {User.password_hash: await hash_password("Un-autre-mot-de-passe-2027")}
        )
    await _refused_replay(client, headers, tenant_id)


async def test_a_replay_grants_nothing_after_a_day(client) -> None:
    headers = {"Idempotency-Key": "replay-next-day"}
    first = await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)
    tenant_id = first.json()["tenant"]["id"]
    within = await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)
    assert within.status_code == 201  # a retry within the day, before any sign-in
    day_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=24, minutes=1)
    await Tenant.update({Tenant.created_at: day_ago}).where(Tenant.id == parse_id(tenant_id))
    await _refused_replay(client, headers, tenant_id)


async def test_a_web_signup_creates_no_api_token(client) -> None:
    form = await client.get("/signup", headers=EN)
    key = re.search(r'name="signup_key" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    fields = {
        "signup_key": key,
        "company_name": "Boulangerie Hélène",
        "slug": "boulangerie-helene",
        "admin_email": "helene@boulangerie.fr",
        "admin_password": STRONG_PASSWORD,
        "plan": "pro",
    }
    created = await post_form(client, "/signup", "/signup", fields)
    assert created.status_code == 303, created.text
    tenant = await tenant_by_slug("boulangerie-helene")
    assert tenant is not None
    assert await _tokens(str(tenant.id)) == 0
    # The same form sent again after its first sign-in opens nothing.
    client.cookies.clear()
    again = await post_form(client, "/signup", "/signup", fields)
    assert again.status_code == 422
    assert "This form was already used" in again.text
    assert "comptoir_session=" not in again.headers.get("set-cookie", "")
    assert await _tokens(str(tenant.id)) == 0


async def test_idempotency_key_with_another_request_is_refused(client) -> None:
    headers = {"Idempotency-Key": "reused-key"}
    assert (await client.post("/api/v1/signup", json=PAYLOAD, headers=headers)).status_code == 201
    other = {**PAYLOAD, "slug": "autre-boulangerie"}
    response = await client.post("/api/v1/signup", json=other, headers=headers)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_taken_slug_is_409(client) -> None:
    assert (await client.post("/api/v1/signup", json=PAYLOAD)).status_code == 201
    again = await client.post("/api/v1/signup", json={**PAYLOAD, "admin_email": "x@y.fr"})
    assert again.status_code == 409
    problem = again.json()
    assert problem["status"] == 409 and "already taken" in problem["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", "AB"),
        ("slug", "-leading"),
        ("slug", "admin"),
        ("slug", "a" * 41),
        ("slug", "with space"),
        ("admin_password", "short"),
        ("admin_password", "motdepasse1"),
        ("admin_email", "not-an-email"),
        ("plan", "gratuit"),
    ],
)
async def test_bad_input_is_422_problem(client, field: str, value: str) -> None:
    response = await client.post("/api/v1/signup", json={**PAYLOAD, field: value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert any(e["field"] == field for e in problem["errors"])
    # Nothing was created.
    assert (await client.post("/api/v1/signup", json=PAYLOAD)).status_code == 201


async def test_malformed_json_is_a_problem(client) -> None:
    response = await client.post(
        "/api/v1/signup", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
