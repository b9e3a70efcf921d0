"""Errors the services raise, mapped to problem+json for the API and to pages for browsers."""

from __future__ import annotations

from typing import Any


class ComptoirError(Exception):
    status_code = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str = "", *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra or {}


class NotFound(ComptoirError):
    status_code = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(ComptoirError):
    status_code = 409
    title = "Conflict"
    type_slug = "conflict"


class ValidationFailed(ComptoirError):
    """Bad input. ``errors`` maps each field to its message."""

    status_code = 422
    title = "Validation failed"
    type_slug = "validation"

    def __init__(self, errors: dict[str, str], detail: str = "") -> None:
        super().__init__(detail or "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.extra = {"errors": [{"field": k, "message": v} for k, v in errors.items()]}


class NotAuthenticated(ComptoirError):
    status_code = 401
    title = "Authentication required"
    type_slug = "unauthenticated"


class Forbidden(ComptoirError):
    status_code = 403
    title = "Forbidden"
    type_slug = "forbidden"


class ModuleNotInPlan(Forbidden):
    """A route of a module the tenant's plan does not include: pages show the
    upgrade page, the API answers 403 with the module and the plan."""

    title = "Not in your plan"
    type_slug = "module-not-in-plan"

    def __init__(self, detail: str, *, module: str, plan: str) -> None:
        super().__init__(detail, extra={"module": module, "plan": plan})
        self.module = module
        self.plan = plan


class TenantSuspended(Forbidden):
    title = "Workspace suspended"
    type_slug = "tenant-suspended"


class TooManyAttempts(ComptoirError):
    status_code = 429
    title = "Too many attempts"
    type_slug = "too-many-attempts"

    def __init__(self, detail: str = "", retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
