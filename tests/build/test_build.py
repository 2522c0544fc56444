"""`shareables build`: cache keys, incremental rebuilds, failure isolation, crash safety,
shards, bundles — mostly with FakeRenderer (fast), plus one real end-to-end build."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures_project import build_fake as run
from fixtures_project import make_project, write_photo

from shareables import platforms as platforms_mod
from shareables.build.keys import FileHasher
from shareables.build.pipeline import BuildResult, build_project
from shareables.build.plan import plan_build
from shareables.cli import main
from shareables.project.design import load_designs
from shareables.project.settings import load_settings

TESTS = Path(__file__).resolve().parent


def manifest(project: Path) -> dict[str, Any]:
    return json.loads((project / "output" / "manifest.json").read_text())


def rendered_jobs(result: BuildResult) -> set[str]:
    """'<dir> <platform>' of every job that rendered (from the per-artefact statuses)."""
    out = set()
    for s in result.statuses:
        if s["status"] == "rendered" and s["role"] in ("image", "slide", "pdf", "site-og"):
            d = "/".join(s["path"].split("/")[:3]) if s["role"] != "site-og" else "site"
            out.add(f"{d} {s['platform']}")
    return out


def assert_consistent(out: Path) -> dict[str, Any]:
    """The crash-safety invariant: every file the manifest lists exists with its sha256."""
    m = json.loads((out / "manifest.json").read_text())
    for a in m["artefacts"]:
        data = (out / a["path"]).read_bytes()
        assert len(data) == a["bytes"], a["path"]
        assert hashlib.sha256(data).hexdigest() == a["sha256"], a["path"]
    return m


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


# -- layout and manifest --------------------------------------------------------------------


def test_first_build_writes_the_spec_layout_and_a_consistent_manifest(project: Path) -> None:
    result = run(project)
    assert result.errors == []
    out = project / "output"
    m = assert_consistent(out)
    paths = {a["path"] for a in m["artefacts"]}
    d = "palestine/darwish-on-this-earth"
    assert {f"{d}/en/instagram-square.jpg", f"{d}/en/x.png", f"{d}/ar/x.png",
            f"{d}/en/thumbs/x.400w.jpg", f"{d}/en/darwish-on-this-earth-en.zip",
            f"{d}/ar/darwish-on-this-earth-ar.zip", "site/og.png"} <= paths
    # linkedin-document only for carousels; carousel slides numbered from 01
    assert f"{d}/en/linkedin-document.pdf" not in paths
    c = "afghanistan/three-things/en"
    assert {f"{c}/linkedin-document.pdf", f"{c}/x-01.png", f"{c}/x-05.png",
            f"{c}/thumbs/x-01.400w.jpg"} <= paths
    thumb = next(a for a in m["artefacts"] if a["path"] == f"{c}/thumbs/x-02.400w.jpg")
    assert thumb["role"] == "thumbnail" and thumb["of"] == f"{c}/x-02.png"
    img = next(a for a in m["artefacts"] if a["path"] == f"{d}/ar/x.png")
    assert img["design"] == "darwish-on-this-earth" and img["lang"] == "ar"
    assert img["alt"].startswith("اقتباس") and img["content_type"] == "image/png"
    assert len(img["cache_key"]) == 64 and img["source_hash"]
    v = next(v for v in m["variants"] if v["design"] == "darwish-on-this-earth"
             and v["lang"] == "ar")
    assert v["dir"] == "rtl" and v["bundle"] == f"{d}/ar/darwish-on-this-earth-ar.zip"
    assert v["source"] == "designs/palestine/darwish-on-this-earth.yaml"
    assert m["site"]["og_image"] == "site/og.png" and m["format"] == 1
    assert result.summary().startswith(f"Built {result.rendered:,} images (0 cached) in ")
    assert not list(out.rglob("*.tmp-*"))


def test_no_change_rebuild_renders_nothing_and_is_byte_identical(project: Path) -> None:
    first = run(project)
    before = (project / "output" / "manifest.json").read_bytes()
    again = run(project)
    assert again.rendered == 0 and again.jobs_rendered == 0
    assert again.cached == first.rendered
    assert (project / "output" / "manifest.json").read_bytes() == before
    assert again.summary().startswith(f"Built 0 images ({first.rendered:,} cached)")


# -- cache keys -----------------------------------------------------------------------------

DARWISH = "palestine/darwish-on-this-earth"


def _change_platform_spec(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x = platforms_mod.PLATFORMS["x"]
    monkeypatch.setitem(platforms_mod.PLATFORMS, "x", dataclasses.replace(x, height=901))


CHANGES = {
    "design text": (lambda p, mp: edit(p / "designs" / f"{DARWISH}.yaml",
                                        "Its name became", "Its name was"),
                    {f"{DARWISH}/en {pl}" for pl in ("instagram-square", "x")}),
    "theme colour": (lambda p, mp: edit(p / "shareables.yaml", '"#1b2a41"', '"#1b2a42"'),
                     {f"afghanistan/{d}/en {pl}" for d in ("gender-persecution", "defenders")
                      for pl in ("instagram-square", "x")}
                     | {f"afghanistan/three-things/en {pl}"
                        for pl in ("instagram-square", "x", "linkedin-document")}),
    "photo bytes": (lambda p, mp: write_photo(p / "photos" / "rally.png", (91, 40, 110)),
                    {f"afghanistan/defenders/en {pl}" for pl in ("instagram-square", "x")}),
    "platform spec": (_change_platform_spec, "x"),
    "font bytes": (lambda p, mp: (p / "fonts" / "NotoNaskhArabic-Bold.ttf").open("ab")
                   .write(b"\0"), "all"),
    "logo bytes": (lambda p, mp: edit(p / "brand" / "logo.svg", "</svg>", "<!-- v2 --></svg>"),
                   "all"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_cache_key_changes_with_each_input(project: Path, change: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    first = run(project)
    everything = rendered_jobs(first)
    mutate, expected = CHANGES[change]
    mutate(project, monkeypatch)
    again = run(project)
    assert again.errors == []
    if expected == "all":  # fonts and the logo are used by every variant (and the og card)
        expected = everything
    elif expected == "x":
        expected = {j for j in everything if j.endswith(" x")}
    assert rendered_jobs(again) == expected
    assert_consistent(project / "output")


def test_caption_edit_updates_manifest_and_bundle_without_rendering(project: Path) -> None:
    run(project)
    edit(project / "designs" / "palestine" / "share-palestine.yaml",
         "Stand with Palestinians.", "Stand with Palestinians now.")
    again = run(project)
    assert rendered_jobs(again) == set()
    m = assert_consistent(project / "output")
    bundle = "palestine/share-palestine/en/share-palestine-en.zip"
    assert {s["path"]: s["status"] for s in again.statuses}[bundle] == "rendered"
    caption = next(a["caption"] for a in m["artefacts"]
                   if a["path"] == "palestine/share-palestine/en/x.png")
    assert caption.startswith("Stand with Palestinians now.")


@pytest.mark.parametrize("damage", ["delete", "corrupt-same-size"])
def test_missing_or_corrupt_files_are_rendered_again(project: Path, damage: str) -> None:
    run(project)
    target = project / "output" / DARWISH / "en" / "x.png"
    if damage == "delete":
        target.unlink()
    else:
        data = bytearray(target.read_bytes())
        data[10] ^= 0xFF
        target.write_bytes(bytes(data))
    again = run(project)
    assert rendered_jobs(again) == {f"{DARWISH}/en x"}
    assert_consistent(project / "output")


def test_force_renders_everything(project: Path) -> None:
    first = run(project)
    again = run(project, force=True)
    assert again.rendered == first.rendered and again.cached == 0


# -- failure isolation ----------------------------------------------------------------------


def test_a_failing_design_is_reported_and_keeps_its_previous_outputs(project: Path) -> None:
    run(project)
    before = manifest(project)
    src = project / "designs" / "afghanistan" / "gender-persecution.yaml"
    text = src.read_text()
    src.write_text(text.replace("Taliban members", "FAIL-RENDER Taliban members", 1))
    result = run(project)
    assert result.exit_code == 1
    assert {str(e).split(": ")[0] for e in result.errors} == {
        "designs/afghanistan/gender-persecution.yaml:" + _line_col(text, "text:")}
    assert "text: instagram-square: the text does not fit" in str(result.errors[0])
    m = assert_consistent(project / "output")
    old = {a["path"]: a["sha256"] for a in before["artefacts"] if "gender-persecution" in a["path"]}
    now = {a["path"]: a["sha256"] for a in m["artefacts"] if "gender-persecution" in a["path"]}
    assert old and now == old  # previous good outputs stay, and stay in the manifest
    assert {s["status"] for s in result.statuses if "gender-persecution" in (s["path"] or "")} \
        == {"kept"}
    v = next(v for v in m["variants"] if v["design"] == "gender-persecution")
    assert v["errors"]
    # Other designs still build after an edit, in the same failing run.
    edit(project / "designs" / f"{DARWISH}.yaml", "Its name became", "Its name was")
    again = run(project)
    assert again.exit_code == 1
    assert rendered_jobs(again) == {f"{DARWISH}/en {p}" for p in ("instagram-square", "x")}
    # The failure was cached by key: reported again without re-rendering.
    assert "gender-persecution" not in " ".join(rendered_jobs(again))


def _line_col(text: str, needle: str) -> str:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith(needle):
            return f"{n}:{len(needle) + 2}"
    raise AssertionError(needle)


def test_a_design_that_stops_validating_keeps_its_outputs(project: Path) -> None:
    run(project)
    before = {a["path"] for a in manifest(project)["artefacts"] if "share-palestine" in a["path"]}
    edit(project / "designs" / "palestine" / "share-palestine.yaml", "kind: tag", "kind: tga")
    result = run(project)
    assert result.exit_code == 1
    assert str(result.errors[0]).startswith("designs/palestine/share-palestine.yaml:2:7: kind:")
    m = assert_consistent(project / "output")
    assert before <= {a["path"] for a in m["artefacts"]}


def test_stale_files_are_removed_only_after_a_successful_build(project: Path) -> None:
    run(project)
    gone = project / "designs" / "palestine" / "share-palestine.yaml"
    gone.unlink()
    broken = project / "designs" / "afghanistan" / "gender-persecution.yaml"
    edit(broken, "Taliban members", "FAIL-RENDER Taliban members")
    failed = run(project)
    assert failed.exit_code == 1 and failed.removed == []
    stale = project / "output" / "palestine" / "share-palestine" / "en" / "x.png"
    assert stale.exists()
    assert "palestine/share-palestine/en/x.png" in {a["path"] for a in manifest(project)
                                                    ["artefacts"]}
    edit(broken, "FAIL-RENDER Taliban members", "Taliban members")
    ok = run(project)
    assert ok.exit_code == 0
    assert "palestine/share-palestine/en/x.png" in ok.removed
    assert not stale.exists() and not stale.parent.parent.exists()
    assert_consistent(project / "output")


def test_two_designs_claiming_one_output_folder_is_an_error_naming_both(project: Path) -> None:
    settings = load_settings(project)
    designs, errors = load_designs(project, settings)
    assert errors == []
    a = next(d for d in designs if d.id == "share-palestine")
    twin = dataclasses.replace(a, rel="designs/palestine/copy.yaml")
    plan = plan_build(settings, [a, twin], FileHasher(), "fp")
    assert [str(e) for e in plan.errors] == [
        "designs/palestine/share-palestine.yaml:2:1: id: output folder "
        "palestine/share-palestine/en/ is also produced by designs/palestine/copy.yaml; "
        "give one of the two designs another `id:`"]


# -- shards, filters, remote manifest -------------------------------------------------------


def test_shard_union_equals_full_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    full = run(project, output_dir=tmp_path / "full")
    files = {a["path"]: a["sha256"] for a in full.manifest["artefacts"]}
    union: dict[str, str] = {}
    designs = set()
    for k in (1, 2, 3):
        part = run(project, output_dir=tmp_path / f"shard{k}", shard=(k, 3))
        part_files = {a["path"]: a["sha256"] for a in part.manifest["artefacts"]}
        assert not (union.keys() & part_files.keys())  # disjoint
        union.update(part_files)
        designs |= {v["design"] for v in part.manifest["variants"]}
    assert union == files
    assert len(designs) == 5


def test_platform_and_path_filters_keep_everything_else(project: Path) -> None:
    run(project)
    before = {a["path"]: a["sha256"] for a in manifest(project)["artefacts"]}
    edit(project / "designs" / f"{DARWISH}.yaml", "Its name became", "Its name was")
    edit(project / "designs" / "palestine" / "share-palestine.yaml", "Stand with", "Stand")
    result = run(project, platforms=["x"],
                 paths=[project / "designs" / f"{DARWISH}.yaml"])
    assert rendered_jobs(result) == {f"{DARWISH}/en x"}
    assert result.removed == []
    after = {a["path"]: a["sha256"] for a in assert_consistent(project / "output")["artefacts"]}
    assert after.keys() == before.keys()
    changed = {p for p in after if after[p] != before[p]}
    assert changed == {f"{DARWISH}/en/x.png", f"{DARWISH}/en/thumbs/x.400w.jpg",
                       f"{DARWISH}/en/darwish-on-this-earth-en.zip"}


def test_previous_manifest_counts_as_present_without_local_files(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    published = run(project, output_dir=tmp_path / "ci1").manifest
    for a in published["artefacts"]:
        a["key"] = f"files/{a['sha256']}/{a['path'].replace('/', '-')}"
    fresh = run(project, output_dir=tmp_path / "ci2", previous_manifest=published)
    assert fresh.rendered == 0 and fresh.errors == []
    assert all(a.get("key") for a in fresh.manifest["artefacts"])
    assert not list((tmp_path / "ci2").rglob("*.png"))
    # One design changed: only it renders; its bundle needs every member's bytes, so its
    # unchanged members are rendered too; nothing else is.
    edit(project / "designs" / f"{DARWISH}.yaml", "Its name became", "Its name was")
    third = run(project, output_dir=tmp_path / "ci3", previous_manifest=published)
    assert {j.split(" ")[0] for j in rendered_jobs(third)} == {f"{DARWISH}/en"}
    local = {a["path"] for a in third.manifest["artefacts"] if not a.get("key")}
    assert f"{DARWISH}/en/darwish-on-this-earth-en.zip" in local
    for a in third.manifest["artefacts"]:
        assert a.get("key") or (tmp_path / "ci3" / a["path"]).is_file()


# -- bundles --------------------------------------------------------------------------------


def test_bundle_zip_contents_names_and_determinism(project: Path) -> None:
    run(project)
    path = project / "output" / "afghanistan" / "three-things" / "en" / "three-things-en.zip"
    first = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        names = zf.namelist()
        readme = zf.read("three-things-en/README.txt").decode()
        infos = zf.infolist()
    assert names == sorted(names)
    assert names == ["three-things-en/README.txt", "three-things-en/instagram-square-01.jpg",
                     *[f"three-things-en/instagram-square-0{i}.jpg" for i in range(2, 6)],
                     "three-things-en/linkedin-document.pdf",
                     *[f"three-things-en/x-0{i}.png" for i in range(1, 6)]]
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert "Alt text" in readme and "A short carousel. @madrespeaks" in readme
    assert "x-01.png  (X (Twitter))" in readme
    photo = project / "output" / "afghanistan" / "defenders" / "en" / "defenders-en.zip"
    with zipfile.ZipFile(photo) as zf:
        assert "Photo: test fixture" in zf.read("defenders-en/README.txt").decode()
    run(project, force=True)
    assert path.read_bytes() == first


# -- parallel and crash safety --------------------------------------------------------------


def test_two_processes_give_the_same_output_as_one(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    one = run(project, output_dir=tmp_path / "one", jobs=1)
    two = run(project, output_dir=tmp_path / "two", jobs=2)
    # built_at is when each build's content first existed (publish compares it): the one
    # intended difference between two separate builds.
    assert {**one.manifest, "built_at": None} == {**two.manifest, "built_at": None}


KILL_SCRIPT = """
import sys
from fixtures_project import FakeRenderer
from shareables.build.pipeline import build_project
r = build_project(sys.argv[1], renderer=FakeRenderer(delay=float(sys.argv[2]), tag=sys.argv[3]),
                  jobs=2)
