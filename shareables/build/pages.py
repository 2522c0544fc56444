"""The download pages a build writes into output/ (links are output paths).

`site.render_pages` gives every page (index, one per campaign page and language, embeds,
search.json); index.html goes through the writer's own slot, the rest as extra site files.
Rendering thousands of designs takes seconds, so a build renders only what changed:

- nothing when neither the manifest nor the site's code, templates, catalogue and static
  files changed and every page on disk is the one we wrote;
- only the pages showing a changed design (and search.json) when the pages on disk were
  rendered from the previous manifest by the same site code (`site.changed` says
  which; a site-wide change means all of them), plus any page changed on disk;
- every page otherwise (`--force`, no or damaged state).

The page names and hashes are kept in output/.shareables/index.json by the pipeline, which
passes the names back to the writer so the sweep keeps the pages not rendered again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from ..fingerprint import add_code, modules
from .writer import sha256_bytes

INDEX = "index.html"


def render_page(manifest: dict[str, Any], key: str, state: dict[str, Any],
                sha_on_disk: Callable[[str], str | None], *, force: bool,
                previous: dict[str, Any] | None = None, previous_key: str | None = None
                ) -> tuple[str | None, dict[str, bytes], dict[str, Any]]:
    """(index.html or None to keep the current one, the other pages, the new page state).

    `key` is page_key() of the manifest's bytes; `sha_on_disk(rel)` the content hash of an
    output file (None when missing); `previous`/`previous_key`: the manifest on disk before
    this build, and page_key() of its bytes.
    """
    from ..site import page as site
    from ..site.changed import changed_pages

    stored = state.get("pages")
    pages: dict[str, str] = stored if isinstance(stored, dict) else {}
    known = not force and INDEX in pages
    stale = {rel for rel, sha in pages.items() if sha_on_disk(rel) != sha} if known else set()
    if known and state.get("key") == key and not stale:
        return None, {}, state
    wanted: set[str] | None = None
    if known and previous is not None and previous_key is not None \
            and state.get("key") == previous_key:
        changed = changed_pages(previous, manifest, _url)
        if changed is not None and (changed | stale) <= set(pages):
            wanted = changed | stale
    # One page at a time, straight to bytes: 1,000 designs make ~50 MB of pages.
    data = {rel: text.encode("utf-8") for rel, text in site.iter_pages(manifest, _url,
                                                                         only=wanted)}
    shas = {**(pages if wanted is not None else {}),
            **{rel: sha256_bytes(b) for rel, b in data.items()}}
    html = data.pop(INDEX).decode("utf-8") if INDEX in data else None
    return html, {**dict(site.page_assets()), **data}, {"key": key, "pages": shas}


def _url(artefact: dict[str, Any]) -> str:
    return str(artefact["path"])


def page_key(encoded: bytes) -> str:
    """What the pages were rendered from: the manifest's bytes and the page's code (hashed
    in two updates, the same digest as of their concatenation without copying 30 MB)."""
    h = hashlib.sha256(encoded)
    h.update(site_fingerprint().encode())
    return h.hexdigest()


@functools.cache
def site_fingerprint() -> str:
    """Hash of the download page's code, templates, catalogue and static files."""
    return str(add_code(hashlib.sha256(), modules("site", pattern="*"), ()).hexdigest())
