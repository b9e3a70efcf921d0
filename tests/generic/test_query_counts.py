"""Every API list costs a fixed, small number of queries, whatever its rows.

The lists are read from the app's own routes (``list_routes``); their records
are made with the creators of ``RESOURCES``, so a new list is covered, or fails
``test_every_list_has_a_creator``, without editing this file. Counted at
Piccolo's level: authentication (token, user and role in one statement) plus
the list's own queries; BEGIN, the tenant setting and COMMIT come on top."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from comptoir.platform.db.engine import get_engine
from tests.support.api_resources import RESOURCES, list_routes
from tests.support.fixtures import Workspace

# The most queries a list may send, once the token's last use is stamped:
# authentication, then the page (a list may add one query for what it shows).
MOST_QUERIES_PER_LIST = 3
MORE_ROWS = 12


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
    client: httpx.AsyncClient, path: str, ws: Workspace, counter: QueryCounter
) -> int:
    before = counter.count
    response = await client.get(path, headers=ws.headers, params={"limit": 200})
    assert response.status_code == 200, response.text
    return counter.count - before


def _lists(app: Litestar) -> list[str]:
    """The API routes that answer a list (``{"items": [...], "next_cursor": ...}``)."""
    found = []
    for path in list_routes(app):
        handler = app.route_handler_method_map[path]["GET"]
        shape = str(handler.fn.__annotations__.get("return", ""))
        if "PageOf" in shape or shape.endswith("List"):
            found.append(path)
    return found


def test_every_list_has_a_creator() -> None:
    from comptoir.platform.app import create_app

    lists = _lists(create_app())
    assert "/api/v1/accounts" in lists and "/api/v1/contacts" in lists, lists
    missing = [path for path in lists if path not in RESOURCES]
    assert not missing, f"no creator in RESOURCES for the lists {missing}"


async def test_lists_cost_the_same_for_few_and_many_rows(
    app: Litestar, client: httpx.AsyncClient, workspace: Workspace, queries: QueryCounter
) -> None:
    lists = _lists(app)
    for path in lists:
        await RESOURCES[path].create(client, workspace, 0)
    few = {}
    for path in lists:
        await _queries_for(client, path, workspace, queries)  # warm-up: stamps the token
        few[path] = await _queries_for(client, path, workspace, queries)
    for path in lists:
        for n in range(1, MORE_ROWS):
            await RESOURCES[path].create(client, workspace, n)
    problems = []
    for path in lists:
        many = await _queries_for(client, path, workspace, queries)
        if many != few[path]:
            problems.append(f"{path}: {few[path]} queries with 1 row, {many} with {MORE_ROWS}")
        if many > MOST_QUERIES_PER_LIST:
            problems.append(f"{path}: {many} queries, more than {MOST_QUERIES_PER_LIST}")
    assert not problems, "\n".join(problems)
