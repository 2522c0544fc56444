"""A render process that dies while the build is handing out work does not end the build.

The pool hands out a few canvases per worker and tops the queue up as results come back. A
worker killed (the OOM killer, a crash) between a result and the next hand-out made
`submit` raise BrokenProcessPool out of the build, a traceback instead of a retry. Real pool,
real renders; the kill is a real SIGKILL sent at exactly that moment.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

from fixtures_project import make_project

from shareables.build import pool
from shareables.build.keys import FileHasher
from shareables.build.plan import group_by_canvas, plan_build
from shareables.build.worker import JobFailure, PillowRenderer
from shareables.project.design import load_designs
from shareables.project.settings import load_settings


def test_a_worker_killed_between_results_is_retried_not_a_crash(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", ("instagram-portrait", "x", "linkedin"))
    settings = load_settings(root)
    designs, errors = load_designs(root, settings)
    assert not errors
    renderer = PillowRenderer()
    plan = plan_build(settings, designs, FileHasher(), renderer.fingerprint())
    groups = group_by_canvas(plan.jobs)
    assert any(not pool._tame(g) for g in groups)  # a photo: the build uses the pool
    seen: list[tuple[str, str]] = []
    killed: list[int] = []

    def handle(group, results, _seconds) -> None:  # type: ignore[no-untyped-def]
        for job, result in zip(group, results, strict=True):
            assert not isinstance(result, JobFailure), result
            seen.append(job.ident)
        workers = [p for p in multiprocessing.active_children() if p.pid != os.getpid()]
        if workers and not killed:  # a render process dies before the next hand-out
            victim = workers[0]
            os.kill(victim.pid, signal.SIGKILL)
            victim.join(5)
            killed.append(victim.pid)
            time.sleep(0.5)  # the pool notices: it is broken before this returns

    pool.run_groups(groups, renderer, 2, handle)
    assert killed
    assert sorted(seen) == sorted(j.ident for j in plan.jobs)  # each job once, none lost
