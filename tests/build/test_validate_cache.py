"""validate renders through the build: the build after a validate renders nothing again."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fixtures_project import make_project

from shareables.build.pipeline import build_project
from shareables.build.validate import validate_project
from shareables.cli import main
from shareables.project.settings import load_settings


def _project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "p", ("og", "instagram-square"))
    for f in (root / "designs").rglob("*.yaml"):
        if f.name not in ("share-palestine.yaml", "darwish-on-this-earth.yaml"):
            f.unlink()
    return root


def test_validate_then_build_renders_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output
    manifest = json.loads((root / "output" / "manifest.json").read_text())
    listed = {(a["design"], a["lang"], a["platform"]) for a in manifest["artefacts"]
              if a["role"] == "image"}
    assert listed == {(d, lang, p) for d, lang in (("share-palestine", "en"),
                                                    ("darwish-on-this-earth", "en"),
                                                    ("darwish-on-this-earth", "ar"))
                      for p in ("og", "instagram-square")}
    built = build_project(root)
    assert not built.errors
    assert built.rendered == 0 and built.jobs_rendered == 0
    assert built.cached == len(listed) + 1  # and the site's card


def test_validate_reports_cached_failures_without_rendering_and_touches_nothing_else(
        tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert not build_project(root).errors
    before = json.loads((root / "output" / "manifest.json").read_text())
    long = " ".join(["Words that will not fit on any card at the legibility floor."] * 60)
    bad = root / "designs" / "palestine" / "too-long.yaml"
    bad.write_text(f"kind: statement\ntext: {long}\n")
    settings = load_settings(root)
    first = validate_project(settings, [bad])
    # Worded as the dry render words it: one message for the field, naming both platforms.
    assert [e.file for e in first.errors] == ["designs/palestine/too-long.yaml"]
    assert "does not fit" in first.errors[0].message
    assert "og (cut about" in first.errors[0].message
    assert "instagram-square (cut about" in first.errors[0].message
    again = validate_project(settings, [bad])  # from the failure cache: same words
    assert [str(e) for e in again.errors] == [str(e) for e in first.errors]
    after = json.loads((root / "output" / "manifest.json").read_text())
    # A partial render: the other designs' files are all still listed, nothing deleted.
    assert {a["path"] for a in before["artefacts"]} <= {a["path"] for a in after["artefacts"]}


def test_validate_falls_back_to_a_dry_render_where_output_is_not_ours(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "output").mkdir()
    (root / "output" / "notes.txt").write_text("someone else's folder")
    report = validate_project(load_settings(root))
    assert report.errors == [] and report.checked == 6
    assert sorted(p.name for p in (root / "output").iterdir()) == ["notes.txt"]
