"""Rebuilds that scale with the change: the design cache, the pages rendered again, the
manifest's reused lines. Each cache is checked against doing the work in full: the pages on
disk must equal a full render of the manifest, the manifest must equal a full encoding."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import NUMBERED_QUOTE as QUOTE
from fixtures_project import build_fake as run
from fixtures_project import make_project

from shareables.build.manifest import manifest_bytes
from shareables.build.manifestlines import encode_reusing
from shareables.site import page as site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The small project plus a campaign of 15 quotes (two pages of 12), some in Spanish."""
    root = make_project(tmp_path / "p", platforms=("instagram-square",))
    for n in range(1, 16):
        (root / "designs" / "climate" / f"q{n:02d}.yaml").parent.mkdir(exist_ok=True)
        (root / "designs" / "climate" / f"q{n:02d}.yaml").write_text(
            QUOTE.format(n=n, lang="es" if n % 4 == 0 else "en"))
    return root


def pages_on_disk(out: Path) -> dict[str, bytes]:
    names = json.loads((out / ".shareables" / "index.json").read_text())["pages"]
    return {name: (out / name).read_bytes() for name in names}


def full_render(out: Path) -> dict[str, bytes]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {k: v.encode() for k, v in site.render_pages(manifest, lambda a: a["path"]).items()}


def stamps(out: Path) -> dict[str, int]:
    return {name: (out / name).stat().st_mtime_ns for name in pages_on_disk(out)}


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


def test_an_edit_renders_only_the_pages_showing_that_design(project: Path) -> None:
    out = project / "output"
    run(project)
    assert pages_on_disk(out) == full_render(out)
    before = stamps(out)
    edit(project / "designs/climate/q14.yaml", "Caption 14.", "A new caption 14.")
    run(project)
    assert pages_on_disk(out) == full_render(out)  # exactly what a full render gives
    after = stamps(out)
    changed = {name for name in before if before[name] != after[name]}
    # q14 is on the campaign's second page: that page in each language, and the search.
    assert changed == {"climate.2.html", "climate.2.es.html", "climate.2.ar.html",
                       "search.json"}


def test_the_first_design_of_a_campaign_changes_its_index_cover_and_embed(
        project: Path) -> None:
    out = project / "output"
    run(project)
    before = stamps(out)
    edit(project / "designs/climate/q01.yaml", "Words number 1.", "Other words, number 1.")
    run(project)
    assert pages_on_disk(out) == full_render(out)
    after = stamps(out)
    changed = {name for name in before if before[name] != after[name]}
    assert {"index.html", "climate.html", "climate.embed.html", "search.json"} <= changed
    assert "climate.2.html" not in changed and "palestine.html" not in changed


@pytest.mark.parametrize("change", ["brand", "new design", "removed design", "language"])
def test_site_wide_changes_render_every_page(project: Path, change: str) -> None:
    out = project / "output"
    run(project)
    if change == "brand":
        edit(project / "shareables.yaml", "name: MADRE", "name: MADRE Speaks")
    elif change == "new design":  # shifts q12.. to the next page, and every page's count
        (project / "designs/climate/a-first.yaml").write_text(QUOTE.format(n=99, lang="en"))
    elif change == "removed design":
        (project / "designs/climate/q03.yaml").unlink()
    else:  # the first French variant: every page gains a language link
        edit(project / "designs/climate/q05.yaml", "lang: en", "lang: fr")
    run(project)
    assert pages_on_disk(out) == full_render(out)


def test_a_page_changed_or_deleted_on_disk_is_written_again(project: Path) -> None:
    out = project / "output"
    run(project)
    (out / "climate.2.html").write_text("tampered")
    (out / "palestine.html").unlink()
    run(project)
    assert pages_on_disk(out) == full_render(out)
    edit(project / "designs/climate/q14.yaml", "Caption 14.", "Caption fourteen.")
    (out / "climate.html").write_text("tampered")
    run(project)
    assert pages_on_disk(out) == full_render(out)


def test_a_no_change_rebuild_writes_no_page_and_no_state(project: Path) -> None:
    out = project / "output"
    run(project)
    state = out / ".shareables"
    files = {p: p.stat().st_mtime_ns for p in [*state.iterdir(), out / "manifest.json"]
             if p.name != "lock"}
    before = stamps(out)
    result = run(project)
    assert result.rendered == 0
    assert stamps(out) == before
    assert {p: p.stat().st_mtime_ns for p in files} == files


def test_the_design_cache_follows_edits_through_the_build(project: Path) -> None:
    out = project / "output"
    run(project)
    cache = out / ".shareables" / "designs.json"
    assert cache.is_file()
    edit(project / "designs/climate/q07.yaml", "Words number 7.", "Seven, edited.")
    run(project)
    variants = json.loads((out / "manifest.json").read_text())["variants"]
    assert next(v for v in variants if v["design"] == "q07")["text"] == "Seven, edited."
    # a theme edit reaches every design using it, through the cache
    settings = project / "shareables.yaml"
    text = settings.read_text()
    settings.write_text(re.sub("#0f3d2e", "#224466", text, flags=re.I))
    result = run(project)
    assert {s["status"] for s in result.statuses if s["design"] == "share-palestine"
            and s["role"] == "image"} == {"rendered"}


