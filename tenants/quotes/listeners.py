"""Keeping what quotes are searched by in step with the accounts they name:
a renamed account's quotes are found by its new name."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.db.search import normalise
from comptoir.platform.events import DomainEvent
from comptoir.platform.ids import parse_id
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.quotes.tables import Quote

# The quotes of one account reindexed after a change of its name, at most.
REINDEXED = 2000


async def reindex_account_quotes(tenant_id: uuid.UUID, account_id: uuid.UUID) -> int:
    """Refresh the search text of the account's quotes; how many changed."""
    changed = 0
    async with tenant_scope(tenant_id) as scope:
        everyone = scope.unrestricted()
        account = await everyone.find(Account, account_id)
        name = account.name if account is not None else ""
        rows = await (
            everyone.select(Quote, Quote.id, Quote.number, Quote.title, Quote.search_text)
            .where(Quote.account_id == account_id)
            .order_by(Quote.id)
            .limit(REINDEXED)
        )
        for row in rows:
            text = normalise(" ".join(p for p in (row["number"], row["title"], name) if p))
            if text != row["search_text"]:
                await everyone.update(Quote, {Quote.search_text: text}).where(Quote.id == row["id"])
                changed += 1
    return changed


async def on_account_changes(events: Sequence[DomainEvent]) -> None:
    """After a transaction that changed accounts: their quotes' search text."""
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for event in events:
        account_id = parse_id(event.object_id) if event.name == "account.updated" else None
        if account_id is not None and (event.tenant_id, account_id) not in seen:
            seen.add((event.tenant_id, account_id))
            await reindex_account_quotes(event.tenant_id, account_id)
