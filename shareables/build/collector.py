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
from collections.abc import Iterator

_PAUSED: list[bool] = []  # one entry per paused(): whether it turned the collector off


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection in the block (see the module docstring)."""
    turned_off = gc.isenabled()
    if turned_off:
        gc.disable()
    _PAUSED.append(turned_off)
    try:
        yield
    finally:
        _PAUSED.pop()
        if turned_off:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@contextlib.contextmanager
def resumed() -> Iterator[None]:
    """The collector on for the block if a build paused it, over none of what the build
    holds so far (frozen until the pause ends)."""
    resume = any(_PAUSED) and not gc.isenabled()
    if resume:
        gc.freeze()
        gc.enable()
    try:
        yield
    finally:
        if resume:
            gc.disable()
