"""A render stopped for time is not a property of the design: the next build tries again.

Failures are cached by job key so a build (or a validate, which renders through the build)
reports a broken design again without rendering it. A render over its wall-clock budget
depends on how busy the machine was; caching it would report "took longer than 120 s" on
every later build and validate, without rendering, until the design changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fixtures_project import make_project


def _run(project: Path, *args: str, seconds: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SHAREABLES_JOB_SECONDS"}
    if seconds:
        env["SHAREABLES_JOB_SECONDS"] = seconds
    return subprocess.run([sys.executable, "-m", "shareables", *args, "--project", str(project)],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)


def test_a_render_stopped_for_time_is_rendered_again_by_the_next_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", platforms=("instagram-portrait",))
    design = "designs/palestine/darwish-on-this-earth.yaml"
    busy = _run(project, "build", "-j", "1", design, seconds="0.005")
    assert busy.returncode == 1 and "took longer than 0.005 s" in busy.stderr, busy.stderr
    again = _run(project, "build", "-j", "1", design)
    assert again.returncode == 0, again.stderr
    assert "took longer" not in again.stderr
    assert (project / "output/palestine/darwish-on-this-earth/en/instagram-portrait.jpg").exists()


def test_validate_after_a_render_stopped_for_time_renders_it_again(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", platforms=("instagram-portrait",))
    design = "designs/palestine/darwish-on-this-earth.yaml"
    busy = _run(project, "validate", design, seconds="0.005")
    assert busy.returncode == 1 and "took longer than 0.005 s" in busy.stdout + busy.stderr
    again = _run(project, "validate", design)
    assert again.returncode == 0, again.stdout + again.stderr
