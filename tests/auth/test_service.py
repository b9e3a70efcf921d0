"""Password sign-in, throttling and sessions at the service level."""

from __future__ import annotations

import pytest

from comptoir.platform.auth import service, throttle
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.errors import NotAuthenticated, TooManyAttempts
from tests.support.fixtures import STRONG_PASSWORD


async def test_sign_in_opens_a_fresh_session_each_time(client, workspace) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    user = await service.authenticate_password(
        tenant, "ADMIN@alpha.fr ", STRONG_PASSWORD, "198.51.100.1"
    )
    first = await service.open_session(tenant, user, ip_address="198.51.100.1", user_agent="pytest")
    second = await service.open_session(
        tenant, user, ip_address="198.51.100.1", user_agent="pytest"
    )
    assert first.token != second.token
    loaded = await service.load_session(tenant, first.token)
    assert loaded is not None and loaded[1].id == user.id

    sessions = await service.list_sessions(tenant.id, user.id)
    assert {s.id for s in sessions} == {first.session.id, second.session.id}
    await service.end_session(tenant.id, first.token)
    assert await service.load_session(tenant, first.token) is None
    assert await service.load_session(tenant, second.token) is not None
    assert await service.load_session(tenant, "not-a-token") is None


async def test_wrong_passwords_lock_that_address_out_of_that_account_only(
    client, workspace, monkeypatch
) -> None:
    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(throttle, "sleep", record)
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            await service.authenticate_password(
                tenant, workspace.admin_email, "wrong-password!", "198.51.100.2"
            )
    # That address is refused for that account, even with the right password...
    with pytest.raises(TooManyAttempts) as locked:
        await service.authenticate_password(
            tenant, workspace.admin_email, STRONG_PASSWORD, "198.51.100.2"
        )
    assert locked.value.retry_after > 0
    # ...while the owner elsewhere is only slowed down, never refused.
    user = await service.authenticate_password(
        tenant, workspace.admin_email, STRONG_PASSWORD, "198.51.100.3"
    )
    assert user.email == workspace.admin_email
    assert delays == [1.0]
    # Another account on the locked address is not locked by this one's failures.
    with pytest.raises(NotAuthenticated):
        await service.authenticate_password(tenant, "someone@alpha.fr", "x" * 12, "198.51.100.2")


async def test_many_failures_from_one_address_lock_that_address(client, workspace) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    for i in range(30):
        with pytest.raises(NotAuthenticated):
            await service.authenticate_password(
                tenant, f"nobody{i}@alpha.fr", "wrong-password!", "192.0.2.9"
            )
    with pytest.raises(TooManyAttempts):
        await service.authenticate_password(
            tenant, workspace.admin_email, STRONG_PASSWORD, "192.0.2.9"
        )
    user = await service.authenticate_password(
        tenant, workspace.admin_email, STRONG_PASSWORD, "192.0.2.10"
    )
    assert user.email == workspace.admin_email


async def test_unknown_email_and_wrong_password_read_the_same(client, workspace) -> None:
    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    with pytest.raises(NotAuthenticated) as unknown:
        await service.authenticate_password(tenant, "ghost@alpha.fr", STRONG_PASSWORD, "192.0.2.20")
    with pytest.raises(NotAuthenticated) as wrong:
        await service.authenticate_password(
            tenant, workspace.admin_email, "wrong-password!", "192.0.2.21"
        )
    assert unknown.value.detail == wrong.value.detail


async def test_signing_out_is_audited(client, workspace) -> None:
    from comptoir.platform.audit.tables import AuditEntry
    from comptoir.platform.db.scope import tenant_scope

    tenant = await tenant_by_slug(workspace.slug)
    assert tenant is not None
    user = await service.authenticate_password(tenant, workspace.admin_email, STRONG_PASSWORD, "x")
    opened = await service.open_session(tenant, user, ip_address="x", user_agent="pytest")
    await service.end_session(tenant.id, opened.token, ip_address="192.0.2.30")
    await service.end_session(tenant.id, opened.token)  # twice: nothing more happens
    async with tenant_scope(tenant.id) as scope:
        logouts = await scope.objects(AuditEntry).where(AuditEntry.action == "user.logout")
    assert [e.ip_address for e in logouts] == ["192.0.2.30"]
