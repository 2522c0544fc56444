"""The render pool of a large project starts before the manifest is read (pool.EarlyPool),
rendering the designs whose files changed at once: what it renders early is used only for
the very jobs the plan finds dirty, and the build's output is the output of a full build."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import FakeRenderer, LogRenderer, make_project

from shareables.build import early as early_start
from shareables.build import pipeline, pool
from shareables.build.pipeline import build_project

DARWISH = "designs/palestine/darwish-on-this-earth.yaml"


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every project counts as large; returns how many early renders were taken."""
    monkeypatch.setattr(early_start, "EARLY_MANIFEST_BYTES", 0)
    taken: list[int] = []
    real = pool.EarlyPool.take

    def take(self: pool.EarlyPool, group: Any) -> Any:
        fut = real(self, group)
        taken.append(fut is not None)
        return fut

    monkeypatch.setattr(pool.EarlyPool, "take", take)
    return taken


def renders(log: Path) -> list[tuple[str, str, str]]:
    return [tuple(line.split()) for line in log.read_text().splitlines()]  # type: ignore[misc]


def files(out: Path) -> dict[str, Any]:
    """output/ as data: every file's bytes, the manifest parsed without its build time."""
    found: dict[str, Any] = {p.relative_to(out).as_posix(): p.read_bytes()
                             for p in out.rglob("*") if p.is_file()
                             and ".shareables" not in p.parts}
    found["manifest.json"] = json.loads(found["manifest.json"])
    found["manifest.json"].pop("built_at")
    return found


def test_early_renders_are_the_dirty_jobs_once_and_the_output_a_full_builds(
        tmp_path: Path, early: list[int]) -> None:
    root = make_project(tmp_path / "p")
    log = tmp_path / "log"
    build_project(root, jobs=2, renderer=LogRenderer(log))
    text = (root / DARWISH).read_text()
    (root / DARWISH).write_text(text.replace("Its name became", "Its name was"))
    log.unlink()
    result = build_project(root, jobs=2, renderer=LogRenderer(log))
    assert not result.errors
    done = renders(log)
    rendered = {(f"palestine/{s['design']}/{s['lang']}", s["platform"]) for s in result.statuses
                if s["status"] == "rendered" and s["role"] not in ("bundle", "thumbnail")}
    count = Counter((v, p) for _pid, v, p in done)
    assert all(count[job] == 1 for job in rendered)  # each dirty job rendered once
    # The rest: the other language of the edited file, handed out early, then dropped.
    assert {v for v, _p in set(count) - rendered} <= {"palestine/darwish-on-this-earth/ar"}
    assert max(count.values()) == 1
    assert str(os.getpid()) not in {pid for pid, _v, _p in done}
    assert early and all(early)  # every dirty canvas was one handed out early
    fresh = tmp_path / "fresh"
    build_project(root, jobs=1, renderer=FakeRenderer(), output_dir=fresh)
    assert files(root / "output") == files(fresh)


def test_an_edit_that_changes_no_render_uses_nothing_early_and_leaves_no_process(
        tmp_path: Path, early: list[int]) -> None:
    root = make_project(tmp_path / "p")
    log = tmp_path / "log"
    build_project(root, jobs=2, renderer=LogRenderer(log))
    manifest = (root / "output" / "manifest.json").read_bytes()
    with open(root / DARWISH, "a") as f:
        f.write("# a comment: the file's bytes change, nothing it renders does\n")
    log.unlink()
    result = build_project(root, jobs=2, renderer=LogRenderer(log))
    assert result.rendered == 0 and not result.errors
    assert (root / "output" / "manifest.json").read_bytes() == manifest
    assert early == []  # nothing dirty: nothing taken
    for pid in {int(pid) for pid, _v, _p in renders(log)} if log.exists() else ():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # killed; the fork server reaps it
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"early render process {pid} still running")