sys.exit(r.exit_code)
"""


def _build_subprocess(project: Path, delay: float, tag: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent)])}
    return subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(project), str(delay), tag],
                            env=env, start_new_session=True)


@pytest.mark.parametrize("kill_after", [3, 12])
def test_build_killed_mid_way_leaves_a_consistent_output_and_the_next_completes_it(
        tmp_path: Path, kill_after: int) -> None:
    project = make_project(tmp_path / "p")
    assert _build_subprocess(project, 0.0, "v1").wait(60) == 0
    out = project / "output"
    v1 = assert_consistent(out)
    # v2 changes every key, so every listed path gets new bytes: the hard case.
    proc = _build_subprocess(project, 0.15, "v2")
    start = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    deadline = time.time() + 60
    while time.time() < deadline:
        changed = [p for p in out.rglob("*.*") if p.is_file() and "tmp-" not in p.name
                   and start.get(p) != _mtime(p) and p.name != "manifest.json"]
        if len(changed) >= kill_after:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = assert_consistent(out)  # the invariant holds right after the kill
    assert len(killed["artefacts"]) < len(v1["artefacts"])  # some entries were unlisted
    assert _build_subprocess(project, 0.0, "v2").wait(60) == 0
    m = assert_consistent(out)
    clean = tmp_path / "clean"
    clean_m = make_project(clean)
    assert _build_subprocess(clean_m, 0.0, "v2").wait(60) == 0
    assert m["artefacts"] == json.loads((clean / "output" / "manifest.json").read_text())[
        "artefacts"]
    listed = {a["path"] for a in m["artefacts"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
               and ".shareables" not in p.parts}
    pages = json.loads((out / ".shareables" / "index.json").read_text())["pages"]
    assert {"index.html", "search.json"} <= set(pages)
    assert on_disk == listed | {"manifest.json"} | set(pages)


def _mtime(p: Path) -> int | None:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return None


# -- the command, with the real renderer ----------------------------------------------------


def test_cli_build_end_to_end_with_the_real_renderer(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", platforms=("instagram-square",))
    for extra in ("afghanistan/gender-persecution.yaml", "afghanistan/defenders.yaml",
                  "palestine/darwish-on-this-earth.yaml"):
        (project / "designs" / extra).unlink()
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--project", str(project), "--jobs", "2"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1].startswith("Built ")
    m = assert_consistent(project / "output")
    assert (project / "output" / "index.html").is_file()
    jpg = project / "output" / "palestine" / "share-palestine" / "en" / "instagram-square.jpg"
    assert jpg.read_bytes()[:3] == b"\xff\xd8\xff"
    n = sum(a["role"] in ("image", "slide", "pdf", "site-og") for a in m["artefacts"])
    again = runner.invoke(main, ["build", "--project", str(project), "--format", "json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["rendered"] == 0 and report["cached"] == n and report["ok"] is True
    assert {a["status"] for a in report["artefacts"]} == {"cached"}
    bad = runner.invoke(main, ["build", "--project", str(project), "--shard", "4/3"])
    assert bad.exit_code == 2 and "--shard must look like K/N" in bad.output
    # A design the renderer cannot fit: reported with file:line:col, the rest still built.
    (project / "designs" / "palestine" / "too-long.yaml").write_text(
        "kind: statement\ntext: >-\n  " + "Justice and peace for everyone everywhere. " * 40
        + "\n")
    failed = runner.invoke(main, ["build", "--project", str(project)])
    assert failed.exit_code == 1
    progress, error = failed.stderr.splitlines()  # not a terminal: plain lines, no bar
    assert progress == "[1/1] palestine/too-long/en instagram-square FAILED"
    assert error.startswith("designs/palestine/too-long.yaml:2:7: text: instagram-square: ")
    assert assert_consistent(project / "output")["artefacts"] == m["artefacts"]


def test_renderer_fingerprint_covers_every_module_the_renderer_imports():
    """Editing any module the renderer runs must invalidate the cache."""
    import subprocess
    import sys

    from shareables.build.keys import RENDER_FILES, RENDER_PACKAGES

    code = ("import sys, shareables.render.compose, shareables.render.carousel\n"
            "print(' '.join(m.split('.', 1)[1] for m in sys.modules\n"
            "               if m.startswith('shareables.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    data_only = {"errors", "project", "project.model", "platforms"}  # in the key as data
    hashed = {f.removesuffix(".py").replace("/", ".") for f in RENDER_FILES}
    assert {m for m in out if m.split(".")[0] not in RENDER_PACKAGES} <= data_only | hashed, out


def test_real_carousel_paths_per_platform_kind(tmp_path: Path) -> None:
    """Slides are numbered where the platform takes a sequence; a link preview is one image;
    a tight platform (X: 4 images) drops the closing slide rather than any content."""

    project = make_project(tmp_path / "p", platforms=("og", "x", "instagram-square",
                                                      "linkedin-document"))
    for rel in list((project / "designs").rglob("*.yaml")):
        if rel.name != "three-things.yaml":
            rel.unlink()
    result = build_project(project, jobs=1)
    assert result.exit_code == 0, [str(e) for e in result.errors]
    out = project / "output" / "afghanistan" / "three-things" / "en"
    names = sorted(p.name for p in out.iterdir() if p.is_file())
    assert "og.png" in names and not any(n.startswith("og-") for n in names)
    assert [n for n in names if n.startswith("x-")] == [f"x-0{i}.png" for i in range(1, 5)]
    squares = [n for n in names if n.startswith("instagram-square-")]
    assert len(squares) == 5  # cover, three slides, closing call to share
    assert "linkedin-document.pdf" in names
