"""List requests and responses shared by every API list: ``limit``,
``cursor``, ``sort``, ``q`` and the list's own filters, answered as
``{"items": [...], "next_cursor": ...}``."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar import Request
from litestar.params import Parameter

from comptoir.platform.db.listing import ListQuery
from comptoir.platform.db.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

T = TypeVar("T")
LIST_PARAMETERS = frozenset({"q", "cursor", "limit", "sort"})


class PageOf(msgspec.Struct, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next."""

    items: list[T]
    next_cursor: str | None = None


def page_of(page: Page[Any], out: type[T]) -> PageOf[T]:
    """Rows (dicts or records) shaped as the resource's output struct."""
    return PageOf(
        items=[msgspec.convert(row, out, from_attributes=True) for row in page.items],
        next_cursor=page.next_cursor,
    )


# The list parameters every list handler declares (so they are validated and
# documented); not dependencies, so that the request's identity stays the only
# dependency and its transaction is the handler's (see tenants.access).
Search = Annotated[
    str | None,
    Parameter(
        max_length=200,
        description="Search: case- and accent-insensitive, % and _ taken literally.",
    ),
]
Cursor = Annotated[str | None, Parameter(max_length=500)]
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT)]
Sort = Annotated[
    str | None, Parameter(max_length=40, description="A sort key, `-` first for descending.")
]


def list_query(
    request: Request[Any, Any, Any],
    *,
    q: str | None,
    cursor: str | None,
    limit: int | None = DEFAULT_LIMIT,
    sort: str | None = None,
) -> ListQuery:
    """The list parameters, plus every other query parameter as a filter
    (the list's spec refuses those it does not declare)."""
    filters = {
        name: value for name, value in request.query_params.items() if name not in LIST_PARAMETERS
    }
    return ListQuery(q=q, cursor=cursor, limit=limit, sort=sort, filters=filters)
