"""The package shows the pipeline: stages import downwards only (import-linter contract)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contract_holds() -> None:
    """`lint-imports` reads the layers contract in pyproject.toml; a wrong import fails here
    with import-linter's own explanation of the offending import chain."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the test extra: pip install -e '.[test]'"
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_stage_says_what_it_takes_and_gives() -> None:
    pkg = ROOT / "shareables"
    for init in sorted(pkg.glob("*/__init__.py")):
        doc = init.read_text().split('"""')
        assert len(doc) >= 3 and "Takes" in doc[1] and "Gives" in doc[1], init
