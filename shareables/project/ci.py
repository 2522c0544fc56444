"""The CI files `shareables init` writes: the GitHub Actions workflow and the dependency lock.

Both ship inside the package (templates/), so a project made from an installed wheel gets
the same workflow this repository runs and the versions its suite was tested with.
"""

from __future__ import annotations

from importlib import resources

WORKFLOW = ".github/workflows/shareables.yml"
LOCK = "requirements.lock"


def ci_files() -> dict[str, str]:
    """Relative path in a new project -> text: the workflow and requirements.lock."""
    templates = resources.files("shareables.project") / "templates"
    return {WORKFLOW: (templates / "workflow.yml").read_text(encoding="utf-8"),
            LOCK: (templates / "requirements.lock").read_text(encoding="utf-8")}


__all__ = ["LOCK", "WORKFLOW", "ci_files"]
