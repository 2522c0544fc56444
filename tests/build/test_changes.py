"""What a pull request shows reviewers: the images its build rendered, and a summary table."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures_project import FakeRenderer, make_project

from shareables.build.changes import main
from shareables.build.pipeline import build_project


def test_only_the_edited_designs_images_are_copied_and_tabled(tmp_path: Path) -> None:
    import json

    project = make_project(tmp_path / "p", platforms=("instagram-square", "x"))
    build_project(project, renderer=FakeRenderer(), jobs=1)
    design = project / "designs/afghanistan/gender-persecution.yaml"
    design.write_text(design.read_text().replace("text: ", "text: Edited. ", 1))
    result = build_project(project, renderer=FakeRenderer(), jobs=1)
    report = tmp_path / "build-report.json"
    report.write_text(json.dumps(result.as_json()))

    summary = tmp_path / "summary.md"
    r = CliRunner().invoke(main, [str(report), "--output", str(project / "output"),
                                  "--copy-to", str(tmp_path / "changed"),
                                  "--summary", str(summary)])
    assert r.exit_code == 0, r.output
    copied = sorted(p.relative_to(tmp_path / "changed").as_posix()
                    for p in (tmp_path / "changed").rglob("*") if p.is_file())
    assert len(copied) == 2  # one image per platform; thumbnails and zips are not shown
    assert all(c.startswith("afghanistan/gender-persecution/en/") for c in copied), copied
    for c in copied:
        assert (tmp_path / "changed" / c).read_bytes() == (project / "output" / c).read_bytes()
    table = summary.read_text()
    rows = [line for line in table.splitlines() if line.startswith("| gender-persecution")]
    assert len(rows) == 2 and all("inputs changed" in row for row in rows)
    assert "darwish" not in table

    unchanged = build_project(project, renderer=FakeRenderer(), jobs=1)
    report.write_text(json.dumps(unchanged.as_json()))
    r = CliRunner().invoke(main, [str(report)])
    assert "No image changes" in r.output
