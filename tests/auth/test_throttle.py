"""Sign-in throttling cannot lock a real owner out (ASVS 2.2.1): failures lock
an address, and an (account, address) pair; on the account itself they only
slow attempts down, and not at all from an address the owner signed in from."""

from __future__ import annotations

import httpx
import pytest

from comptoir.platform.auth import service, throttle
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import NotAuthenticated, TooManyAttempts
from tests.support.fixtures import STRONG_PASSWORD, Workspace
from tests.support.pages import sign_in

USUAL = "203.0.113.7"  # the test client's address: where the owner signs in


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the throttle asks for, recorded instead of waited."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(throttle, "sleep", record)
    return recorded


async def _tenant(ws: Workspace) -> Tenant:
    tenant = await tenant_by_slug(ws.slug)
    assert tenant is not None
    return tenant


async def _guess(tenant: Tenant, email: str, address: str) -> None:
    with pytest.raises(NotAuthenticated):
        await service.authenticate_password(tenant, email, "wrong-password!", address)


async def test_attack_from_many_addresses_leaves_the_owner_signing_in_at_their_usual_place(
    client: httpx.AsyncClient, workspace: Workspace, delays: list[float]
) -> None:
    tenant = await _tenant(workspace)
    await service.authenticate_password(tenant, workspace.admin_email, STRONG_PASSWORD, USUAL)
    # Four addresses try five wrong passwords each: 20 failures on the account.
    for n in range(4):
        for _ in range(5):
            await _guess(tenant, workspace.admin_email, f"198.51.100.{n}")
        with pytest.raises(TooManyAttempts):  # that address, for this account
            await service.authenticate_password(
                tenant, workspace.admin_email, STRONG_PASSWORD, f"198.51.100.{n}"
            )
    # The attackers were slowed down more and more, up to the cap.
    assert delays == sorted(delays)
    assert delays[0] == 1.0 and max(delays) == throttle.ACCOUNT_SLOWDOWN.max_delay

    # The owner at their usual address: through the sign-in form, at once.
    delays.clear()
    signed_in = await sign_in(client, workspace)
    assert signed_in.status_code == 303, signed_in.text
    assert delays == []
    # From an address never used: slowed down, but the right password works.
    user = await service.authenticate_password(
        tenant, workspace.admin_email, STRONG_PASSWORD, "192.0.2.77"
    )
    assert user.email == workspace.admin_email
    assert delays == [throttle.ACCOUNT_SLOWDOWN.max_delay]


async def test_a_wrong_password_at_the_usual_place_then_the_right_one(
    client: httpx.AsyncClient, workspace: Workspace, delays: list[float]
) -> None:
    """The owner's own typos count for their address only, and a success
    there starts the count again."""
    tenant = await _tenant(workspace)
    for _ in range(4):
        await _guess(tenant, workspace.admin_email, USUAL)
    await service.authenticate_password(tenant, workspace.admin_email, STRONG_PASSWORD, USUAL)
    for _ in range(4):
        await _guess(tenant, workspace.admin_email, USUAL)
    user = await service.authenticate_password(
        tenant, workspace.admin_email, STRONG_PASSWORD, USUAL
    )
    assert user.email == workspace.admin_email
    assert delays == []  # trusted since the first success


def test_the_delay_grows_and_is_capped() -> None:
    slowdown = throttle.ACCOUNT_SLOWDOWN
    assert [slowdown.delay(n) for n in range(slowdown.free_failures)] == [0.0] * 5
    assert slowdown.delay(5) == 1.0 and slowdown.delay(6) == 2.0 and slowdown.delay(7) == 4.0
    assert slowdown.delay(100) == slowdown.max_delay
