"""The user's cache folder: what a build can work out again but would rather not.

``$SHAREABLES_CACHE_DIR`` when set (empty turns every such cache off), else the XDG cache
(``$XDG_CACHE_HOME/shareables``, ``~/.cache/shareables``). Used for compiled page templates
(site/bytecode.py) and for settings files that passed the schema (`known_valid`). The logo
cache (render/svg.py) works the folder out itself: the renderer may import only the modules
its render key hashes.

Nothing here is trusted beyond what its key covers, and a folder that cannot be read or
written just means the work is done again.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

VALID = "valid"
"""Sub-folder of empty marker files, one per settings file that passed the schema, named by
a digest of its bytes and of the code and library versions that checked it."""


def user_cache_dir() -> Path | None:
    """The cache folder (not created); None when ``SHAREABLES_CACHE_DIR`` is empty."""
    own = os.environ.get("SHAREABLES_CACHE_DIR")
    if own is not None:
        return Path(own) if own else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shareables"


def known_valid(digest: str) -> bool:
    """Whether a file with this digest passed its check before (`remember_valid`)."""
    folder = user_cache_dir()
    return folder is not None and (folder / VALID / digest).is_file()


def remember_valid(digest: str) -> None:
    """Record that the file with this digest passed its check; best effort."""
    folder = user_cache_dir()
    if folder is None:
        return
    with contextlib.suppress(OSError):
        (folder / VALID).mkdir(parents=True, exist_ok=True)
        (folder / VALID / digest).touch()
