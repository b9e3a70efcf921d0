"""Tenant isolation over the whole API, walked from the app's own routes.

Every ``/api/v1`` route that takes an id is called with tenant B's token and an
id of tenant A's, with every method it answers. Each call must answer 404
problem+json exactly like a random UUIDv7 that exists nowhere, and change
nothing of A's (every row of every tenant table is compared before and after,
and A reads each record back unchanged). Lists read with B's token never show
any of A's ids.

The routes are not listed here: they are read from ``app.routes``. What is
listed is how to create a record of each kind (``RESOURCES`` in
tests/support/api_resources.py), so that a new
route that takes an id fails ``test_every_id_route_has_a_creator`` until it
gets one."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from comptoir.platform.auth.service import open_session
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.ids import new_id
from tests.support.api_resources import (
    NOT_RECORD_IDS,
    PAGE_PARAMETERS,
    PARAMETER,
    PROBLEM_JSON,
    RESOURCES,
    IdRoute,
    _methods,
    id_routes,
    list_routes,
    tenant_rows,
)
from tests.support.fixtures import Workspace


def _missing_creators(routes: list[IdRoute]) -> list[str]:
    return sorted({r.path for r in routes if r.prefix not in RESOURCES})


def test_every_id_route_has_a_creator() -> None:
    from comptoir.platform.app import create_app

    routes = id_routes(create_app())
    # The walk itself must see the routes we know, or it proves nothing.
    assert any(r.path.startswith("/api/v1/contacts/{") for r in routes), routes
    missing = _missing_creators(routes)
    assert not missing, (
        "These /api/v1 routes take an id but tests/support/api_resources.py cannot create a "
        f"record for them, so their tenant isolation is unchecked: {missing}. Add an entry "
        "for their path prefix to RESOURCES."
    )


def _ids_of(rows: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {str(row["id"]) for table_rows in rows.values() for row in table_rows}


def _comparable(response: httpx.Response) -> dict[str, Any]:
    body = dict(response.json())
    body.pop("instance", None)
    return body


async def _call(
    client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], body: Any
) -> httpx.Response:
    if method in ("POST", "PUT", "PATCH"):
        return await client.request(method, url, headers=headers, json=body)
    return await client.request(method, url, headers=headers)


async def test_another_tenants_ids_answer_404_on_every_route(
    app: Litestar, client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    routes = id_routes(app)
    missing = _missing_creators(routes)
    assert not missing, f"No creator in RESOURCES for {missing}"

    created = {prefix: await RESOURCES[prefix].create(client, workspace, 0) for prefix in RESOURCES}
    before_reads = {prefix: await c.read(client) for prefix, c in created.items()}
    before_rows = await tenant_rows(workspace.tenant_id)

    failures: list[str] = []
    calls = 0
    for route in routes:
        record = created[route.prefix]
        values = {route.params[0]: record.id, **record.params}
        unknown = [p for p in route.params if p not in values]
        assert not unknown, f"{route.path}: the creator gives no value for {unknown}"
        random_values = {p: str(new_id()) for p in route.params}
        body = RESOURCES[route.prefix].body
        for method in route.methods:
            calls += 1
            foreign = await _call(client, method, route.url(values), other_workspace.headers, body)
            nowhere = await _call(
                client, method, route.url(random_values), other_workspace.headers, body
            )
            where = f"{method} {route.path}"
            if foreign.status_code != 404:
                failures.append(f"{where}: {foreign.status_code} {foreign.text[:200]}")
                continue
            if not foreign.headers["content-type"].startswith(PROBLEM_JSON):
                failures.append(f"{where}: 404 is not problem+json")
                continue
            if nowhere.status_code != 404 or _comparable(foreign) != _comparable(nowhere):
                failures.append(
                    f"{where}: another tenant's id answers {foreign.text} but an unknown "
                    f"id answers {nowhere.status_code} {nowhere.text}"
                )
    assert calls >= 5, f"the walk made only {calls} calls: {routes}"
    assert not failures, "Tenant B reached tenant A's records:\n" + "\n".join(failures)

    after_rows = await tenant_rows(workspace.tenant_id)
    for table, rows in before_rows.items():
        assert after_rows[table] == rows, f"tenant B's calls changed A's rows in {table}"
    for prefix, record in created.items():
        assert await record.read(client) == before_reads[prefix], f"A's {prefix} record changed"


async def test_lists_never_show_another_tenants_ids(
    app: Litestar, client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    for prefix in RESOURCES:
        await RESOURCES[prefix].create(client, workspace, 0)
        await RESOURCES[prefix].create(client, other_workspace, 0)
    a_ids = _ids_of(await tenant_rows(workspace.tenant_id))
    b_ids = _ids_of(await tenant_rows(other_workspace.tenant_id))
    assert a_ids and not a_ids & b_ids

    paths = list_routes(app)
    assert "/api/v1/contacts" in paths, paths
    seen_b = False
    for path in paths:
        response = await client.get(path, headers=other_workspace.headers, params={"limit": 200})
        assert response.status_code < 500, f"GET {path}: {response.text}"
        leaked = sorted(i for i in a_ids if i in response.text)
        assert not leaked, f"GET {path} with B's token shows A's ids {leaked}"
        seen_b = seen_b or any(i in response.text for i in b_ids)
    assert seen_b, "B's lists showed none of B's own records: the check proves nothing"


async def test_another_tenants_user_cannot_own_a_contact(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    """Ids in a body are checked like ids in a path: A's user is 'no such user' for B."""
    answers = []
    for owner in (workspace.admin_user_id, str(new_id())):
        response = await client.post(
            "/api/v1/contacts",
            headers=other_workspace.headers,
            json={"last_name": "Durand", "owner_id": owner},
        )
        assert response.status_code == 422, response.text
        answers.append(_comparable(response))
    assert answers[0] == answers[1]


