"""Control-plane writes wait for the tenant's transaction: they run after it
commits, outside it, and never when it rolls back."""

from __future__ import annotations

import pytest

from comptoir.platform.db.engine import get_engine
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import new_id


async def test_after_commit_runs_outside_the_transaction_and_only_on_commit(db) -> None:
    ran: list[bool] = []

    async def action() -> None:
        ran.append(get_engine().current_transaction.get() is None)

    tenant_id = new_id()
    async with tenant_scope(tenant_id) as scope:
        async with tenant_scope(tenant_id) as nested:  # a service inside a request
            nested.after_commit(action)
        assert ran == []
    assert ran == [True]

    ran.clear()
    with pytest.raises(RuntimeError):
        async with tenant_scope(tenant_id) as scope:
            scope.after_commit(action)
            raise RuntimeError("rolled back")
    assert ran == []
