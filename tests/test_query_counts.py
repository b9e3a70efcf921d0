"""List endpoints cost the same number of queries for 2 rows as for 40 (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comptoir.platform.db.engine import get_engine


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def queries(db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    engine_type = type(get_engine())
    original = engine_type.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        counter.count += 1
        return await original(self, querystring, in_pool=in_pool)

    monkeypatch.setattr(engine_type, "run_querystring", counting)
    yield counter


async def _queries_for(
    client: Any, path: str, headers: dict[str, str], counter: QueryCounter
) -> int:
    before = counter.count
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return counter.count - before


@pytest.mark.parametrize(
    "path", ["/api/v1/contacts", "/api/v1/users", "/api/v1/invitations", "/api/v1/tokens"]
)
async def test_list_endpoints_do_not_grow_with_rows(client, workspace, queries, path) -> None:
    h = workspace.headers
    await _queries_for(client, path, h, queries)  # warm-up: first use stamps token and tenant
    few = await _queries_for(client, path, h, queries)
    for i in range(40):
        await client.post("/api/v1/contacts", headers=h, json={"last_name": f"Contact {i}"})
    for i in range(5):
        await client.post("/api/v1/invitations", headers=h, json={"email": f"i{i}@exemple.fr"})
        await client.post("/api/v1/tokens", headers=h, json={"name": f"t{i}"})
    many = await _queries_for(client, path, h, queries)
    assert many == few, f"{path}: {few} queries with few rows, {many} with many"
