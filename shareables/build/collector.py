"""The build and Python's cyclic garbage collector: off while a build runs, on for renders.

A rebuild at 1,000 designs holds about a million objects from the manifest on disk (read
from its snapshot, snapshot.py) and ~100,000 more that it makes (designs, plan, entries by
job, the new manifest), for as long as it runs, and none of them in cycles. The collector
walked them again and again as they piled up: 0.15-0.3 s of a one-edit rebuild's CPU.

So the pipeline runs each build under `paused()` (reference counting still frees what the
build drops), and at the end its objects join the oldest generation without being walked
(gc.freeze + gc.unfreeze: two list splices), where the next full collection finds any
cycle among them. Renders in the build's own process (a small build) make and drop cycles
(fonts, SVG trees): they run under `resumed()`, with the collector on but everything the
build holds so far frozen, out of its way. Nested calls, and a caller that turned the
collector off itself, leave it as they found it.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_LOCK = threading.Lock()
_DEPTH = [0]  # paused() blocks open, in any thread
_WAS_ON = [False]  # whether the first of them turned the collector off


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection in the block (see the module docstring). The collector is one
    per process: the first block to open (of any thread) turns it off if it was on, the
    last to close turns it back on, so overlapping builds hand it back as they found it."""
    with _LOCK:
        if _DEPTH[0] == 0:
            _WAS_ON[0] = gc.isenabled()
            if _WAS_ON[0]:
                gc.disable()
        _DEPTH[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH[0] -= 1
            if _DEPTH[0] == 0 and _WAS_ON[0]:
                gc.freeze()
                gc.unfreeze()
                gc.enable()


@contextlib.contextmanager
def resumed() -> Iterator[None]:
    """The collector on for the block if a build paused it, over none of what the build
    holds so far (frozen until the pause ends)."""
    with _LOCK:
        resume = _DEPTH[0] > 0 and _WAS_ON[0] and not gc.isenabled()
        if resume:
            gc.freeze()
            gc.enable()
    try:
        yield
    finally:
        if resume:
            with _LOCK:
                if _DEPTH[0] > 0:
                    gc.disable()
