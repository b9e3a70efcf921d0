"""OpenAPI details the route decorators cannot say on their own."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import Operation


@dataclass
class PublicOperation(Operation):
    """An operation anyone may call: ``security: []`` overrides the document's
    bearer requirement (Litestar drops an empty ``security=[]`` on the handler,
    so the API browser would show a padlock on a public route)."""

    def __post_init__(self) -> None:
        self.security = []
