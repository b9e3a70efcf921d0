"""The application factory: assembles every area's routes into one Litestar app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp

from comptoir.platform import events
from comptoir.platform.assembly import all_features
from comptoir.platform.db.engine import close_pool, get_engine, start_pool
from comptoir.platform.health import healthz, readyz
from comptoir.platform.heap import freeze_startup_objects
from comptoir.platform.jobs.worker import worker_loop
from comptoir.platform.logs import configure_logging, request_logging_middleware
from comptoir.platform.settings import get_settings
from comptoir.platform.web.input_guard import input_guard_middleware
from comptoir.platform.web.openapi import StrictStructSchemaPlugin
from comptoir.platform.web.problems import EXCEPTION_HANDLERS
from comptoir.platform.web.request_origin import request_origin_middleware
from comptoir.platform.web.security_headers import add_security_headers
from comptoir.platform.web.templating import environment

# Anchored: Litestar searches these patterns anywhere in the path.
CSRF_EXEMPT = ["^/api/", "^/webhooks/", "^/healthz$", "^/readyz$", "^/schema(/|$)"]


def api_routes() -> list[Any]:
    """Every /api/v1 controller of every feature (they need a bearer token)."""
    return [route for feature in all_features() for route in feature.api_routes]


def page_routes() -> list[Any]:
    """Every HTML page of every feature, and the public signup endpoint."""
    return [route for feature in all_features() for route in feature.page_routes]


def subscribe_listeners() -> None:
    for feature in all_features():
        for listener in feature.listeners:
            events.subscribe(listener)


@asynccontextmanager
async def feature_lifespans() -> AsyncIterator[None]:
    """Enter every feature's lifespan (in order), leave them in reverse."""
    async with AsyncExitStack() as stack:
        for feature in all_features():
            for feature_lifespan in feature.lifespans:
                await stack.enter_async_context(feature_lifespan())
        yield


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    engine = get_engine()
    started = await start_pool(engine)
    # The demo has no separate worker process: run the same jobs in-process.
    jobs = asyncio.create_task(worker_loop()) if get_settings().demo else None
    try:
        async with feature_lifespans():
            freeze_startup_objects()
            yield
    finally:
        if jobs is not None:
            jobs.cancel()
        if started:
            await close_pool(engine)


def create_asgi_app() -> ASGIApp:
    """What the server runs: the app inside the request log, which wraps it
    whole so that unmatched paths (404, 405) are logged and carry a request id too."""
    return request_logging_middleware(create_app())


def create_app() -> Litestar:
    settings = get_settings()
    configure_logging()
    from comptoir.tenants.access.callers import provide_api_caller

    subscribe_listeners()
    api = Router(
        path="/",
        route_handlers=api_routes(),
        dependencies={"caller": Provide(provide_api_caller)},
    )
    static = create_static_files_router(
        path="/static", directories=[settings.static_dir], include_in_schema=False
    )
    return Litestar(
        route_handlers=[healthz, readyz, api, static, *page_routes()],
        exception_handlers=EXCEPTION_HANDLERS,
        # Refusals first (another site's form, NUL bytes, non-JSON or too deep JSON),
        # then CSRF tokens (Litestar's, inside these).
        middleware=[request_origin_middleware, input_guard_middleware],
        before_send=[add_security_headers],
        plugins=[StrictStructSchemaPlugin()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="comptoir_csrf",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            header_name="x-csrf-token",
            exclude=CSRF_EXEMPT,
        ),
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(environment())
        ),
        openapi_config=OpenAPIConfig(
            title="Comptoir API",
            version="1.0.0",
            description="The CRM workspace of one tenant, as JSON. Authenticate with "
            "`Authorization: Bearer <token>`; errors are application/problem+json.",
            path="/schema",
            render_plugins=[
                JsonRenderPlugin(),
                SwaggerRenderPlugin(
                    path="/",
                    js_url="/static/vendor/swagger-ui-bundle.js",
                    css_url="/static/vendor/swagger-ui.css",
                    standalone_preset_js_url="/static/vendor/swagger-ui-standalone-preset.js",
                    favicon='<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">',
                ),
            ],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        lifespan=[lifespan],
        logging_config=None,  # logging is configured by comptoir.platform.logs
        debug=False,
    )
