"""Who is calling, for HTTP handlers: bearer tokens for the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.directory.tables import Tenant


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


@dataclass(frozen=True)
class ApiCaller:
    """The tenant, user and actor behind an API request."""

    tenant: Tenant
    user: User
    actor: Actor
    permissions: frozenset[str] = frozenset()

    def can(self, permission: str) -> bool:
        return permission in self.permissions