# ---------------------------------------------------------------------------
# The same walk over the workspace pages (/w/{slug}/...), signed in as B's admin.

WORKSPACE_PREFIX = "/w/{slug"
# Which kind of record each id parameter of a page names (an API prefix of RESOURCES).
CSRF_VALUE = re.compile(r"[A-Za-z0-9_\-]{40,}")


def page_routes(app: Litestar) -> list[IdRoute]:
    """Every workspace page with a record id in its path, and its methods."""
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(WORKSPACE_PREFIX):
            params = tuple(PARAMETER.findall(route.path))
            ids = tuple(p for p in params if p not in NOT_RECORD_IDS)
            if ids and _methods(route):
                found.append(IdRoute(route.path, ids, _methods(route)))
    return sorted(found, key=lambda r: r.path)


def test_every_page_id_parameter_is_known() -> None:
    from comptoir.platform.app import create_app

    routes = page_routes(create_app())
    unknown = sorted({(r.path, p) for r in routes for p in r.params if p not in PAGE_PARAMETERS})
    assert not unknown, (
        "These workspace pages take an id tests/generic/test_isolation.py does not know how to "
        f"create, so their tenant isolation is unchecked: {unknown}. Map the parameter in "
        "PAGE_PARAMETERS (or in NOT_RECORD_IDS, with the reason)."
    )


async def _sign_in_with_cookie(client: httpx.AsyncClient, ws: Workspace) -> None:
    """A browser session of the workspace's admin, and the CSRF cookie a page sets."""
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        admin = await scope.get(User, ws.admin_user_id)
    opened = await open_session(tenant, admin, ip_address="198.51.100.5", user_agent="Firefox")
    client.cookies.set(
        "comptoir_session", opened.token, domain="testserver.local", path=f"/w/{ws.slug}"
    )
    home = await client.get(f"/w/{ws.slug}/contacts")
    assert home.status_code == 200, f"B's session does not open B's pages: {home.status_code}"
    assert "comptoir_csrf" in client.cookies


def _page_text(response: httpx.Response) -> str:
    return CSRF_VALUE.sub("<token>", response.text)


async def test_another_tenants_ids_answer_404_on_every_page(
    app: Litestar, client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    routes = page_routes(app)
    if not routes:
        pytest.skip("no workspace page takes a record id")
    created = {prefix: await RESOURCES[prefix].create(client, workspace, 0) for prefix in RESOURCES}
    before_rows = await tenant_rows(workspace.tenant_id)
    await _sign_in_with_cookie(client, other_workspace)
    csrf = {"x-csrf-token": client.cookies["comptoir_csrf"], "Accept-Language": "en"}

    failures: list[str] = []
    calls = 0
    for route in routes:
        unknown = [p for p in route.params if p not in PAGE_PARAMETERS]
        assert not unknown, f"{route.path}: no record kind for {unknown}"
        values = {"slug": other_workspace.slug}
        values.update({p: created[PAGE_PARAMETERS[p]].id for p in route.params})
        random_values = {"slug": other_workspace.slug, **{p: str(new_id()) for p in route.params}}
        for method in route.methods:
            calls += 1
            kwargs: dict[str, Any] = {"headers": csrf}
            if method != "GET":
                kwargs["data"] = {"last_name": "Changed by another tenant"}
            foreign = await client.request(method, route.url(values), **kwargs)
            nowhere = await client.request(method, route.url(random_values), **kwargs)
            where = f"{method} {route.path}"
            if foreign.status_code != 404:
                failures.append(f"{where}: {foreign.status_code} {foreign.text[:200]}")
            elif nowhere.status_code != 404 or _page_text(foreign) != _page_text(nowhere):
                failures.append(f"{where}: A's id and an unknown id answer differently")
    assert calls >= 5, f"the walk made only {calls} calls: {routes}"
    assert not failures, "Tenant B reached tenant A's records:\n" + "\n".join(failures)
    assert await tenant_rows(workspace.tenant_id) == before_rows, "B's page calls changed A"
