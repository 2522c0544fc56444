"""The download pages a build writes into output/ (links are output paths).

`site.render_pages` gives every page (index, one per campaign page and language, embeds,
search.json); index.html goes through the writer's own slot, the rest as extra site files.
Rendering thousands of designs takes seconds, so a build renders only what changed:

- nothing when the manifest is the one the pages on disk were rendered from, by the same
  site code, templates, catalogue and static files, and every page on disk is the one we
  wrote;
- when they were rendered from the previous manifest: the pages showing a changed design
  (and search.json), their cards replaced in place when nothing else on them changed
  (`site.splice`), else rendered (`site.changed` says which; a site-wide change means all
  of them), plus any page changed on disk;
- every page otherwise (`--force`, no or damaged state).

The state (output/.shareables/index.json, kept by the pipeline) holds the page names and
hashes, the layout and languages the pages show (`iter_pages(into=…)`), the site code's
hash and the manifest file they were rendered from, by its stat (`stamped`, after the
commit): the size and nanosecond mtime the hash cache trusts (keys.FileHasher) and the
inode, which a manifest written again never keeps (the writer renames a new file into
place). Recognising the manifest by its stat, not by hashing its 30 MB, is what lets a
no-change build skip the page step. The pipeline passes the names back to the writer so
the sweep keeps the pages not rendered again.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..fingerprint import add_code, modules
from .manifest import MANIFEST
from .writer import sha256_bytes

INDEX = "index.html"


def render_page(manifest: dict[str, Any], state: dict[str, Any],
                sha_on_disk: Callable[[str], str | None], *, out: Path, force: bool,
                previous: dict[str, Any] | None = None, loaded: list[int] | None = None,
                unchanged: bool = False
                ) -> tuple[str | None, dict[str, bytes], dict[str, Any]]:
    """(index.html or None to keep the current one, the other pages, the new page state:
    `stamped` it once the manifest is written).

    `state` is the page state on disk; `sha_on_disk(rel)` the content hash of an output file
    (None when missing); `previous` the manifest in `out` before this build, `loaded` its
    `manifest_stamp` taken just after reading it (the build may have rewritten the file
    since, unlisting entries), and `unchanged` whether `manifest` is the same (bytes).
    """
    stored = state.get("pages")
    pages: dict[str, str] = stored if isinstance(stored, dict) else {}
    known = (not force and INDEX in pages and previous is not None and loaded is not None
             and state.get("manifest") == loaded and state.get("site") == site_fingerprint())
    stale = {rel for rel, sha in pages.items() if sha_on_disk(rel) != sha} if known else set()
    if known and unchanged and not stale:
        return None, {}, {k: v for k, v in state.items() if k != "manifest"}
    texts = _spliced(previous, manifest, state, out) if known and not stale else None
    if texts is not None and texts.keys() <= pages.keys():
        into = {"layout": state["layout"], "langs": state["langs"]}
        wanted: set[str] | None = set(texts)
    else:
        texts, into, wanted = _rendered(manifest, previous if known else None, pages, stale)
    # One page at a time, straight to bytes: 1,000 designs make ~50 MB of pages.
    data = {rel: text.encode("utf-8") for rel, text in texts.items()}
    shas = {**(pages if wanted is not None else {}),
            **{rel: sha256_bytes(b) for rel, b in data.items()}}
    html = data.pop(INDEX).decode("utf-8") if INDEX in data else None
    from ..site.page import page_assets

    return html, {**page_assets(), **data}, {
        "site": site_fingerprint(), "layout": into["layout"], "langs": into["langs"],
        "pages": shas}


def warm() -> None:
    """Import and load what the page step will need (`site.page.warm`), e.g. while the
    build's workers render: the step after them then does not wait for it."""
    from ..site import splice
    from ..site.page import warm

    del splice
    warm()


def _spliced(previous: dict[str, Any] | None, manifest: dict[str, Any],
             state: dict[str, Any], out: Path) -> dict[str, str] | None:
    from ..site.splice import spliced

    def read(rel: str) -> str | None:
        try:
            return (out / rel).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    if previous is None:
        return None
    return spliced(previous, manifest, state.get("layout"), state.get("langs"), read, _url)


def _rendered(manifest: dict[str, Any], previous: dict[str, Any] | None,
              pages: dict[str, str], stale: set[str]
              ) -> tuple[Any, dict[str, Any], set[str] | None]:
    """The pages rendered: those `site.changed` names (and `stale`) when `previous` is what
    the pages on disk show, else every page."""
    from ..site import page as site
    from ..site.changed import changed_pages

    wanted: set[str] | None = None
    if previous is not None:
        changed = changed_pages(previous, manifest, _url)
        if changed is not None and (changed | stale) <= set(pages):
            wanted = changed | stale
    into: dict[str, Any] = {}
    texts = dict(site.iter_pages(manifest, _url, only=wanted, into=into))
    return texts, into, wanted


def stamped(state: dict[str, Any], out: Path) -> dict[str, Any]:
    """The page state, naming the manifest in `out` as the one its pages show (call it after
    the commit wrote that manifest; a state not stamped is not trusted)."""
    return {**state, "manifest": manifest_stamp(out)}


def manifest_stamp(out: Path) -> list[int] | None:
    """What recognises the manifest file in `out` (None: none): taken after reading it, it
    names what was read (a file changed since has another mtime or inode)."""
    try:
        st = os.stat(out / MANIFEST)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _url(artefact: dict[str, Any]) -> str:
    return str(artefact["path"])


@functools.cache
def site_fingerprint() -> str:
    """Hash of the download page's code, templates, catalogue and static files."""
    return str(add_code(hashlib.sha256(), modules("site", pattern="*"), ()).hexdigest())
