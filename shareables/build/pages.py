"""The download pages a build writes into output/ (links are output paths).

`site.render_pages` gives every page (index, one per campaign page and language, embeds,
search.json); index.html goes through the writer's own slot, the rest as extra site files.
Rendering thousands of designs takes seconds, so it is skipped when neither the manifest nor
the site's code, templates, catalogue and static files changed and every page on disk is the
one we wrote (their names and hashes are kept in output/.shareables/index.json by the
pipeline, which passes the names back to the writer so the sweep keeps them).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .writer import sha256_bytes

INDEX = "index.html"


def render_page(manifest: dict[str, Any], encoded: bytes, state: dict[str, Any],
                sha_on_disk: Callable[[str], str | None], *, force: bool
                ) -> tuple[str | None, dict[str, bytes], dict[str, Any]]:
    """(index.html or None to keep the current one, the other pages, the new page state).

    `sha_on_disk(rel)` is the content hash of an output file (None when missing).
    """
    from ..site import page as site

    key = hashlib.sha256(encoded + site_fingerprint().encode()).hexdigest()
    pages = state.get("pages")
    if (not force and state.get("key") == key and isinstance(pages, dict) and INDEX in pages
            and all(sha_on_disk(rel) == sha for rel, sha in pages.items())):
        return None, {}, state
    rendered = site.render_pages(manifest, lambda a: a["path"])
    data = {rel: text.encode("utf-8") for rel, text in rendered.items()}
    html = rendered.pop(INDEX)
    del data[INDEX]
    shas = {rel: sha256_bytes(b) for rel, b in data.items()}
    shas[INDEX] = sha256_bytes(html.encode("utf-8"))
    return html, {**dict(site.page_assets()), **data}, {"key": key, "pages": shas}


@functools.cache
def site_fingerprint() -> str:
    """Hash of the download page's code, templates, catalogue and static files."""
    pkg = Path(__file__).resolve().parent.parent / "site"
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*")):
        if f.is_file() and f.suffix != ".pyc":
            h.update(f"{f.relative_to(pkg).as_posix()}\n".encode() + f.read_bytes())
    return h.hexdigest()
