"""The collector and a long-running process.

A full garbage collection walks every tracked object; after startup that is
some hundred thousand of them (modules, routes, templates, tables), walked
again each time a request allocates a lot (~70 ms a time on a small
machine: the p95 of the pages that read a big JSON document). Once started,
those objects live as long as the process, so they are moved out of the
collector's reach: a full collection then walks only what requests made."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> None:
    """Call once startup is done (the app, the worker; the benchmarks, to
    measure what they run). Once per process: an app made again (tests) is
    left to the collector."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
