"""The identity of an API request, checked and scoped in one transaction.

``provide_api_caller`` is the only dependency of every /api/v1 handler: it
finds the tenant from the token (the directory, outside any tenant
transaction), then opens the request's tenant transaction, authenticates the
token with its user and role in one query, checks the route's permission,
sets whose records the user may see, and keeps that transaction open for the
handler: the services it calls join it. The transaction commits when the
handler returns and rolls back if it raises."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request

from comptoir.platform import i18n
from comptoir.platform.auth.callers import ApiCaller, client_ip
from comptoir.platform.auth.credentials import digest
from comptoir.platform.auth.service import TOKEN_PREFIX, actor_for
from comptoir.platform.auth.tables import ApiToken, User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.service import cached_tenant, ensure_usable, touch_activity
from comptoir.platform.errors import NotAuthenticated
from comptoir.platform.ids import parse_id
from comptoir.platform.logs import bind_identity
from comptoir.tenants.access.permissions import (
    check,
    check_plan,
    grants_of,
    route_permission,
    visibility_for,
)

TOKEN_TOUCH = dt.timedelta(minutes=1)
INVALID = "Invalid or revoked API token."

_AUTHENTICATE = """
SELECT t.id AS token_id, t.revoked_at, t.last_used_at,
       u.id, u.email, u.first_name, u.last_name, u.role, u.status, u.team_id, u.locale,
       r.permissions, r.known_features, r.sees_all_records
FROM api_tokens t
JOIN users u ON u.id = t.user_id AND u.tenant_id = t.tenant_id
LEFT JOIN roles r ON r.tenant_id = u.tenant_id AND r.key = u.role
WHERE t.tenant_id = {} AND t.token_hash = {}
  AND (t.expires_at IS NULL OR t.expires_at > CURRENT_TIMESTAMP)
"""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _tenant_of(token: str) -> uuid.UUID | None:
    """``cpt_<tenant id>_<secret>``: the tenant part picks the scope to open."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    return parse_id(parts[1])


async def _token_row(scope: TenantScope, token: str) -> dict[str, Any]:
    rows = await scope.raw(ApiToken, _AUTHENTICATE, scope.tenant_id, digest(token))
    if not rows:
        raise NotAuthenticated(INVALID)
    row: dict[str, Any] = rows[0]
    if row["revoked_at"] is not None or row["status"] != "active":
        raise NotAuthenticated(INVALID)
    return row


async def _stamp(scope: TenantScope, row: dict[str, Any]) -> None:
    """Remember when the token was last used, at most once a minute."""
    now = dt.datetime.now(dt.UTC)
    last = row["last_used_at"]
    if isinstance(last, str):
        last = dt.datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    if last is None or now - last > TOKEN_TOUCH:
        await scope.update(ApiToken, {ApiToken.last_used_at: now}).where(
            ApiToken.id == row["token_id"]
        )


async def provide_api_caller(request: Request[Any, Any, Any]) -> AsyncIterator[ApiCaller]:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("Send an API token in the Authorization header: 'Bearer <token>'.")
    tenant_id = _tenant_of(token)
    tenant = await cached_tenant(tenant_id) if tenant_id else None
    if tenant is None:
        raise NotAuthenticated(INVALID)
    permission = route_permission(request.route_handler.opt)
    async with tenant_scope(tenant.id) as scope:
        row = await _token_row(scope, token)
        ensure_usable(tenant)
        user = User(
            id=row["id"],
            tenant_id=tenant.id,
            email=row["email"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            role=row["role"],
            status=row["status"],
            team_id=row["team_id"],
            locale=row["locale"],
            _exists_in_db=True,
        )
        bind_identity(tenant.slug, str(user.id))
        i18n.current_locale.set(i18n.pick_locale(None, request.headers.get("accept-language")))
        grants = grants_of(
            user.role,
            _json(row["permissions"]),
            _json(row["known_features"]),
            row["sees_all_records"],
        )
        check(grants, permission)
        check_plan(tenant, permission)
        scope.visibility = await visibility_for(scope, tenant, user.id, user.team_id, grants)
        await _stamp(scope, row)
        yield ApiCaller(
            tenant=tenant,
            user=user,
            actor=actor_for(user, ip_address=client_ip(request)),
            permissions=grants.permissions,
        )
    await touch_activity(tenant)
