"""Helpers of the usage tests: events at known moments, straight into the
event store (as the listener would record them), and rollups."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from comptoir.adoption.rollups.service import rollup_tenant
from comptoir.adoption.telemetry.buffer import BUFFER, event_row, flush
from comptoir.platform.events import DomainEvent

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    """'2026-01-31 23:30' in UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(
    tenant_id: uuid.UUID | str,
    user_id: uuid.UUID | str | None,
    when: str,
    name: str = "contact.created",
    *,
    role: str = "end_user",
    module: str = "sales",
    object_type: str = "contact",
    data: dict[str, Any] | None = None,
) -> DomainEvent:
    return DomainEvent(
        name=name,
        tenant_id=uuid.UUID(str(tenant_id)),
        actor_id=uuid.UUID(str(user_id)) if user_id is not None else None,
        actor_role=role if user_id is not None else None,
        object_type=object_type,
        object_id="x",
        module=module,
        at=at(when),
        data=data or {},
    )


async def record(*events: DomainEvent) -> None:
    BUFFER.add([event_row(e) for e in events])
    await flush()


async def roll(tenant_id: uuid.UUID | str, now: str) -> None:
    await rollup_tenant(uuid.UUID(str(tenant_id)), "Europe/Paris", now=at(now))
