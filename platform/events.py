"""Domain events: what happened, told to whoever subscribed, after the commit.

A service emits an event inside its transaction (``emit``); the events of a
transaction are handed to the subscribers declared in the features'
manifests once it has committed, and dropped if it rolled back. Adoption
telemetry and the customer timeline listen here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    name: str  # e.g. "contact.created"
    tenant_id: uuid.UUID
    actor_id: uuid.UUID | None
    actor_role: str | None
    object_type: str
    object_id: str
    module: str = ""  # "sales", "marketing", "service", or "" (platform)
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Sequence[DomainEvent]], Awaitable[None]]
_pending: ContextVar[list[DomainEvent] | None] = ContextVar("pending_events", default=None)
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def emit(event: DomainEvent) -> None:
    """Record an event of the current transaction (outside one: dispatched
    by the next ``collecting`` block that ends, or dropped)."""
    pending = _pending.get()
    if pending is not None:
        pending.append(event)


class collecting:
    """Collect the events emitted in a transaction; ``dispatch`` after commit."""

    def __enter__(self) -> collecting:
        self.events: list[DomainEvent] = []
        self._token = _pending.set(self.events)
        return self

    def __exit__(self, *exc: object) -> None:
        _pending.reset(self._token)

    async def dispatch(self) -> None:
        if not self.events or not _subscribers:
            return
        for subscriber in list(_subscribers):
            try:
                await subscriber(self.events)
            except Exception as error:  # a listener never undoes a committed write
                log.exception("events.subscriber_failed", error=repr(error))
