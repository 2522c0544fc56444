"""Canvas shapes: how the page groups platforms, and the preview widths it shows them at.

A supporter thinks "a square post" or "a story", not "instagram-square vs facebook": the page
offers one choice per canvas shape, names the apps that take it, and offers identical files
once. The same table tells the build which thumbnail widths to make (1x/2x/3x of the width a
shape is shown at on the page), so the page's `sizes` and the files always agree.

Pure data and arithmetic; no Pillow, no HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..platforms import CLIPS, PLATFORMS, Platform


@dataclass(frozen=True)
class Shape:
    key: str
    css_width: int
    """Widest the preview is shown on the page, in CSS px (the card caps it at this)."""


SHAPES: tuple[Shape, ...] = (
    Shape("square", 352),
    Shape("portrait", 320),
    Shape("story", 240),
    Shape("wide", 384),
    Shape("pin", 272),
)
"""In the order the page offers them: the phone-friendly shapes first."""
BY_KEY = {s.key: s for s in SHAPES}

NOT_OFFERED = frozenset({"og"})
"""Platforms with no download: og is the page's own link preview image."""

DENSITIES = (1, 2, 3)

APP_NAMES = {
    "instagram-square": "Instagram", "instagram-portrait": "Instagram",
    "instagram-story": "Instagram", "facebook": "Facebook", "threads": "Threads",
    "x": "X", "bluesky": "Bluesky", "linkedin": "LinkedIn", "linkedin-document": "LinkedIn",
    "pinterest": "Pinterest", "whatsapp-status": "WhatsApp",
}
"""Brand names (never translated) for "Portrait 4:5 — Instagram, Facebook, Threads"."""


def app_name(pid: str) -> str:
    if pid in CLIPS:
        return CLIPS[pid].label
    p = PLATFORMS.get(pid)
    return APP_NAMES.get(pid) or (p.label if p else pid)


def shape_of(platform: Platform) -> str | None:
    """The shape a platform's canvas belongs to, or None when the page does not offer it.

    LinkedIn documents (PDF carousels) go with LinkedIn's own wide canvas, where a LinkedIn
    user looks for them.
    """
    if platform.id in NOT_OFFERED:
        return None
    if platform.document:
        return "wide"
    r = platform.width / platform.height
    if r > 1.2:
        return "wide"
    if r > 0.9:
        return "square"
    if r > 0.74:
        return "portrait"
    if r > 0.6:
        return "pin"
    return "story"


def previewed(platform_ids: Iterable[str], kind: str = "quote") -> frozenset[str]:
    """The platforms of a variant whose previews the page shows: per shape, the first in the
    platform table's order that is a still image (not a PDF, not og).

    The page (model.PageModel) offers each shape's platforms as choices under one preview,
    the first choice with previews; the others' thumbnails would never be shown, so the
    build makes thumbnails for these platforms only. A carousel can render on one platform
    of a shape and fail on another (over X's four-image limit while LinkedIn's 20 holds, or
    a slide too long for LinkedIn's shorter canvas that fits X's), so for a carousel every
    platform gets previews unless one before it in the shape surely renders when it does
    (the same canvas with at least its image limit): whichever platform renders first, in
    table order, has previews, and it is the one the page shows, shares and zips.
    """
    earlier: dict[str, list[Platform]] = {}
    out = []
    for pid in sorted(set(platform_ids) & PLATFORMS.keys(), key=_ORDER.__getitem__):
        platform = PLATFORMS[pid]
        shape = None if platform.document else shape_of(platform)
        if shape is None:
            continue
        before = earlier.setdefault(shape, [])
        if not any(kind != "carousel" or _covers(q, platform) for q in before):
            out.append(pid)
        before.append(platform)
    return frozenset(out)


_ORDER = {pid: i for i, pid in enumerate(PLATFORMS)}


def _covers(q: Platform, p: Platform) -> bool:
    """A carousel that renders for `p` surely renders for `q`: the same canvas (what
    build.plan.canvas_signature reads besides the limit) and no lower image limit."""
    same = (q.size, q.safe_box(), q.min_body_px) == (p.size, p.safe_box(), p.min_body_px)
    return same and (q.carousel_limit is None
                     or (p.carousel_limit is not None and q.carousel_limit >= p.carousel_limit))


def thumb_widths(platform: Platform) -> tuple[int, ...]:
    """Preview widths the page uses for this platform (none for og and documents).

    1x/2x/3x of the shape's CSS width, rounded up to a multiple of 8. A width within 15 % of
    the canvas is the canvas width itself: no resize at all, just a smaller JPEG, and no
    visible difference at 3x.
    """
    shape = shape_of(platform)
    if shape is None or platform.document:
        return ()
    css = BY_KEY[shape].css_width
    out: list[int] = []
    for d in DENSITIES:
        w = min(platform.width, -(-css * d // 8) * 8)
        if w >= 0.85 * platform.width:
            w = platform.width
        if w not in out:
            out.append(w)
    return tuple(out)


def sizes_attr(shape: str) -> str:
    """The `sizes` of a preview: the phone's width less the page margins, capped per shape."""
    css = BY_KEY[shape].css_width
    return f"(min-width: {css + 32}px) {css}px, calc(100vw - 32px)"
