"""Settings of the usage telemetry, from the environment."""

from __future__ import annotations

import os

DEFAULT_RAW_EVENTS_DAYS = 90


def raw_events_days() -> int:
    """How long raw events are kept (``COMPTOIR_RAW_EVENTS_DAYS``, 90 by
    default); the rollups keep their counts for good."""
    raw = os.environ.get("COMPTOIR_RAW_EVENTS_DAYS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return DEFAULT_RAW_EVENTS_DAYS
