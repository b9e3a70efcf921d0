"""Permissions, walked from the app's own routes and the features' manifests.

Every /api/v1 route and every workspace page declares the action it needs;
for every route, each role the manifests do not grant that action gets 403
(problem+json for the API) and nothing of the tenant changes. Under the
own_and_team sharing rule, another team's record answers 404 and is missing
from lists and counts."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from comptoir.platform.assembly import all_features
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.service import create_api_token
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.features import ACTIONS, PERMISSION, SIGNED_IN, default_grants
from comptoir.tenants.teams.service import change_sharing_rule, create_team, set_user_team
from tests.support.api_resources import (
    PAGE_PARAMETERS,
    PARAMETER,
    PROBLEM_JSON,
    RESOURCES,
    IdRoute,
    tenant_rows,
)
from tests.support.fixtures import Workspace

PUBLIC_API = {"/api/v1/signup"}


def _handlers(app: Litestar, prefix: str) -> list[tuple[str, str, Any]]:
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(prefix):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    if method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                        found.append((route.path, method, handler))
    return sorted(found, key=lambda item: (item[0], item[1]))


def test_every_route_declares_a_known_permission() -> None:
    from comptoir.platform.app import create_app

    app = create_app()
    known = {f"{f.name}.{a}" for f in all_features() for a in ACTIONS}
    problems = []
    handlers = _handlers(app, "/api/v1") + _handlers(app, "/w/{slug")
    assert len(handlers) > 30, handlers
    for path, method, handler in handlers:
        if PERMISSION not in handler.opt:
            problems.append(f"{method} {path}: no permission declared")
            continue
        permission = handler.opt[PERMISSION]
        if permission is None:
            if path.startswith("/api/v1") and path not in PUBLIC_API:
                problems.append(f"{method} {path}: an API route cannot be public")
        elif permission != SIGNED_IN and permission not in known:
            problems.append(f"{method} {path}: {permission!r} is no feature's action")
    assert not problems, "\n".join(problems)


async def _member(client: httpx.AsyncClient, ws: Workspace, role: str, n: int = 0) -> Workspace:
    """A user of ``ws`` with ``role``, and their own API token."""
    response = await client.post(
        "/api/v1/users",
        headers=ws.headers,
        json={"email": f"{role}{n}@{ws.slug}.fr", "first_name": role, "role": role},
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    created = await create_api_token(
        tenant.id, uuid.UUID(user_id), name="tests", actor=Actor.system()
    )
    return Workspace(ws.slug, ws.tenant_id, f"{role}{n}@{ws.slug}.fr", user_id, created.token)


async def test_roles_without_the_action_get_403_and_change_nothing(
    app: Litestar, client: httpx.AsyncClient, workspace: Workspace
) -> None:
    grants = default_grants(all_features())
    members = {role: await _member(client, workspace, role) for role in ("key_user", "end_user")}
    created = {prefix: await RESOURCES[prefix].create(client, workspace, 0) for prefix in RESOURCES}
    before = await tenant_rows(workspace.tenant_id)
    checked, failures = 0, []
    for path, method, handler in _handlers(app, "/api/v1"):
        permission = handler.opt.get(PERMISSION)
        if not permission:
            continue
        prefix = path.split("/{", 1)[0].rstrip("/")
        params = PARAMETER.findall(path)
        url = path
        if params:
            record = created[prefix]
            values = {params[0]: record.id, **record.params}
            url = IdRoute(path, tuple(params), (method,)).url(values)
        body = RESOURCES[prefix].body if prefix in RESOURCES else {}
        for role, member in members.items():
            if permission in grants[role]:
                continue
            checked += 1
            kwargs: dict[str, Any] = {"headers": member.headers}
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = body
            response = await client.request(method, url, **kwargs)
            where = f"{role} {method} {path}"
            if response.status_code != 403:
                failures.append(f"{where}: {response.status_code} {response.text[:200]}")
            elif not response.headers["content-type"].startswith(PROBLEM_JSON):
                failures.append(f"{where}: 403 is not problem+json")
    assert checked >= 10, f"only {checked} refusals were checked"
    assert not failures, "\n".join(failures)
    after = await tenant_rows(workspace.tenant_id)
    for table in ("contacts", "accounts", "users", "api_tokens", "invitations", "roles"):
        assert after[table] == before[table], f"a refused call changed {table}"


async def test_pages_refuse_roles_without_the_action(
    app: Litestar, client: httpx.AsyncClient, workspace: Workspace
) -> None:
    """Every workspace page and form, as an end-user: 403 where the role lacks
    the action (nothing changes), 2xx/3xx where it has it (GET only)."""
    from tests.support.pages import sign_in_as

    grants = default_grants(all_features())
    created = {prefix: await RESOURCES[prefix].create(client, workspace, 0) for prefix in RESOURCES}
    end_user = await _member(client, workspace, "end_user")
    await sign_in_as(client, workspace, end_user.admin_user_id)
    page = await client.get(f"/w/{workspace.slug}/")
    before = await tenant_rows(workspace.tenant_id)
    csrf = {"x-csrf-token": client.cookies["comptoir_csrf"], "Accept-Language": "en"}
    refused, failures = 0, []
    for path, method, handler in _handlers(app, "/w/{slug"):
        permission = handler.opt.get(PERMISSION)
        if not permission:
            continue
        values = {"slug": workspace.slug}
        values.update({p: created[PAGE_PARAMETERS[p]].id for p in PARAMETER.findall(path)[1:]})
        url = IdRoute(path, tuple(values), (method,)).url(values)
        allowed = permission in grants["end_user"]
        if allowed and method != "GET":
            continue  # allowed writes are the features' own tests
        kwargs: dict[str, Any] = {"headers": csrf}
        if method != "GET":
            kwargs["data"] = {"name": "Refused", "last_name": "Refused", "role": "admin"}
        response = await client.request(method, url, **kwargs)
        where = f"{method} {path}"
        if not allowed and response.status_code != 403:
            failures.append(f"{where}: {response.status_code}, expected 403")
        if allowed and response.status_code >= 400:
            failures.append(f"{where}: {response.status_code} for a role that may")
        refused += not allowed
    assert page.status_code == 200
    assert refused >= 8, f"only {refused} refusals were checked"
    assert not failures, "\n".join(failures)
    after = await tenant_rows(workspace.tenant_id)
    for table in ("contacts", "accounts", "users", "api_tokens", "invitations", "teams", "roles"):
        assert after[table] == before[table], f"a refused page changed {table}"


async def test_own_and_team_hides_another_teams_records(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    ann = await _member(client, workspace, "end_user", 1)
    bob = await _member(client, workspace, "end_user", 2)
    cat = await _member(client, workspace, "end_user", 3)
    key = await _member(client, workspace, "key_user", 4)
    admin = Actor.system()
    north = await create_team(tenant.id, "Nord", actor=admin)
    south = await create_team(tenant.id, "Sud", actor=admin)
    await set_user_team(tenant.id, ann.admin_user_id, north.id, actor=admin)
    await set_user_team(tenant.id, cat.admin_user_id, north.id, actor=admin)
    await set_user_team(tenant.id, bob.admin_user_id, south.id, actor=admin)
    made = await client.post(
        "/api/v1/contacts", headers=ann.headers, json={"last_name": "Nordiste"}
    )
    assert made.status_code == 201
    contact_id = made.json()["id"]

    await change_sharing_rule(tenant, "own_and_team", actor=admin)
    url = f"/api/v1/contacts/{contact_id}"
    assert (await client.get(url, headers=bob.headers)).status_code == 404
    assert (await client.patch(url, headers=bob.headers, json={"phone": "1"})).status_code == 404
    assert (await client.delete(url, headers=bob.headers)).status_code == 404
    listed = await client.get("/api/v1/contacts", headers=bob.headers, params={"q": "nordiste"})
    assert listed.json()["items"] == []
    for reader in (ann, cat, key, workspace):  # owner, teammate, key user, admin
        assert (await client.get(url, headers=reader.headers)).status_code == 200
    # An end-user cannot hand a record to someone outside their team either.
    handed = await client.patch(url, headers=ann.headers, json={"owner_id": bob.admin_user_id})
    assert handed.status_code == 422

    await change_sharing_rule(tenant, "all", actor=admin)
    assert (await client.get(url, headers=bob.headers)).status_code == 200
