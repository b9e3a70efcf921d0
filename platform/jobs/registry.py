"""Which kinds of job exist: those the features declare in their manifests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING

from croniter import croniter

from comptoir.platform.jobs.kinds import JobKind

if TYPE_CHECKING:
    from comptoir.platform.features import Feature

# A job still "running" after this long belongs to a worker that died; no
# kind may take longer per attempt (see ``kinds_of``).
STALE_AFTER = dt.timedelta(minutes=30)


def index_kinds(kinds: Iterable[JobKind]) -> dict[str, JobKind]:
    """Kinds by name, checked: names unique, cron expressions valid, timeouts
    shorter than the time after which a running job is taken for abandoned."""
    found: dict[str, JobKind] = {}
    for kind in kinds:
        if kind.name in found:
            raise RuntimeError(f"job kind {kind.name!r} is declared twice")
        if kind.periodic is not None and not croniter.is_valid(kind.periodic):
            raise RuntimeError(f"job kind {kind.name!r}: invalid cron {kind.periodic!r}")
        if not 0 < kind.timeout < STALE_AFTER.total_seconds():
            raise RuntimeError(f"job kind {kind.name!r}: timeout must be under {STALE_AFTER}")
        if kind.max_attempts < 1:
            raise RuntimeError(f"job kind {kind.name!r}: max_attempts must be at least 1")
        found[kind.name] = kind
    return found


def kinds_of(features: Iterable[Feature]) -> dict[str, JobKind]:
    return index_kinds(kind for feature in features for kind in feature.job_kinds)


@cache
def registered_kinds() -> Mapping[str, JobKind]:
    """Every kind of job of every feature of the product."""
    from comptoir.platform.assembly import all_features

    return kinds_of(all_features())


def resolve(kinds: Iterable[JobKind] | None = None) -> Mapping[str, JobKind]:
    """The given kinds (tests, a worker limited to some kinds), else all."""
    return registered_kinds() if kinds is None else index_kinds(kinds)
