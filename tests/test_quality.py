"""The configured linters pass: ruff and mypy settings live in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_ruff_is_clean():
    result = run("ruff", "check", "shareables", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    result = run("mypy", "shareables")
    assert result.returncode == 0, result.stdout + result.stderr


def test_help_is_instant_no_heavy_imports():
    """`shareables --help` must not import PIL, cairosvg or boto3 (style guide rule 2)."""
    code = ("import sys; from shareables.cli import main\n"
            "heavy = [m for m in ('PIL', 'cairosvg', 'boto3', 'jinja2') if m in sys.modules]\n"
            "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
