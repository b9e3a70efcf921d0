"""Domain events: what happened, told to whoever subscribed, after the commit.

A service emits an event inside its transaction (``emit``); the events of a
transaction are handed to the subscribers declared in the features'
manifests once it has committed, and dropped if it rolled back. Adoption
telemetry and the customer timeline listen here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
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
    # Done by support staff signed in as the actor: told to the listeners (the
    # timeline shows it), but it is not the actor's own use of the CRM.
    impersonated: bool = False


Subscriber = Callable[[Sequence[DomainEvent]], Awaitable[None]]
_pending: ContextVar[list[DomainEvent] | None] = ContextVar("pending_events", default=None)
_impersonated: ContextVar[bool] = ContextVar("impersonated_events", default=False)
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
        pending.append(replace(event, impersonated=True) if _impersonated.get() else event)


@contextmanager
def impersonated(flag: bool) -> Iterator[None]:
    """While it lasts, every event emitted is marked as done by support staff
    signed in as its actor (``flag`` False: nothing changes)."""
    token = _impersonated.set(flag or _impersonated.get())
    try:
        yield
    finally:
        _impersonated.reset(token)


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
