"""Structured logs: JSON in production, pretty on a terminal. A middleware binds
the request id once per request; authentication binds tenant and user."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_configured = False


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    return structlog.PrintLogger(file=sys.stderr)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]  # its stream changes
    """A handler that writes to whatever sys.stderr is at the time."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """structlog for our own lines, and the standard library's loggers (uvicorn,
    Piccolo, Litestar) rendered the same way, so every line is JSON in production."""
    global _configured
    if _configured:
        return
    renderer: Any = (
        structlog.dev.ConsoleRenderer()
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger,
        # Not cached: the logger follows sys.stderr if it is replaced (tests capture it).
        cache_logger_on_first_use=False,
    )
    _configured = True


def bind_identity(tenant: str | None = None, user: str | None = None) -> None:
    structlog.contextvars.bind_contextvars(tenant=tenant, user=user)


# Secrets that travel in a path (a calendar feed's, an invitation's, a password
# reset link's) stay out of the logs: a calendar application asks for its feed
# every few minutes.
SECRET_IN_PATH = re.compile(
    r"^(/calendar/[^/]+/|/w/[^/]+/invitations/|/w/[^/]+/password/reset/)[^/]+"
)


def loggable_path(path: str) -> str:
    return SECRET_IN_PATH.sub(r"\1[secret]", path)


def request_logging_middleware(app: ASGIApp) -> ASGIApp:
    log = structlog.get_logger("comptoir.http")

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, tenant=None, user=None)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope.get("method"),
                path=loggable_path(str(scope.get("path") or "")),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )

    return middleware
