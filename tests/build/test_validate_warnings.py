"""validate warns about a photo without a description whether it renders through the build
(output/ writable) or dry (output/ not ours): the warning is about the design, not where
its images went."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_project import make_project

from shareables.cli import main

NO_DESCRIPTION = """\
kind: statement
text: Women keep their communities alive.
background:
  image: ../../photos/rally.png
"""


@pytest.mark.parametrize("output", ["ours", "not-ours"])
def test_validate_warns_about_a_photo_without_a_description(tmp_path: Path,
                                                             output: str) -> None:
    root = make_project(tmp_path / "p", ("instagram-square",))
    (root / "designs/afghanistan/no-alt.yaml").write_text(NO_DESCRIPTION)
    if output == "not-ours":  # a folder shareables did not make: the dry render
        (root / "output").mkdir()
        (root / "output" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["validate", "--project", str(root),
                                       str(root / "designs/afghanistan/no-alt.yaml")])
    assert result.exit_code == 0, result.output
    assert "no-alt.yaml:4:10: background.image: the photo has no description" in result.output
    assert "0 problems, 1 warning" in result.output


def test_a_damaged_font_is_one_problem_per_design_naming_no_platform(tmp_path: Path) -> None:
    """The same failure on every platform is said once: "x" inside "expected" must not
    count as naming X, which left one line with a platform and one without."""
    root = make_project(tmp_path / "p", ("instagram-square", "x"))
    font = root / "fonts" / "NotoSerif-Bold.ttf"
    font.write_bytes(font.read_bytes()[:2000])
    result = CliRunner().invoke(main, ["validate", "--project", str(root),
                                       str(root / "designs/palestine/share-palestine.yaml")])
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if "cannot read font" in ln]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("designs/palestine/share-palestine.yaml: cannot read font")
