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
