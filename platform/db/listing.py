"""One way to list records, for the API and the pages alike: keyset
pagination on a declared sort key (plus id), filters on declared fields, and
the ``q`` search, all inside the tenant scope (so the sharing rule applies).

A feature declares a ``ListSpec``; a request becomes a ``ListQuery``; rows come
back as dicts (no ORM objects are built for a page of a list)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import UUID, Timestamptz
from piccolo.columns.base import Column
from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from comptoir.platform.db.base import TenantTable
from comptoir.platform.db.engine import get_engine, is_postgres
from comptoir.platform.db.pagination import MAX_LIMIT, Page, clamp_limit
from comptoir.platform.db.scope import TenantScope
from comptoir.platform.db.search import contains_ignoring_case, like_pattern
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.ids import parse_id

# A search on a big tenant must not hold a connection (and other tenants'
# requests) for long: past this, PostgreSQL cancels it.
SEARCH_TIMEOUT_MS = 3000


@dataclass(frozen=True)
class ListSpec:
    """What a feature's lists may be sorted, filtered and searched by.

    ``sorts`` maps a sort name to its columns; the id is always the last key
    (ids are UUIDv7, so sorting by id is sorting by creation). ``-name``
    sorts descending. ``filters`` maps a query parameter to a column."""

    table: type[Table]
    columns: Sequence[str]
    sorts: Mapping[str, Sequence[str]]
    default_sort: str = "-created_at"
    filters: Mapping[str, str] = field(default_factory=dict)
    search_column: str | None = "search_text"
    # On PostgreSQL, the table's search function (see the tenants migration
    # that creates them): the trigram index is used under row-level security.
    search_function: str | None = None
    # …and its paged twin, for lists in creation order (see the migration).
    search_page_function: str | None = None
    # For small tables without search text (a workspace's users): ``q`` is
    # looked for in each of these columns, ignoring case, % and _ literal.
    search_columns: Sequence[str] = ()

    def sort_names(self) -> list[str]:
        return [f"{prefix}{name}" for name in self.sorts for prefix in ("", "-")]


@dataclass(frozen=True)
class ListQuery:
    q: str | None = None
    cursor: str | None = None
    limit: int | None = None
    sort: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)


def _column(spec: ListSpec, name: str) -> Column:
    return spec.table._meta.get_column_by_name(name)


def _sort_columns(spec: ListSpec, sort: str) -> tuple[list[Column], bool]:
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in spec.sorts:
        choices = ", ".join(spec.sort_names())
        raise ValidationFailed({"sort": f"must be one of {choices}"})
    columns = [_column(spec, c) for c in spec.sorts[name] if c != "id"]
    return [*columns, spec.table._meta.primary_key], descending


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _typed(column: Column, value: Any) -> Any:
    if isinstance(column, UUID):
        return uuid.UUID(hex=str(value))
    if isinstance(column, Timestamptz):
        return dt.datetime.fromisoformat(str(value))
    if not isinstance(value, str | int | float):
        raise ValueError(value)
    return value


def encode_cursor(sort: str, row: Mapping[str, Any], columns: Sequence[Column]) -> str:
    payload = [sort, *[_plain(row[c._meta.name]) for c in columns]]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, columns: Sequence[Column]) -> list[Any]:
    """The sort values a cursor resumes after; 422 for anything else."""
    problem = ValidationFailed({"cursor": "is not a cursor this list returned"})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if not isinstance(payload, list) or len(payload) != len(columns) + 1:
            raise problem
        if payload[0] != sort:
            raise ValidationFailed({"cursor": "belongs to a list sorted another way"})
        return [_typed(c, v) for c, v in zip(columns, payload[1:], strict=True)]
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise problem from error


def _filter_value(column: Column, name: str, value: str) -> Any:
    if isinstance(column, UUID):
        if value in ("", "none"):
            return None
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationFailed({name: "must be an id"})
        return parsed
    return value


async def list_page(
    scope: TenantScope,
    spec: ListSpec,
    query: ListQuery,
    *,
    limit: int | None = None,
    where: Sequence[Any] = (),
) -> Page[dict[str, Any]]:
    """One page of the records the scope's viewer may see; ``where`` adds a
    feature's own conditions (ranges, "is set") to the declared filters."""
    select = scope.select(spec.table, *[_column(spec, c) for c in spec.columns])  # type: ignore[type-var]
    for condition in where:
        select = select.where(condition)
    if query.q and query.q.strip() and spec.search_column:
        await scope.set_statement_timeout(SEARCH_TIMEOUT_MS)
    # The paged search function knows nothing of filters or of whose records
    # the viewer may see: it serves only lists that have neither.
    whole_pages = scope.visibility is None and not query.filters and not where
    return await _page(select, spec, query, limit, search_pages=whole_pages)


