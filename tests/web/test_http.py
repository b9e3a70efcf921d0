"""Health, readiness, OpenAPI and the structured request log."""

from __future__ import annotations

import json

import pytest


async def test_health_and_readiness(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}


async def test_openapi_lists_the_api(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/signup",
        "/api/v1/contacts",
        "/api/v1/users",
        "/api/v1/invitations",
        "/api/v1/tokens",
        "/api/v1/sessions",
    ):
        assert path in paths, path
    assert any(path.startswith("/api/v1/contacts/{") for path in paths)
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    ui = await client.get("/schema/")
    assert ui.status_code == 200 and "swagger-ui" in ui.text.lower()


async def test_request_log_lines_carry_request_tenant_and_user(
    client, workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = await client.get(
        "/api/v1/contacts",
        headers={
            **workspace.headers,
            "X-Request-ID": "req-abc-123",
        },
    )
    assert response.headers["x-request-id"] == "req-abc-123"
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    [request_line] = [
        line
        for line in lines
        if line.get("event") == "request" and line.get("request_id") == "req-abc-123"
    ]
    assert request_line["tenant"] == workspace.slug
    assert request_line["user"] == workspace.admin_user_id
    assert request_line["status"] == 200
    assert request_line["path"] == "/api/v1/contacts"


async def test_unmatched_paths_are_logged_with_a_request_id(
    client, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    request_id = response.headers["x-request-id"]
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    assert any(line.get("request_id") == request_id and line.get("status") == 404 for line in lines)


async def test_pages_carry_hardening_headers(client) -> None:
    page = await client.get("/signup")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["strict-transport-security"].startswith("max-age=")
