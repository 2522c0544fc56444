"""What cache keys add so that a change of code or of a library invalidates them.

Source files are hashed by path and content, and libraries by their installed version (a
missing one counts as "-"), so editing a module or upgrading a library changes every key
that names them, with nobody having to remember to bump a constant; and a checkout of the
same commit with the same libraries gets the same keys. Used by the render and motion
fingerprints (build/keys.py) and the design cache (project/designcache.py).
"""

from __future__ import annotations

import ctypes
import importlib.metadata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent


def add_code(h: Any, sources: Iterable[Path], distributions: Iterable[str]) -> Any:
    """Feed `sources` (paths under the package) and the `distributions`' versions into the
    hashlib object `h`; returns `h`."""
    for src in sources:
        h.update(f"{src.relative_to(PACKAGE).as_posix()}:".encode())
        h.update(src.read_bytes())
    for dist in distributions:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{dist}={version}\n".encode())
    return h


def modules(*stages: str, pattern: str = "*.py") -> list[Path]:
    """Every file matching `pattern` in the given stage folders, recursively, in a stable
    order (never compiled bytecode)."""
    return [src for stage in stages for src in sorted((PACKAGE / stage).rglob(pattern))
            if src.is_file() and src.suffix != ".pyc"]


def c_library_version(soname: str, symbol: str) -> str:
    """A C library's version string (its first line) from the `char *` it exports as `symbol`,
    "-" where the library or the symbol is missing. Opened by soname: `ctypes.util.find_library`
    runs `ldconfig -p` on every call."""
    try:
        info = ctypes.c_char_p.in_dll(ctypes.CDLL(soname), symbol).value
    except (OSError, ValueError, AttributeError):
        return "-"
    return (info or b"-").decode("utf-8", "replace").split("\n", 1)[0]
