"""The second line behind CSRF tokens: a browser's state-changing request to a
page must come from one of our own pages.

Browsers send ``Origin`` with every POST and ``Sec-Fetch-Site`` with every
request; a request whose ``Origin`` is another site, or that the browser itself
labels ``cross-site``, is refused with 403 before any handler runs. The API
(bearer tokens, never cookies) and the webhooks (signed by their sender) are
not cookie-authenticated and are left to their own checks."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Receive, Scope, Send

from comptoir.platform.settings import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NOT_COOKIE_AUTHENTICATED = ("/api/", "/webhooks/")
REFUSAL = "This request came from another site and was refused. Please try again from this page."


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_cross_site(scope: Scope) -> bool:
    """Whether the browser says this request was made by another site."""
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
    if headers.get("sec-fetch-site", "").strip().lower() == "cross-site":
        return True
    origin = headers.get("origin")
    if origin is None:  # not a browser, or an old one: the CSRF token decides
        return False
    origin = origin.strip().lower()
    if origin == _origin_of(get_settings().base_url):
        return False
    # Behind a proxy that terminates TLS the scheme may differ; the host may not.
    host = headers.get("host", "").strip().lower()
    return not host or urlsplit(origin).netloc != host


def request_origin_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == ScopeType.HTTP
            and scope.get("method", "GET") not in SAFE_METHODS
            and not scope["path"].startswith(NOT_COOKIE_AUTHENTICATED)
            and is_cross_site(scope)
        ):
            raise PermissionDeniedException(detail=REFUSAL)
        await app(scope, receive, send)

    return middleware
