"""The download page a build writes into output/ (links are output paths).

Rendering the page for thousands of artefacts takes seconds, so it is skipped when neither
the manifest nor the page's code, templates and static files changed and the file on disk is
the one we wrote (the state is kept in output/.shareables/index.json by the pipeline).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from .writer import sha256_bytes


def render_page(manifest: dict[str, Any], encoded: bytes, state: dict[str, Any],
                on_disk_sha: str | None, *, force: bool
                ) -> tuple[str | None, dict[str, bytes], dict[str, Any]]:
    """(index.html or None to keep the current one, page assets, new index state)."""
    from ..site import page as site

    assets = dict(site.page_assets())
    key = hashlib.sha256(encoded + site_fingerprint().encode()).hexdigest()
    if (not force and state.get("key") == key and isinstance(state.get("sha256"), str)
            and on_disk_sha == state["sha256"]):
        return None, assets, state
    html: str = site.render_index(manifest, lambda a: a["path"])
    return html, assets, {"key": key, "sha256": sha256_bytes(html.encode())}


@functools.cache
def site_fingerprint() -> str:
    """Hash of the download page's code, templates and static files."""
    pkg = Path(__file__).resolve().parent.parent / "site"
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*")):
        if f.is_file() and f.suffix != ".pyc":
            h.update(f"{f.relative_to(pkg).as_posix()}\n".encode() + f.read_bytes())
    return h.hexdigest()