async def control_list_page(
    spec: ListSpec, query: ListQuery, *, limit: int | None = None
) -> Page[dict[str, Any]]:
    """One page of a control-plane table (the tenant directory, staff logs,
    jobs): the same sorts, filters, search and cursors as a tenant's lists."""
    if issubclass(spec.table, TenantTable):
        raise TypeError("tenant tables are listed through list_page and a tenant scope")
    return await _page(
        spec.table.select(*[_column(spec, c) for c in spec.columns]), spec, query, limit
    )


async def _page(
    select: Any, spec: ListSpec, query: ListQuery, limit: int | None, *, search_pages: bool = False
) -> Page[dict[str, Any]]:
    size = clamp_limit(query.limit if query.limit is not None else limit)
    sort = query.sort or spec.default_sort
    columns, descending = _sort_columns(spec, sort)
    for name, value in query.filters.items():
        if name not in spec.filters:
            raise ValidationFailed({name: "is not a filter of this list"})
        column = _column(spec, spec.filters[name])
        parsed = _filter_value(column, name, value)
        select = select.where(column.is_null() if parsed is None else column == parsed)
    if query.q and query.q.strip() and spec.search_columns:
        found = [
            contains_ignoring_case(_column(spec, name), query.q) for name in spec.search_columns
        ]
        condition: Any = found[0]
        for other in found[1:]:
            condition = condition | other
        select = select.where(condition)
    elif query.q and query.q.strip() and spec.search_column:
        pattern = like_pattern(query.q)
        key = spec.table._meta.primary_key._meta.db_column_name
        by_creation = [c._meta.db_column_name for c in columns] == [key]
        paged = spec.search_page_function
        if paged and is_postgres(get_engine()) and by_creation and search_pages:
            # In creation order, the owner's planner finds one page itself:
            # the id index for a common term, the trigram index for a rare one.
            after = decode_cursor(query.cursor, sort, columns)[0] if query.cursor else None
            select = select.where(
                WhereRaw(
                    f"{key} = ANY(ARRAY(SELECT {paged}({{}}, {{}}::uuid, {{}}, {{}})))",
                    pattern,
                    after,
                    descending,
                    size + 1,
                )
            )
        elif spec.search_function and is_postgres(get_engine()):
            select = select.where(
                # = ANY(ARRAY(...)): the matching ids are found first, once,
                # whatever plan a prepared statement gets (with IN, a generic
                # plan walked the tenant's whole id index to join them).
                WhereRaw(f"{key} = ANY(ARRAY(SELECT {spec.search_function}({{}})))", pattern)
            )
        else:
            select = select.where(WhereRaw(f"{spec.search_column} LIKE {{}} ESCAPE '\\'", pattern))
    if query.cursor:
        after = decode_cursor(query.cursor, sort, columns)
        names = ", ".join(c._meta.db_column_name for c in columns)
        marks = ", ".join("{}" for _ in columns)
        select = select.where(WhereRaw(f"({names}) {'<' if descending else '>'} ({marks})", *after))
    for column in columns:
        select = select.order_by(column, ascending=not descending)
    rows = await select.limit(size + 1)
    next_cursor = encode_cursor(sort, rows[size - 1], columns) if len(rows) > size else None
    return Page(items=rows[:size], next_cursor=next_cursor)


__all__ = ["MAX_LIMIT", "ListQuery", "ListSpec", "control_list_page", "list_page"]
