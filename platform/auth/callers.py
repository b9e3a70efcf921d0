"""Who is calling, for HTTP handlers: bearer tokens for the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from comptoir.platform import i18n
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.service import actor_for, authenticate_bearer
from comptoir.platform.auth.tables import User
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import NotAuthenticated
from comptoir.platform.logs import bind_identity


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


@dataclass(frozen=True)
class ApiCaller:
    """The tenant, user and actor behind an API request."""

    tenant: Tenant
    user: User
    actor: Actor


async def provide_api_caller(request: Request[Any, Any, Any]) -> ApiCaller:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Send an API token in the Authorization header: 'Bearer <token>'.")
    identity = await authenticate_bearer(token.strip())
    bind_identity(identity.tenant.slug, str(identity.user.id))
    i18n.current_locale.set(i18n.pick_locale(None, request.headers.get("accept-language")))
    return ApiCaller(
        tenant=identity.tenant,
        user=identity.user,
        actor=actor_for(identity.user, ip_address=client_ip(request)),
    )
