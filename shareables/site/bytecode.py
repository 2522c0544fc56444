"""Compiled download-page templates kept between builds (Jinja's bytecode cache).

Compiling the templates took 40-50 ms of every build that renders a page. `template_cache`
gives site/page.py's environment a `jinja2.FileSystemBytecodeCache` in the user's cache
folder, keyed so that no build ever runs code compiled from another template or another
environment.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..project.usercache import user_cache_dir

if TYPE_CHECKING:
    import jinja2


def template_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates (compiling them took 40-50 ms of every build that renders a page):
    in the user's cache folder (project/usercache.py: ``$SHAREABLES_CACHE_DIR``, else the XDG
    cache; an empty ``SHAREABLES_CACHE_DIR`` turns it off), under ``templates``. Jinja keeps each
    template's code under its name with the SHA-1 of its source, so an edited template is
    compiled again; the folder is named by what else the code depends on: Jinja's and
    Python's versions and site/page.py (the environment's options). Unreadable or
    unwritable, it is simply not used."""
    import jinja2
    import jinja2.bccache

    base = user_cache_dir()
    if base is None:
        return None
    key = hashlib.sha256(f"{jinja2.__version__}\n{sys.version}\n".encode()
                         + (Path(__file__).parent / "page.py").read_bytes()).hexdigest()[:20]
    directory = base / "templates" / key
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class Quiet(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - damaged or unreadable: compile it again
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    return Quiet(str(directory))
