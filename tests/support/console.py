"""Signing staff in to the ops console, as a browser would."""

from __future__ import annotations

import re

import httpx
import pyotp

from comptoir.platform.console.service import CreatedStaff, create_staff

STAFF_PASSWORD = "Console-ops-2026-secure"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def console_csrf(client: httpx.AsyncClient, url: str = "/console/login") -> str:
    """GET a console page (which sets the CSRF cookie) and read its token."""
    page = await client.get(url)
    found = CSRF_FIELD.search(page.text)
    assert found, f"no CSRF field on {url}: {page.status_code}"
    return found.group(1)


async def signed_in_staff(client: httpx.AsyncClient) -> CreatedStaff:
    """A new staff account, signed in with its password and current TOTP code
    (a code signs in once: call this once per test)."""
    created = await create_staff("ops@provider.example", STAFF_PASSWORD, name="Olivia Ops")
    response = await client.post(
        "/console/login",
        data={
            "_csrf_token": await console_csrf(client),
            "email": created.staff.email,
            "password": STAFF_PASSWORD,
            "code": pyotp.TOTP(created.totp_secret).now(),
            "next": "/console/",
        },
    )
    assert response.status_code == 303, response.text[:500]
    return created
