"""One render per canvas, one encode per (pixels, format), every platform still listed.

Real renderer throughout: the point is that sharing a render never changes a byte that a
platform would have got on its own.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import LogRenderer, make_project

from shareables.build import worker
from shareables.build.pipeline import build_project
from shareables.build.plan import canvas_signature
from shareables.build.worker import PillowRenderer
from shareables.platforms import PLATFORMS, Platform
from shareables.project.design import load_designs
from shareables.project.settings import load_settings
from shareables.render import compose
from shareables.render.resources import Resources

SHARED = ("instagram-portrait", "facebook", "threads", "linkedin-document",
          "instagram-story", "whatsapp-status", "x", "bluesky")


def test_the_canvas_groups_are_the_ones_the_issue_measured() -> None:
    groups: dict[Any, list[str]] = {}
    for pid, p in PLATFORMS.items():
        if not p.document:
            groups.setdefault(canvas_signature(p, "quote"), []).append(pid)
    shared = sorted(sorted(g) for g in groups.values() if len(g) > 1)
    assert shared == [["bluesky", "x"], ["facebook", "instagram-portrait", "threads"],
                      ["instagram-story", "whatsapp-status"]]
    # A carousel's slide limit decides its split: facebook (10) draws its own slides.
    carousel = {pid: canvas_signature(p, "carousel") for pid, p in PLATFORMS.items()}
    assert carousel["instagram-portrait"] == carousel["threads"] != carousel["facebook"]
    assert carousel["x"] == carousel["bluesky"]


@pytest.fixture(scope="module")
def shipped() -> tuple[Any, list[Any]]:
    settings = load_settings(Path(__file__).resolve().parents[2])
    designs, errors = load_designs(settings.project_dir, settings)
    assert not errors
    return settings, designs


@pytest.mark.parametrize("kind", ["quote", "statement", "tag", "carousel"])
def test_platforms_with_one_canvas_draw_identical_pixels(shipped: Any, kind: str) -> None:
    """The signature is right: rendering each platform on its own gives the same pixels."""
    _settings, designs = shipped
    design = next(d for d in designs if d.kind == kind)
    res = Resources()
    for variant in design.variants[:1]:
        groups: dict[Any, list[Platform]] = {}
        for pid in SHARED:
            p = PLATFORMS[pid]
            if not p.document or kind == "carousel":
                groups.setdefault(canvas_signature(p, kind), []).append(p)
        for members in groups.values():
            drawn = [[im.tobytes() for im in compose.render_variant(variant, p, res)]
                     for p in members]
            assert all(d == drawn[0] for d in drawn), [p.id for p in members]


class CountingRenderer(PillowRenderer):
    """The real renderer, counting the canvases it draws (this process only: --jobs 1)."""

    drawn = 0

    def render_many(self, variant: Any, platforms: Any) -> Any:
        CountingRenderer.drawn += 1
        return super().render_many(variant, platforms)


def _project(tmp_path: Path, keep: tuple[str, ...] = ("darwish-on-this-earth.yaml",
                                                       "three-things.yaml")) -> Path:
    """SHARED platforms; by default a quote (en + ar) and a carousel."""
    root = make_project(tmp_path / "p", SHARED)
    for f in (root / "designs").rglob("*.yaml"):
        if f.name not in keep:
            f.unlink()
    return root


def test_duplicate_canvases_give_one_render_one_sha_and_every_platform_listed(
        tmp_path: Path) -> None:
    root = _project(tmp_path)
    CountingRenderer.drawn = 0
    result = build_project(root, jobs=1, renderer=CountingRenderer())
    assert not result.errors
    out = root / "output"
    m = json.loads((out / "manifest.json").read_text())
    images = [a for a in m["artefacts"] if a["role"] in ("image", "slide", "pdf")]
    # Every platform of every variant is listed, each at its own spec path.
    quote = {a["platform"] for a in images if a["design"] == "darwish-on-this-earth"
             and a["lang"] == "en"}
    assert quote == set(SHARED) - {"linkedin-document"}
    carousel = {a["platform"] for a in images if a["design"] == "three-things"}
    assert carousel == set(SHARED)
    for a in m["artefacts"]:
        data = (out / a["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == a["sha256"], a["path"]
        name = a["path"].rsplit("/", 1)[-1]
        if a["role"] in ("image", "slide", "pdf"):
            assert name.startswith(a["platform"]), a["path"]
    # One render per canvas: quote en + ar get 3 canvases each; the carousel 5 (facebook's
    # limit of 10 and the PDF's pages split on their own), the site card 1.
    assert CountingRenderer.drawn == 3 + 3 + 5 + 1
    # One encode per (pixels, format): threads' JPEG is instagram-portrait's, byte for byte.
    by = {(a["design"], a["lang"], a["platform"], a["slide"]): a["sha256"] for a in images}
    for (design, lang, platform, slide), sha in by.items():
        if platform == "threads":
            assert sha == by[(design, lang, "instagram-portrait", slide)]
    # Platforms on one canvas but with other formats keep their own file (story PNG vs
    # WhatsApp JPEG), and the site's og card is still made.
    assert by[("darwish-on-this-earth", "en", "instagram-story", None)] != \
        by[("darwish-on-this-earth", "en", "whatsapp-status", None)]
    assert any(a["role"] == "site-og" for a in m["artefacts"])
    shas = Counter(a["sha256"] for a in images)
    assert max(shas.values()) >= 2


def test_a_shared_canvas_that_fails_reports_each_platform(tmp_path: Path) -> None:
    root = _project(tmp_path)
    long = " ".join(f"Sentence number {i} is here to make the carousel long." for i in range(40))
    (root / "designs" / "afghanistan" / "three-things.yaml").write_text(
        f"kind: carousel\ntitle: Many things\ntext: {long}\n"
        "platforms: [x, bluesky, instagram-portrait]\n")
    result = build_project(root, jobs=1, renderer=PillowRenderer())
    messages = [str(e) for e in result.errors]
    assert any("x takes at most 4 images" in m for m in messages), messages
    assert any("bluesky takes at most 4 images" in m for m in messages), messages
    assert any(a["platform"] == "instagram-portrait"
               for a in result.manifest["artefacts"] if a.get("design") == "three-things")


def test_render_notes_name_the_platform_they_are_for() -> None:
    assert worker._relabel("x: photo overlay strengthened", "x", "bluesky") == \
        "bluesky: photo overlay strengthened"
    assert worker._relabel("other note", "x", "bluesky") == "other note"


def test_a_pool_build_forked_from_a_warm_parent_writes_the_same_bytes(tmp_path: Path) -> None:
    one = _project(tmp_path / "one", ("darwish-on-this-earth.yaml",))
    two = _project(tmp_path / "two", ("darwish-on-this-earth.yaml",))
    a = build_project(one, jobs=1, renderer=PillowRenderer())
    b = build_project(two, jobs=2, renderer=PillowRenderer())
    assert not a.errors and not b.errors
    assert [(x["path"], x["sha256"]) for x in a.manifest["artefacts"]] == \
        [(x["path"], x["sha256"]) for x in b.manifest["artefacts"]]


def pids_of(log: Path) -> list[str]:
    """Which process rendered each job, in order (LogRenderer's first column)."""
    return [line.split()[0] for line in log.read_text().splitlines()]


def test_small_builds_render_in_this_process_and_large_ones_in_a_pool(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shareables.build import pool

    # This test process is far from lean, and its fixtures may keep threads alive: treat it
    # as the small, single-threaded process of `shareables build` (the next tests check both).
    monkeypatch.setattr(pool, "LEAN_PARENT_MB", 1 << 20)
    monkeypatch.setattr(pool.threading, "active_count", lambda: 1)
    small = make_project(tmp_path / "small", ("og",))
    log = tmp_path / "pids"
    build_project(small, paths=[small / "designs" / "palestine" / "share-palestine.yaml"],
                  jobs=2, renderer=LogRenderer(log))
    assert set(pids_of(log)) == {str(os.getpid())}
    log.unlink()
    large = make_project(tmp_path / "large", SHARED)
    build_project(large, jobs=2, renderer=LogRenderer(log))
    pids = pids_of(log)
    assert len(pids) > 20 and set(pids) - {str(os.getpid())}  # workers did the rendering
    # ...and the parent, warmed up for the fork, rendered the smallest canvas itself.
    assert str(os.getpid()) in pids


def test_a_process_running_other_threads_never_forks_its_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`shareables serve` builds while its HTTP server and watcher run: a fork would copy a
    lock one of them holds, locked for ever; the workers come from the fork server."""
    import threading

    from shareables.build import pool

    monkeypatch.setattr(pool, "LEAN_PARENT_MB", 1 << 20)
    large = make_project(tmp_path / "large", SHARED)
    log = tmp_path / "pids"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        result = build_project(large, jobs=2, renderer=LogRenderer(log))
    finally:
        stop.set()
        other.join()
    assert not result.errors
    pids = set(pids_of(log))
    assert pids and str(os.getpid()) not in pids  # nothing drawn here, nothing forked


def test_a_heavy_build_process_draws_nothing_and_its_workers_come_from_a_fork_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large project's build process holds its manifest and designs: it must not add the
    renderer's memory to that, nor hand all of it to every worker it forks."""
    from shareables.build import pool

    monkeypatch.setattr(pool, "LEAN_PARENT_MB", 0)
    small = make_project(tmp_path / "small", ("og",))
    log = tmp_path / "pids"
    result = build_project(small, paths=[small / "designs" / "palestine" /
                                         "share-palestine.yaml"], jobs=2,
                           renderer=LogRenderer(log))
    assert not result.errors
    pids = set(pids_of(log))
    assert pids and str(os.getpid()) not in pids
    import multiprocessing.forkserver as fs

    server = fs._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server is not None and str(server) not in pids  # forked from it, not it


def test_previewed_is_the_first_still_platform_of_each_shape_in_table_order() -> None:
    from shareables.site.shapes import previewed

    assert previewed(["threads", "facebook", "linkedin", "x", "linkedin-document", "og",
                      "bluesky"]) == {"facebook", "x"}
    assert previewed(["linkedin-document", "og"]) == frozenset()
    assert previewed(["whatsapp-status", "pinterest"]) == {"whatsapp-status", "pinterest"}


def test_thumbnails_only_where_the_page_shows_them(tmp_path: Path) -> None:
    """One preview set per shape (its first platform's); the page still previews every
    shape, from those files."""
    from shareables.site.model import PageModel

    root = _project(tmp_path)
    result = build_project(root, jobs=1)
    assert not result.errors
    out = root / "output"
    m = json.loads((out / "manifest.json").read_text())
    thumbed: dict[tuple[str, str], set[str]] = {}
    for a in m["artefacts"]:
        if a["role"] == "thumbnail":
            thumbed.setdefault((a["design"], a["lang"]), set()).add(a["platform"])
    assert thumbed  # every variant has previews, and only for these three
    assert all(p == {"instagram-portrait", "instagram-story", "x"} for p in thumbed.values())
    assert not [f for f in (out).rglob("thumbs/*") if f.name.startswith(("facebook", "threads",
                                                                        "bluesky", "whatsapp"))]
    page = PageModel(m, lambda a: str(a["path"]))
    variants = [v for d in page.designs() for v in d["variants"].values()]
    assert len(variants) == len(thumbed) == 3  # the quote in en and ar, the carousel
    for variant in variants:
        shown = {g["key"] for g in variant["groups"] if g["main"]}
        assert shown == {"portrait", "story", "wide"}, variant["lang"]


def test_a_small_build_outside_the_main_thread_renders_under_the_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`shareables serve` rebuilds in a thread, where SIGALRM (the render's wall-clock budget)
    never arrives: even a build small enough to render in-process goes to a worker there."""
    import threading

    from shareables.build import pool

    monkeypatch.setattr(pool, "LEAN_PARENT_MB", 1 << 20)
    small = make_project(tmp_path / "small", ("og",))
    log = tmp_path / "pids"
    done: list[Any] = []
    for jobs in (1, 2):
        thread = threading.Thread(target=lambda j=jobs: done.append(build_project(
            small, paths=[small / "designs" / "palestine" / "share-palestine.yaml"],
            jobs=j, force=True, renderer=LogRenderer(log))))
        thread.start()
        thread.join()
        assert done and not done[-1].errors
        pids = set(pids_of(log))
        assert pids and str(os.getpid()) not in pids, jobs  # a worker drew it
        log.unlink()