def test_reused_manifest_lines_give_the_full_encoding(project: Path) -> None:
    out = project / "output"
    run(project)
    raw = (out / "manifest.json").read_bytes()
    old = json.loads(raw)
    new = json.loads(raw)
    new["artefacts"][3]["caption"] = "changed"
    new["artefacts"].pop(5)
    new["artefacts"].append({**new["artefacts"][0], "path": "zzz/new.png"})
    assert encode_reusing(new, old, raw) == manifest_bytes(new)
    assert encode_reusing(old, old, raw) == raw == manifest_bytes(old)
    # another layout of the same data (hand-edited, re-indented): encoded in full
    pretty = json.dumps(old, indent=1).encode()
    assert encode_reusing(new, old, pretty) == manifest_bytes(new)
    swapped = raw.replace(b'"path":"', b'"path":"x', 1)
    assert encode_reusing(new, old, swapped) == manifest_bytes(new)


def test_the_json_report_is_the_same_data_one_artefact_a_line(project: Path) -> None:
    result = run(project)
    text = result.json_text()  # what `build --format json` prints
    assert json.loads(text) == json.loads(json.dumps(result.as_json()))
    lines = text.splitlines()
    start = lines.index('  "artefacts": [')
    assert len(result.statuses) > 20
    for line, status in zip(lines[start + 1:], result.statuses, strict=False):
        assert json.loads(line.strip().rstrip(",")) == status


BUNDLE_CHANGES = {
    "caption": ("designs/palestine/share-palestine.yaml", "Stand with Palestinians.",
                "Stand with Palestinians now."),
    "photo credit": ("designs/afghanistan/defenders.yaml", "Photo: test fixture",
                     "Photo: another fixture"),
    "a slide (member bytes)": ("designs/afghanistan/three-things.yaml", "- Two.", "- Two, now."),
    "brand name": ("shareables.yaml", "name: MADRE", "name: MADRE Speaks"),
}


def zips(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.zip")}


@pytest.mark.parametrize("change", list(BUNDLE_CHANGES))
def test_bundles_kept_by_their_stored_keys_are_the_zips_a_full_build_makes(
        tmp_path: Path, change: str) -> None:
    root = make_project(tmp_path / "p")  # carousel, photo, shared files: every kind of zip
    run(root)
    before = zips(root / "output")
    file, old, new = BUNDLE_CHANGES[change]
    edit(root / file, old, new)
    again = run(root)
    fresh = tmp_path / "fresh"
    run(root, output_dir=fresh)
    assert zips(root / "output") == zips(fresh)
    remade = {s["path"] for s in again.statuses if s["role"] == "bundle"
              and s["status"] == "rendered"}
    assert remade and all(zips(root / "output")[p] != before[p] for p in remade)
    keys = (root / "output" / ".shareables" / "bundles.json").read_bytes()
    assert keys == (fresh / ".shareables" / "bundles.json").read_bytes()


def test_a_no_change_rebuild_looks_bundle_keys_up(project: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from shareables.build.bundling import BundleSteps

    run(project)
    made: list[str] = []
    real = BundleSteps._bundle_text

    def counted(self: Any, vp: Any, members: Any) -> Any:
        made.append(vp.dir)
        return real(self, vp, members)

    monkeypatch.setattr(BundleSteps, "_bundle_text", counted)
    assert run(project).rendered == 0
    assert made == []
    edit(project / "designs/climate/q07.yaml", "Caption 7.", "Caption seven.")
    run(project)
    assert set(made) == {"climate/q07/en"}  # (the other variants: looked up)


def test_a_manifest_parsed_in_pieces_is_the_manifest_parsed_whole(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shareables.build import manifest as manifest_mod

    run(project)
    raw = (project / "output" / "manifest.json").read_bytes()
    data = json.loads(raw)
    data["artefacts"][2]["caption"] = "Emoji 🕊️ and عربى across a piece's edge"
    raw = manifest_bytes(data)
    monkeypatch.setattr(manifest_mod, "PIECE", 300)  # many pieces, edges inside lines
    assert manifest_mod._in_pieces(raw, lambda o: o) == json.loads(raw)
    assert manifest_mod.parse_manifest(raw) == json.loads(raw)
    # any other layout: parsed whole, as json.loads reads it
    for other in (json.dumps(data, indent=1).encode(), json.dumps(data).encode(),
                  raw.replace(b"\n ],\n", b'\n ],\n "artefacts": [],\n', 1)):
        assert manifest_mod._in_pieces(other, lambda o: o) is None
        assert manifest_mod.parse_manifest(other) == json.loads(other)
    with pytest.raises(ValueError):
        manifest_mod.parse_manifest(raw[:-40])