SLOW = """
from fixtures_project import FakeRenderer

class Slow(FakeRenderer):
    def render(self, variant, platform):
        with open({log!r}, "a") as f:
            f.write("start\\n")
        files = super().render(variant, platform)
        with open({log!r}, "a") as f:
            f.write("done\\n")
        return files
"""
SCRIPT = """
import sys
from pathlib import Path
sys.path[:0] = [{tests!r}, {here!r}]
from slow import Slow
from shareables.build import early, pipeline
from shareables.build.pipeline import build_project

early.EARLY_MANIFEST_BYTES = 0
result = build_project(Path({root!r}), jobs=2, renderer=Slow(delay=0.5))
print(result.rendered)
"""


def test_early_renders_still_drawing_when_the_build_needs_none_finish_and_the_process_exits(
        tmp_path: Path) -> None:
    """Killed while sending its result, a render process could leave a half-written message
    that the pool's reader thread waits on at exit, for ever: they are left to finish."""
    import subprocess
    import sys

    root = make_project(tmp_path / "p")
    build_project(root, jobs=1, renderer=FakeRenderer())
    # The design cache of the build before the last (restored from a backup, say): the
    # edited design is likely dirty, and its renders are in output/ already.
    cache = root / "output" / ".shareables" / pipeline.DESIGN_CACHE
    before = cache.read_bytes()
    (root / DARWISH).write_text((root / DARWISH).read_text().replace("Its name became",
                                                                      "Its name was"))
    build_project(root, jobs=1, renderer=FakeRenderer())
    cache.write_bytes(before)
    log = tmp_path / "log"
    (tmp_path / "slow.py").write_text(SLOW.format(log=str(log)))
    script = SCRIPT.format(tests=str(Path(__file__).resolve().parent.parent),
                           here=str(tmp_path), root=str(root))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]  # nothing needed rendering
    lines = log.read_text().split()
    assert lines and lines.count("start") == lines.count("done")  # none killed mid-way


def test_a_design_edited_since_the_last_build_starts_the_fork_server_before_designs_load(
        tmp_path: Path, early: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's imports then overlap the build's reading; an untouched project starts
    none (a no-change build never imports multiprocessing)."""
    from shareables.project import design

    root = make_project(tmp_path / "p")
    build_project(root, jobs=2, renderer=FakeRenderer())
    order: list[str] = []
    real_start, real_load = pool.start_forkserver, design.load_designs

    def start() -> None:
        order.append("server")
        real_start()

    def load(*a: Any, **k: Any) -> Any:
        order.append("designs")
        return real_load(*a, **k)

    monkeypatch.setattr(pool, "start_forkserver", start)
    monkeypatch.setattr(design, "load_designs", load)
    build_project(root, jobs=2, renderer=FakeRenderer())
    assert order == ["designs"]
    order.clear()
    (root / DARWISH).write_text((root / DARWISH).read_text().replace("Its name became",
                                                                      "Its name was"))
    result = build_project(root, jobs=2, renderer=FakeRenderer())
    assert order[:2] == ["server", "designs"] and result.rendered and not result.errors
    order.clear()
    build_project(root, jobs=1, renderer=FakeRenderer())  # one worker: no pool to start early
    assert order == ["designs"]


def test_with_no_design_cache_that_applies_nothing_is_rendered_early(
        tmp_path: Path, early_pools: list[int]) -> None:
    """After a shareables.yaml edit or an upgrade every design file is parsed again: none is
    known to have changed, and most renders are usually still cached."""
    root = make_project(tmp_path / "p")
    build_project(root, jobs=2, renderer=FakeRenderer())
    early_pools.clear()
    (root / "output" / ".shareables" / pipeline.DESIGN_CACHE).unlink()
    result = build_project(root, jobs=2, renderer=FakeRenderer())
    assert result.rendered == 0 and not result.errors and early_pools == []
    (root / DARWISH).write_text((root / DARWISH).read_text().replace("Its name became",
                                                                      "Its name was"))
    result = build_project(root, jobs=2, renderer=FakeRenderer())
    assert result.rendered and not result.errors and len(early_pools) == 1  # the cache applies
