"""The page state (output/.shareables/index.json) is trusted only for the manifest it names:
an edit has its cards replaced in the pages on disk, and a manifest or state that is not
the one recorded means rendering the pages (build/pages.py). Each time, the pages on disk
must be what a full render of the manifest gives."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import NUMBERED_QUOTE as QUOTE
from fixtures_project import build_fake as run
from fixtures_project import make_project

from shareables.site import page as site

REAL = site.iter_pages


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "p", platforms=("instagram-square",))
    for n in range(1, 16):
        (root / "designs" / "climate").mkdir(exist_ok=True)
        (root / "designs" / "climate" / f"q{n:02d}.yaml").write_text(
            QUOTE.format(n=n, lang="es" if n % 4 == 0 else "en"))
    run(root)
    return root


def state_of(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / ".shareables" / "index.json").read_text()))


def pages_on_disk(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in state_of(out)["pages"]}


def full_render(out: Path) -> dict[str, bytes]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {k: v.encode() for k, v in REAL(manifest, lambda a: a["path"])}


def edit(project: Path, n: int, new: str) -> None:
    f = project / "designs" / "climate" / f"q{n:02d}.yaml"
    f.write_text(f.read_text().replace(f"Caption {n}.", new))


def rendered(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The calls to site.page.iter_pages from now on (what a splice does not make)."""
    calls: list[Any] = []

    def counted(*a: Any, **kw: Any) -> Any:
        calls.append(kw.get("only"))
        return REAL(*a, **kw)

    monkeypatch.setattr(site, "iter_pages", counted)
    return calls


def test_an_edit_has_its_cards_replaced(project: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    out = project / "output"
    calls = rendered(monkeypatch)
    edit(project, 14, "A new caption, 14.")
    run(project)
    assert calls == []  # no page rendered: the card replaced in place
    assert pages_on_disk(out) == full_render(out)
    edit(project, 3, "And <another> one & more.")
    edit(project, 14, "Caption fourteen.")
    run(project)
    assert calls == [] and pages_on_disk(out) == full_render(out)
    # the first design of a campaign is its cover on the index
    (project / "designs" / "climate" / "q01.yaml").write_text(
        QUOTE.format(n=1, lang="en").replace("Words", "Other words"))
    run(project)
    assert calls == [] and pages_on_disk(out) == full_render(out)
    # a new design (every page's count changes): rendered
    (project / "designs" / "climate" / "q99.yaml").write_text(QUOTE.format(n=99, lang="en"))
    run(project)
    assert calls == [None] and pages_on_disk(out) == full_render(out)


def test_another_manifest_than_the_one_recorded_means_rendering(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project / "output"
    # the same bytes written again (a restore, a copy): another file, so not trusted
    manifest = out / "manifest.json"
    data = manifest.read_bytes()
    manifest.unlink()
    manifest.write_bytes(data)
    calls = rendered(monkeypatch)
    run(project)
    assert calls == [None]  # every page
    assert pages_on_disk(out) == full_render(out)
    # edited by hand: the build writes its own manifest again, and renders from it
    text = manifest.read_text().replace("Caption 14.", "Edited by hand.")
    manifest.write_text(text)
    os.utime(manifest, ns=(0, 0))
    run(project)
    assert calls == [None, None] and pages_on_disk(out) == full_render(out)
    run(project)  # and the state recorded then is trusted
    assert len(calls) == 2


def test_a_hand_edit_in_place_that_keeps_the_stat_means_rendering(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """manifest.json edited in place (same inode), same size, its mtime put back (touch -r):
    the stat the state names is unchanged, the bytes are not. A field the build adopts from
    the manifest on disk (an image's role) stays edited; the pages must show it too."""
    out = project / "output"
    run(project)
    manifest = out / "manifest.json"
    st = manifest.stat()
    data = manifest.read_bytes()
    at = data.index(b'"role":"image"')
    with open(manifest, "r+b") as f:
        f.seek(at)
        f.write(b'"role":"slide"')
    os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert manifest.stat().st_ino == st.st_ino and manifest.stat().st_size == st.st_size
    run(project)
    assert pages_on_disk(out) == full_render(out)
    calls = rendered(monkeypatch)
    run(project)  # what was recorded then is trusted again
    assert calls == [] and pages_on_disk(out) == full_render(out)


@pytest.mark.parametrize("damage", ["garbage", "no stamp", "another stamp", "old format",
                                    "no layout", "bad layout", "another site"])
def test_a_damaged_state_means_rendering(project: Path, damage: str) -> None:
    out = project / "output"
    path = out / ".shareables" / "index.json"
    state = state_of(out)
    if damage == "garbage":
        path.write_bytes(b"{not json")
    else:
        if damage == "no stamp":
            del state["manifest"]
        elif damage == "another stamp":
            state["manifest"][1] += 1
        elif damage == "old format":
            state = {"key": "0" * 64, "pages": state["pages"]}
        elif damage == "no layout":
            del state["layout"]
        elif damage == "bad layout":
            state["layout"] = [[c, []] for c, _ in state["layout"]]
        else:
            state["site"] = "0" * 64
        path.write_text(json.dumps(state))
    edit(project, 14, "A new caption, 14.")
    run(project)
    assert pages_on_disk(out) == full_render(out)
    assert state_of(out).keys() == {"site", "layout", "langs", "pages", "manifest"}
