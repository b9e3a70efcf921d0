"""What a feature declares about its background work: a kind of job."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class JobContext:
    """What a job's handler gets: its arguments, its tenant (if any), which attempt."""

    job_id: uuid.UUID
    kind: str
    args: Mapping[str, Any]
    tenant_id: uuid.UUID | None
    attempt: int
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    @property
    def last_attempt(self) -> bool:
        """Whether a failure now makes the job dead rather than retried."""
        return self.attempt >= self.max_attempts


JobHandler = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class JobKind:
    """A kind of background job, declared in a feature's manifest.

    The handler must be idempotent: a job runs at least once (a worker that
    dies mid-job leaves it to be run again). It gets ``timeout`` seconds per
    attempt; raising (or timing out) schedules a retry with exponential
    backoff, until ``max_attempts``, after which the job is dead and waits for
    staff. ``periodic`` is a cron expression (UTC) for jobs the worker
    schedules itself, once per slot whatever the number of workers."""

    name: str
    handler: JobHandler
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    periodic: str | None = None
    description: str = ""
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    extra: Mapping[str, Any] = field(default_factory=dict)
