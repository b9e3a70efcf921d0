"""Browser hardening headers on every response of the app."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import Message, Scope

from comptoir.platform.settings import get_settings

# Scripts only from our own files (no inline script anywhere in the templates);
# inline styles stay allowed for htmx's indicator styles and e-mail previews.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The OpenAPI browser (Swagger UI) starts itself with an inline script.
SCHEMA_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
)


def _headers(path: str) -> list[tuple[bytes, bytes]]:
    policy = SCHEMA_POLICY if path.startswith("/schema") else CONTENT_SECURITY_POLICY
    headers = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if get_settings().secure_cookies:  # everywhere but the plain-HTTP demo
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it sees every response of the app, error pages and
    refusals raised by middleware (CSRF, origin, input checks) included."""
    if scope["type"] == ScopeType.HTTP and message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", []), *_headers(scope.get("path", ""))]
