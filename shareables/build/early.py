"""When a build starts its render pool early (pool.EarlyPool), and on which canvases.

A large project's build spends its first ~0.5 s reading its manifest, planning and checking
its cache before it knows what is dirty; the render processes' start (the fork server's
imports, ~0.2 s of CPU) and the first renders of the designs whose files changed overlap
that instead. Only the local pool with more than one worker, building every shard, does it.
Everything here is a guess that costs time, never correctness: an early render is used only
for a job with the very same key.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .plan import group_by_canvas, job_cost, plan_build

if TYPE_CHECKING:
    from ..project.model import Design, Settings
    from .keys import FileHasher
    from .plan import Job

EARLY_MANIFEST_BYTES = 8 << 20
"""A manifest on disk this large (~300 designs) has the render pool started before it is
read: reading it, planning and checking the cache take long enough that the workers' start
and the likely designs' renders overlap them."""


def wanted(out: Path, *, jobs: int, executor: Any, shard: Any, published: Any) -> bool:
    """Whether a build with these options starts its pool early: a large project (its
    manifest on disk in `out`), the local pool, more than one worker, all shards, nothing
    downloaded from a published site."""
    if executor or shard or published or jobs <= 1:
        return False
    try:
        return os.stat(out / "manifest.json").st_size >= EARLY_MANIFEST_BYTES
    except OSError:
        return False


def edited_since(designs: Path, state: Path) -> bool:
    """Whether a file under `designs` was modified after `state` was written: a guess, from
    modification times only, that the build will render. Then the fork server is started
    before the designs are even read (~0.15 s sooner; its imports take ~0.2 s of the other
    core). A wrong guess costs a server started for nothing, or one started a little later."""
    try:
        since = os.stat(state).st_mtime_ns
    except OSError:
        return False
    for root, _dirs, files in os.walk(designs):
        for name in files:
            try:
                if os.stat(os.path.join(root, name)).st_mtime_ns >= since:
                    return True
            except OSError:
                continue
    return False


def likely_canvases(settings: Settings, likely: Sequence[Design], before: Sequence[Design],
                    hasher: FileHasher, fingerprint: str, known_failures: dict[str, Any], *,
                    platforms: Sequence[str] | None, durations: dict[str, float]
                    ) -> list[list[Job]]:
    """The canvases of the `likely` designs (whose files changed) that are likely dirty,
    costliest first: not a job whose key the file's last version (`before`) had too (a
    caption, a comment, a platform list changed: the same bytes are in output/ already),
    nor one known to fail, nor the site's own card."""
    sub = plan_build(settings, likely, hasher, fingerprint, platforms=platforms,
                     durations=durations)
    same = {(j.platform, j.key) for j in plan_build(
        settings, before, hasher, fingerprint, platforms=platforms,
        durations=durations).jobs} if before else set()
    jobs = sorted((j for j in sub.jobs if j.dir != "site" and j.key not in known_failures
                   and (j.platform, j.key) not in same), key=job_cost, reverse=True)
    return group_by_canvas(jobs)
