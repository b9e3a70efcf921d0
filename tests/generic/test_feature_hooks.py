"""The hooks other areas plug into: plan entitlements, provisioners, and the
domain events of sign-ins and page views."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import httpx
import pytest

from comptoir.platform import events
from comptoir.platform.assembly import all_features
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.features import Feature
from comptoir.tenants.access import permissions
from comptoir.tenants.signup import service as signup
from tests.support.fixtures import STRONG_PASSWORD, Workspace
from tests.support.pages import sign_in


def _with_feature(monkeypatch: pytest.MonkeyPatch, module: object, extra: Feature) -> None:
    features = (*all_features(), extra)
    monkeypatch.setattr(module, "all_features", lambda: features)


@pytest.fixture
def collected() -> Iterator[list[events.DomainEvent]]:
    seen: list[events.DomainEvent] = []

    async def collect(batch: Sequence[events.DomainEvent]) -> None:
        seen.extend(batch)

    events.subscribe(collect)
    yield seen
    events.unsubscribe(collect)


async def test_a_module_outside_the_plan_answers_403_in_the_api_and_on_pages(
    client: httpx.AsyncClient, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def marketing_only(tenant: Tenant) -> frozenset[str]:
        return frozenset({"marketing"})

    gate = Feature(name="test_gate", label="Gate", entitlement=marketing_only)
    _with_feature(monkeypatch, permissions, gate)

    refused = await client.get("/api/v1/opportunities", headers=workspace.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["type"] == "/problems/module-not-in-plan"
    assert body["module"] == "sales"
    assert body["plan"] == "pro"
    # Routes of no module (records every module shares, the user's own things,
    # administration) stay open.
    for shared in ("/api/v1/contacts", "/api/v1/tokens"):
        answer = await client.get(shared, headers=workspace.headers)
        assert answer.status_code == 200, answer.text

    await sign_in(client, workspace)
    page = await client.get(f"/w/{workspace.slug}/opportunities")
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    home = await client.get(f"/w/{workspace.slug}/")
    assert home.status_code == 200


async def test_no_feature_deciding_leaves_every_module_open(
    client: httpx.AsyncClient, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    silent = Feature(name="test_silent", label="Silent", entitlement=lambda tenant: None)
    _with_feature(monkeypatch, permissions, silent)
    listed = await client.get("/api/v1/contacts", headers=workspace.headers)
    assert listed.status_code == 200


async def test_provisioners_run_in_the_signup_transaction(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []

    async def remember(scope: TenantScope, tenant: Tenant, admin: User) -> tuple[str, str]:
        calls.append((str(tenant.slug), str(admin.email)))
        return ("test", "provisioned by a feature")

    _with_feature(
        monkeypatch, signup, Feature(name="test_prov", label="P", provisioners=(remember,))
    )
    created = await client.post(
        "/api/v1/signup",
        json={
            "company_name": "Hooks",
            "slug": "hooks",
            "admin_email": "admin@hooks.fr",
            "admin_password": STRONG_PASSWORD,
            "plan": "essentiel",
        },
    )
    assert created.status_code == 201, created.text
    assert calls == [("hooks", "admin@hooks.fr")]

    async def broken(scope: TenantScope, tenant: Tenant, admin: User) -> None:
        raise RuntimeError("cannot provision")

    _with_feature(
        monkeypatch, signup, Feature(name="test_broken", label="B", provisioners=(broken,))
    )
    failed = await client.post(
        "/api/v1/signup",
        json={
            "company_name": "Broken",
            "slug": "broken",
            "admin_email": "admin@broken.fr",
            "admin_password": STRONG_PASSWORD,
            "plan": "essentiel",
        },
    )
    assert failed.status_code == 500
    # Nothing is left of a signup whose provisioning failed: the address is free again.
    assert await tenant_by_slug("broken") is None


async def test_sign_ins_and_page_views_are_domain_events(
    client: httpx.AsyncClient, workspace: Workspace, collected: list[events.DomainEvent]
) -> None:
    await sign_in(client, workspace)
    await client.get(f"/w/{workspace.slug}/pipeline")
    await client.get(f"/w/{workspace.slug}/pipeline", headers={"HX-Request": "true"})
    names = [(e.name, e.object_type, e.module) for e in collected]
    assert ("user.signed_in", "user", "") in names
    views = [e for e in collected if e.name == "page.viewed"]
    # The home page after sign-in is not fetched here; the board once (an
    # htmx partial is not a page view).
    assert [(v.object_type, v.module) for v in views] == [("opportunities", "sales")]
    assert views[0].actor_role == "admin"
    assert str(views[0].tenant_id) == workspace.tenant_id
