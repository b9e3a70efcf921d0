"""The kinds of record the API serves, how to create one in a tenant, and the
routes that take their ids, read from the app itself. The isolation and schema
tests walk these."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from comptoir.platform.auth.service import open_session
from comptoir.platform.auth.tables import User
from comptoir.platform.db.registry import tenant_tables
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from tests.support.fixtures import Workspace

API_PREFIX = "/api/v1/"
CHECKED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")
PROBLEM_JSON = "application/problem+json"

Reader = Callable[[httpx.AsyncClient], Awaitable[Any]]


@dataclass
class Created:
    """A record of tenant A: its id (the route's first path parameter), the
    values of any further path parameters, and how A reads it back."""

    id: str
    read: Reader
    params: dict[str, str] = field(default_factory=dict)


# (client, workspace, n): the n-th record of its kind (distinct values for each n).
Creator = Callable[[httpx.AsyncClient, Workspace, int], Awaitable[Created]]


@dataclass(frozen=True)
class Resource:
    create: Creator
    # A valid JSON body for POST/PUT/PATCH on the id routes of this resource,
    # so that validation passes and only the id decides the answer.
    body: dict[str, Any] = field(default_factory=dict)


def _read_one(path: str, ws: Workspace) -> Reader:
    async def read(client: httpx.AsyncClient) -> Any:
        response = await client.get(path, headers=ws.headers)
        assert response.status_code == 200, f"A cannot read {path}: {response.text}"
        return response.json()

    return read


def _read_in_list(path: str, record_id: str, ws: Workspace) -> Reader:
    async def read(client: httpx.AsyncClient) -> Any:
        response = await client.get(path, headers=ws.headers, params={"limit": 200})
        assert response.status_code == 200, f"A cannot list {path}: {response.text}"
        found = [item for item in response.json()["items"] if item["id"] == record_id]
        assert found, f"{record_id} is missing from A's {path}"
        return found[0]

    return read


async def _post(client: httpx.AsyncClient, ws: Workspace, path: str, body: dict[str, Any]) -> str:
    response = await client.post(path, headers=ws.headers, json=body)
    assert response.status_code == 201, f"POST {path} for A failed: {response.text}"
    return str(response.json()["id"])


async def create_contact(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"first_name": "Anne", "last_name": f"Alpha {n}", "email": f"anne{n}@alpha-client.fr"}
    record_id = await _post(client, ws, "/api/v1/contacts", body)
    return Created(record_id, _read_one(f"/api/v1/contacts/{record_id}", ws))


async def create_account(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"name": f"Alpha Industries {n}", "siren": "732829320", "city": "Lyon"}
    record_id = await _post(client, ws, "/api/v1/accounts", body)
    return Created(record_id, _read_one(f"/api/v1/accounts/{record_id}", ws))


async def create_team(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    record_id = await _post(client, ws, "/api/v1/teams", {"name": f"Équipe {n}"})
    return Created(
        record_id, _read_one(f"/api/v1/teams/{record_id}", ws), {"user_id": ws.admin_user_id}
    )


async def create_user(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"email": f"bruno{n}@alpha-equipe.fr", "first_name": "Bruno", "role": "key_user"}
    record_id = await _post(client, ws, "/api/v1/users", body)
    return Created(record_id, _read_one(f"/api/v1/users/{record_id}", ws))


async def create_invitation(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"email": f"chloe{n}@alpha-equipe.fr", "role": "end_user"}
    record_id = await _post(client, ws, "/api/v1/invitations", body)
    return Created(record_id, _read_in_list("/api/v1/invitations", record_id, ws))


async def create_token(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    record_id = await _post(client, ws, "/api/v1/tokens", {"name": f"Intégration {n}"})
    return Created(record_id, _read_in_list("/api/v1/tokens", record_id, ws))


async def create_session(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    """Browser sessions come from signing in on a page: open one for A's admin."""
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    async with tenant_scope(tenant.id) as scope:
        admin = await scope.get(User, ws.admin_user_id)
    opened = await open_session(tenant, admin, ip_address="198.51.100.4", user_agent="Firefox")
    record_id = str(opened.session.id)
    return Created(record_id, _read_in_list("/api/v1/sessions", record_id, ws))


async def create_activity(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"kind": "call", "subject": f"Rappeler Alpha {n}", "due_at": "2026-12-01T09:00:00Z"}
    record_id = await _post(client, ws, "/api/v1/activities", body)
    return Created(record_id, _read_one(f"/api/v1/activities/{record_id}", ws))


async def create_opportunity(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"name": f"Affaire Alpha {n}", "amount": f"{1000 + n}.50"}
    record_id = await _post(client, ws, "/api/v1/opportunities", body)
    return Created(record_id, _read_one(f"/api/v1/opportunities/{record_id}", ws))


async def create_pipeline_stage(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"name": f"Étape Alpha {n}", "probability": 40}
    record_id = await _post(client, ws, "/api/v1/pipeline/stages", body)
    return Created(record_id, _read_one(f"/api/v1/pipeline/stages/{record_id}", ws))


async def create_lost_reason(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    record_id = await _post(client, ws, "/api/v1/pipeline/lost-reasons", {"name": f"Motif {n}"})
    return Created(record_id, _read_one(f"/api/v1/pipeline/lost-reasons/{record_id}", ws))


async def create_territory(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"name": f"Secteur Alpha {n}", "postcode_prefixes": ["69"], "owner_id": ws.admin_user_id}
    record_id = await _post(client, ws, "/api/v1/territories", body)
    return Created(record_id, _read_one(f"/api/v1/territories/{record_id}", ws))


async def create_reassignment(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    response = await client.post("/api/v1/territories/reassign", headers=ws.headers, json={})
    assert response.status_code == 202, f"A cannot start a reassignment: {response.text}"
    job_id = str(response.json()["job_id"])
    return Created(job_id, _read_one(f"/api/v1/territories/reassign/{job_id}", ws))


async def create_quote(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    line = {"description": f"Prestation {n}", "quantity": "2", "unit_price": "150.00"}
    body = {"title": f"Devis Alpha {n}", "lines": [line]}
    record_id = await _post(client, ws, "/api/v1/quotes", body)
    return Created(record_id, _read_one(f"/api/v1/quotes/{record_id}", ws))


async def create_invoice(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    """The workspace's invoice of this month (its trial ended, the billing run
    made it); a further one for n > 0: a credit note on it."""
    import datetime as dt
    from decimal import Decimal

    from comptoir.billing.invoices.run import billing_run
    from comptoir.billing.invoices.service import issue_credit_note
    from comptoir.billing.invoices.tables import Invoice
    from comptoir.billing.periods import current_period
    from comptoir.billing.subscriptions.tables import Subscription
    from comptoir.platform.auth.actor import Actor

    tenant_id = uuid.UUID(ws.tenant_id)
    await Subscription.update(
        {Subscription.trial_ends_at: dt.datetime.now(dt.UTC) - dt.timedelta(days=1)}
    ).where((Subscription.for_tenant_id == tenant_id) & (Subscription.status == "trialing"))
    await billing_run(current_period())
    invoice = (
        await Invoice.objects()
        .where((Invoice.for_tenant_id == tenant_id) & (Invoice.kind == "invoice"))
        .first()
    )
    assert invoice is not None, "the billing run made no invoice for A"
    record_id = str(invoice.id)
    if n > 0:
        note = await issue_credit_note(
            invoice.id, amount=Decimal("1.00"), reason=f"Geste {n}", actor=Actor.system()
        )
        record_id = str(note.id)
    return Created(record_id, _read_one(f"/api/v1/billing/invoices/{record_id}", ws))


async def create_training_program(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"name": f"Programme Alpha {n}", "role": "end_user"}
    record_id = await _post(client, ws, "/api/v1/adoption/training/programs", body)
    return Created(record_id, _read_one(f"/api/v1/adoption/training/programs/{record_id}", ws))


async def create_training_step(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    program = await create_training_program(client, ws, n)
    path = f"/api/v1/adoption/training/programs/{program.id}/steps"
    record_id = await _post(client, ws, path, {"kind": "lesson", "title": f"Leçon {n}"})
    return Created(record_id, _read_one(f"/api/v1/adoption/training/steps/{record_id}", ws))


async def create_training_session(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    body = {"held_on": "2026-11-20", "topic": f"Session {n}", "attendee_ids": [ws.admin_user_id]}
    record_id = await _post(client, ws, "/api/v1/adoption/training/sessions", body)
    return Created(record_id, _read_one(f"/api/v1/adoption/training/sessions/{record_id}", ws))


async def create_person(client: httpx.AsyncClient, ws: Workspace, n: int = 0) -> Created:
    """A user whose adoption timeline is read (another e-mail than create_user's)."""
    return await create_user(client, ws, n + 1000)


# How to make a record of tenant A for every resource whose routes take an id,
# by the routes' path prefix (the part before the first path parameter).
RESOURCES: dict[str, Resource] = {
    "/api/v1/contacts": Resource(create_contact, {"job_title": "Changed by another tenant"}),
    "/api/v1/accounts": Resource(create_account, {"industry": "Changed by another tenant"}),
    "/api/v1/teams": Resource(create_team, {"name": "Changed by another tenant"}),
    "/api/v1/users": Resource(create_user, {"first_name": "Changed", "role": "end_user"}),
    "/api/v1/invitations": Resource(create_invitation),
    "/api/v1/tokens": Resource(create_token, {"name": "Changed by another tenant"}),
    "/api/v1/sessions": Resource(create_session),
    "/api/v1/activities": Resource(create_activity, {"subject": "Changed by another tenant"}),
    # A stage id that exists nowhere: valid for a change and for a move alike.
    "/api/v1/opportunities": Resource(
        create_opportunity, {"stage_id": "0193a0b0-0000-7000-8000-000000000001"}
    ),
    "/api/v1/pipeline/stages": Resource(
        create_pipeline_stage, {"name": "Changed by another tenant", "probability": 5}
    ),
    "/api/v1/pipeline/lost-reasons": Resource(
        create_lost_reason, {"name": "Changed by another tenant"}
    ),
    "/api/v1/territories": Resource(create_territory, {"name": "Changed by another tenant"}),
    "/api/v1/territories/reassign": Resource(create_reassignment),
    "/api/v1/quotes": Resource(create_quote, {"title": "Changed by another tenant"}),
    "/api/v1/billing/invoices": Resource(create_invoice),
    "/api/v1/adoption/completeness/stages": Resource(create_pipeline_stage, {"fields": ["amount"]}),
    "/api/v1/adoption/training/programs": Resource(
        create_training_program, {"kind": "lesson", "title": "Changed by another tenant"}
    ),
    "/api/v1/adoption/training/steps": Resource(create_training_step, {"direction": "up"}),
    "/api/v1/adoption/training/sessions": Resource(create_training_session),
    "/api/v1/adoption/people": Resource(create_person),
}


# Which kind of record each id parameter of a workspace page names (an API
# prefix of RESOURCES), for the suites that walk the pages.
PAGE_PARAMETERS = {
    "contact_id": "/api/v1/contacts",
    "account_id": "/api/v1/accounts",
    "team_id": "/api/v1/teams",
    "user_id": "/api/v1/users",
    "invitation_id": "/api/v1/invitations",
    "token_id": "/api/v1/tokens",
    "session_id": "/api/v1/sessions",
    "activity_id": "/api/v1/activities",
    "opportunity_id": "/api/v1/opportunities",
    "stage_id": "/api/v1/pipeline/stages",
    "reason_id": "/api/v1/pipeline/lost-reasons",
    "territory_id": "/api/v1/territories",
    "quote_id": "/api/v1/quotes",
    "invoice_id": "/api/v1/billing/invoices",
    "training_step_id": "/api/v1/adoption/training/steps",
    "training_program_id": "/api/v1/adoption/training/programs",
}
# Path parameters that are not record ids, and why.
NOT_RECORD_IDS = {
    "slug": "the workspace itself: B's own slug is used",
    "token": "an invitation link's secret, looked up by its hash, never an id",
}


@dataclass(frozen=True)
class IdRoute:
    path: str  # as declared, e.g. /api/v1/contacts/{contact_id:str}
    params: tuple[str, ...]
    methods: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return self.path.split("/{", 1)[0].rstrip("/")

    def url(self, values: dict[str, str]) -> str:
        return PARAMETER.sub(lambda m: values[m.group(1)], self.path)


def _methods(route: HTTPRoute) -> tuple[str, ...]:
    declared = {method for handler in route.route_handlers for method in handler.http_methods}
    return tuple(m for m in CHECKED_METHODS if m in declared)


def id_routes(app: Litestar) -> list[IdRoute]:
    """Every /api/v1 route with a path parameter, and the methods it answers."""
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(API_PREFIX):
            params = tuple(PARAMETER.findall(route.path))
            if params and _methods(route):
                found.append(IdRoute(route.path, params, _methods(route)))
    return sorted(found, key=lambda r: r.path)


def list_routes(app: Litestar) -> list[str]:
    """Every /api/v1 route without a path parameter that answers GET."""
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and route.path.startswith(API_PREFIX)
        and not PARAMETER.search(route.path)
        and "GET" in _methods(route)
    )


async def tenant_rows(tenant_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tenant, in every tenant table, plus its directory entry."""
    tid = uuid.UUID(tenant_id)
    rows: dict[str, list[dict[str, Any]]] = {}
    async with tenant_scope(tid) as scope:
        for table in tenant_tables():
            rows[table._meta.tablename] = await scope.select(table).order_by(table.id)
    rows["tenants"] = await Tenant.select().where(Tenant.id == tid)
    return rows
