"""The site's pages in the bucket: rendered with object keys, gzipped, index.html last.

Pages are small text that every visitor downloads, so they are stored gzip-compressed with
``Content-Encoding: gzip`` (S3 and SeaweedFS serve the stored bytes with that header and
browsers decode them); images are already compressed and stay as they are.

The pages' inline previews (role ``view`` artefacts) are added by `plan.publishable_manifest`.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .plan import INDEX_KEY, NO_CACHE
from .s3 import Target, get_bytes, translate


def render_site(manifest: Mapping[str, Any], target: Target) -> dict[str, bytes]:
    """Every page for the bucket: links are object keys, relative to the pages.

    Relative keys keep the pages working wherever the bucket is served (public_url, a CDN
    or the endpoint itself); `base_url` only makes og:image, og:url and the embed snippet
    absolute.
    """
    from ..site.page import page_assets, render_pages

    pages = render_pages(dict(manifest), lambda a: a["key"], base_url=target.base_url())
    out = {name: text.encode("utf-8") for name, text in pages.items()}
    out.update(page_assets())
    return out


def put_pages(client: Any, target: Target, pages: Mapping[str, bytes]) -> None:
    """Upload every page, compressed, with the index last (it is what visitors arrive at)."""
    for name in sorted(pages, key=lambda n: (n == INDEX_KEY, n)):
        body = pages[name]
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/json":
            ctype += "; charset=utf-8"
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        try:
            client.put_object(Bucket=target.bucket, Key=target.key(name), Body=packed,
                              ContentType=ctype, ContentEncoding="gzip", CacheControl=NO_CACHE,
                              Metadata={"sha256": hashlib.sha256(body).hexdigest()})
        except Exception as exc:
            raise translate(exc, target, f"writing {name} to") from None


def live_page_shas(client: Any, target: Target, names: Mapping[str, str], jobs: int = 8
                   ) -> dict[str, str | None]:
    """SHA-256 of each live page as a browser gets it (gunzipped), None when missing."""

    def one(name: str) -> str | None:
        data = get_bytes(client, target, name)
        if data is None:
            return None
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                pass  # damaged: its hash will not match, and the switch rewrites it
        return hashlib.sha256(data).hexdigest()

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))
