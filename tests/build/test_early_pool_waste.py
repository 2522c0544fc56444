"""The early render pool (pool.EarlyPool) only for edits that change what a design draws.

A design file parsed again is only *likely* dirty: a caption, a platform list or a comment
changes its bytes and none of its renders. Such an edit (the commonest fix the comms team
makes) must start no render process: before, a large project's build started the fork
server and the workers, drew the file's costliest canvases for nobody, and the command only
exited once those renders were done (0.3 s -> 1.0-1.5 s for a caption edit on the test
project, measured with the real renderer).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_project import LogRenderer, make_project

from shareables.build.pipeline import build_project

DARWISH = "designs/palestine/darwish-on-this-earth.yaml"
CAROUSEL = "designs/afghanistan/three-things.yaml"


@pytest.mark.parametrize(("design", "old", "new"), [
    (DARWISH, "— Mahmoud Darwish @madrespeaks", "— Mahmoud Darwish. @madrespeaks"),  # caption
    (CAROUSEL, "caption: A short carousel.", "caption: A short carousel, in three."),
    (DARWISH, "kind: quote", "# the quote, as published\nkind: quote"),  # a comment
])
def test_an_edit_that_draws_nothing_new_starts_no_render(
        tmp_path: Path, early_pools: list[int], design: str, old: str, new: str) -> None:
    root = make_project(tmp_path / "p")
    log = tmp_path / "log"
    build_project(root, jobs=2, renderer=LogRenderer(log))
    text = (root / design).read_text()
    assert old in text
    (root / design).write_text(text.replace(old, new, 1))
    log.unlink()
    early_pools.clear()
    result = build_project(root, jobs=2, renderer=LogRenderer(log))
    assert not result.errors and result.rendered == 0
    assert not log.exists()  # nothing drawn, by any process
    assert early_pools == []  # and no pool started for it


def test_a_text_edit_still_renders_early(tmp_path: Path, early_pools: list[int]) -> None:
    """What the early pool is for: the edited variant's canvases handed out at once (only
    those: the file's other language draws what it drew)."""
    root = make_project(tmp_path / "p")
    log = tmp_path / "log"
    build_project(root, jobs=2, renderer=LogRenderer(log))
    text = (root / DARWISH).read_text()
    (root / DARWISH).write_text(text.replace("Its name became", "Its name was"))
    log.unlink()
    early_pools.clear()
    result = build_project(root, jobs=2, renderer=LogRenderer(log))
    assert not result.errors and result.rendered > 0
    assert len(early_pools) == 1 and early_pools[0] > 0
    drawn = {line.split()[1] for line in log.read_text().splitlines()}
    assert drawn == {"palestine/darwish-on-this-earth/en"}
