"""The page's clips: a muted inline preview, downloads, and Share of the MP4 file.

Built from the manifest's ``role: clip`` entries (with their ``poster`` and ``captions``
paths); kept apart from model.py so the page's clip part stays small and self-contained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..platforms import CLIPS

PREVIEW_ORDER = ("instagram-reel", "tiktok", "whatsapp-status-video", "instagram-feed-video",
                 "x-video", "bluesky-video")
"""Which clip plays inline: the vertical one reads best on the phones supporters use."""


def duration_label(seconds: float | None) -> str:
    """0:08 — minutes and seconds, as video players show them."""
    if not seconds:
        return ""
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def clip_items(arts: list[dict[str, Any]], href: Callable[[dict[str, Any]], str],
               link: Callable[[dict[str, Any], str, list[str]], dict[str, Any]],
               origins: set[str]) -> list[dict[str, Any]]:
    """One dict per clip of a variant, the inline preview first.

    ``origins`` collects the scheme://host of absolute URLs (the CSP's media-src and
    connect-src must allow them: the Share button fetches the MP4 to hand it over as a file).
    """
    by_path = {a.get("path"): a for a in arts}
    clips = [a for a in arts if a.get("role") == "clip"]
    clips.sort(key=lambda a: PREVIEW_ORDER.index(a["platform"]) if a.get("platform")
               in PREVIEW_ORDER else len(PREVIEW_ORDER))
    out = []
    for a in clips:
        pid = str(a.get("platform"))
        label = CLIPS[pid].label if pid in CLIPS else pid
        poster = by_path.get(a.get("poster"))
        captions = by_path.get(a.get("captions"))
        item = link(a, label, [duration_label(a.get("duration")),
                               f"{a.get('width')}×{a.get('height')}", "MP4"])
        item.update(src=item["href"], type="video/mp4", platform=pid,
                    poster=href(poster) if poster else None,
                    captions=href(captions) if captions else None,
                    width=a.get("width"), height=a.get("height"),
                    # the platform filter shows a clip with its image platform (X → X video)
                    filter_platform=CLIPS[pid].image if pid in CLIPS else pid)
        for url in (item["src"], item["poster"], item["captions"]):
            parts = urlsplit(url or "")
            if parts.scheme:
                origins.add(f"{parts.scheme}://{parts.netloc}")
        out.append(item)
    return out
