"""Pausing Python's cyclic garbage collector around bulk work on acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Keep the cyclic collector out of a block that makes many short-lived acyclic objects.

    Decoded JSON documents and build records hold no cycles, so reference counting frees them.
    With tens of thousands alive, collections triggered midway rescan and promote them all, and
    the promotions soon trigger full collections over the whole heap (a third of the trace batch
    path's CPU, 15-30% of a dataset build: docs/traces.md, bench/datasets.py). Free them before
    the block ends, so the collector's first run after does not scan them either. The
    collector's previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
