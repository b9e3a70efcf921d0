"""GET /healthz (the process is up) and GET /readyz (the database answers)."""

from __future__ import annotations

import asyncio

from litestar import Response, get

from comptoir.platform.directory.tables import Tenant


@get("/healthz", tags=["Health"], summary="The process is up", security=[], sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", tags=["Health"], summary="The database is reachable", security=[])
async def readyz() -> Response[dict[str, str]]:
    try:
        await asyncio.wait_for(Tenant.select(Tenant.id).limit(1).run(), timeout=3)
    except Exception as error:  # any failure means not ready
        return Response({"status": "unavailable", "detail": type(error).__name__}, status_code=503)
    return Response({"status": "ok"})
