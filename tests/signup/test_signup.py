"""POST /api/v1/signup: provisioning, idempotency and bad input."""

from __future__ import annotations

import pytest

from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import provisioning_log
from comptoir.platform.ids import parse_id
from comptoir.tenants.signup.tables import PipelineStage, TicketSla
from comptoir.tenants.users.tables import Role
from tests.support.fixtures import STRONG_PASSWORD

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
