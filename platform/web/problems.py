"""Errors as application/problem+json (RFC 9457) under /api and /webhooks,
and as readable pages everywhere else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from comptoir.platform.errors import ComptoirError, TooManyAttempts

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
MACHINE_PREFIXES = ("/api/", "/webhooks/", "/schema")
PAGE_VALIDATION_DETAIL = "Some values in this request are not valid. Go back and check them."


class LoginRequired(Exception):
    """A page needs a signed-in user: send the browser to the login page."""

    def __init__(self, login_url: str) -> None:
        super().__init__(login_url)
        self.login_url = login_url


def wants_problem(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(MACHINE_PREFIXES)


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    title: str,
    detail: str,
    slug: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if wants_problem(request):
        body = {
            "type": f"/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.url.path,
            **(extra or {}),
        }
        return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    return Template(
        template_name="error.html",
        context={
            "status": status,
            "title": title,
            "detail": detail,
            # A way out the page offers (a suspended workspace's billing page).
            "action_url": (extra or {}).get("action_url", ""),
        },
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )


# A page of its own for some kinds of error (by type slug), shown to browsers
# instead of the generic error page; the API keeps answering problem+json.
# (request, error) -> (template, context), or None for the generic page.
ErrorPage = Callable[[Request[Any, Any, Any], ComptoirError], tuple[str, dict[str, Any]] | None]
_error_pages: dict[str, ErrorPage] = {}


def register_error_page(type_slug: str, page: ErrorPage) -> None:
    """Show ``page`` to browsers for errors of ``type_slug`` (e.g. the upgrade
    page of billing for "module-not-in-plan")."""
    _error_pages[type_slug] = page


def _own_error_page(request: Request[Any, Any, Any], error: ComptoirError) -> Response[Any] | None:
    page = _error_pages.get(error.type_slug)
    if page is None or wants_problem(request):
        return None
    shown = page(request, error)
    if shown is None:
        return None
    template, context = shown
    return Template(
        template_name=template,
        context={
            "status": error.status_code,
            "title": error.title,
            "detail": error.detail,
            **context,
        },
        status_code=error.status_code,
        media_type=MediaType.HTML,
    )


def handle_comptoir_error(request: Request[Any, Any, Any], error: ComptoirError) -> Response[Any]:
    own = _own_error_page(request, error)
    if own is not None:
        return own
    headers = (
        {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else None
    )
    if error.status_code == 401 and wants_problem(request):
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="comptoir"'}
    return problem_response(
        request, error.status_code, error.title, error.detail, error.type_slug, error.extra, headers
    )


def handle_validation_error(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[Any]:
    errors: list[dict[str, Any]] = []
    for item in error.extra or []:
        if isinstance(item, dict):
            errors.append(
                {
                    "field": item.get("key") or item.get("source") or "",
                    "message": item.get("message", ""),
                }
            )
    # A page says it in a sentence (translated); the API gives Litestar's detail,
    # which repeats the method and the address.
    detail = str(error.detail) if wants_problem(request) else PAGE_VALIDATION_DETAIL
    return problem_response(
        request,
        422 if errors else 400,
        "Validation failed",
        detail,
        "validation",
        {"errors": errors},
    )


def handle_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    titles = {
        400: "Bad request",
        401: "Authentication required",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Request too large",
        415: "Unsupported media type",
    }
    title = titles.get(error.status_code, "Error")
    detail = str(error.detail) if error.detail else title
    return problem_response(
        request,
        error.status_code,
        title,
        detail,
        title.lower().replace(" ", "-"),
        headers=error.headers,
    )


def handle_login_required(request: Request[Any, Any, Any], error: LoginRequired) -> Response[Any]:
    if request.headers.get("hx-request"):
        return Response(content="", status_code=401, headers={"HX-Redirect": error.login_url})
    return Redirect(path=error.login_url, status_code=303)


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("request.failed", error=repr(error))
    return problem_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal error",
        "Something went wrong on our side. Nothing was changed; please try again.",
        "internal",
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ComptoirError: handle_comptoir_error,
    ValidationException: handle_validation_error,
    HTTPException: handle_http_error,
    LoginRequired: handle_login_required,
    Exception: handle_unexpected,
}
