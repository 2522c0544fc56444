"""Per-process render caches: font stacks, rasterised logos, decoded photos, quote-mark metrics."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageFont

from ..text.fonts import FontStack, font_stack
from . import paint as P
from .svg import rasterize_svg

PHOTO_DECODE_SIDE = 1920
PHOTO_CACHE_SIZE = 3


class Resources:
    """Per-process caches: font stacks, rasterised logos by (path, height, colour), photos.

    Build one per worker process and pass it to every render call; nothing in it depends on a
    particular design, so it is safe to share across designs and platforms.
    """

    def __init__(self) -> None:
        self._logos: dict[tuple[Path, int, str], Image.Image] = {}
        self._photos: dict[tuple[Path, int, int], Image.Image] = {}  # LRU by insertion order
        self._marks: dict[tuple[Path, int], tuple[int, float]] = {}
        self._mark_layers: dict[tuple[Path, str, int], Image.Image] = {}

    def stack(self, paths: Sequence[Path]) -> FontStack:
        return font_stack(paths)

    def logo(self, path: Path, height: int, color: str) -> Image.Image:
        """The SVG rasterised by CairoSVG at exactly ``height`` px (RGBA).

        ``currentColor`` in the SVG becomes ``color`` (the theme's text colour), so a
        one-colour wordmark follows light and dark themes; full-colour logos are untouched.
        """
        key = (path, height, color)
        img = self._logos.get(key)
        if img is None:
            img = rasterize_svg(path, height, color)
            self._logos[key] = img
        return img

    def photo(self, path: Path, source: Path, min_w: int, min_h: int) -> Image.Image:
        """The photo decoded as sRGB RGB, upright, at least about ``min_w`` x ``min_h``.

        Decompression bombs and unreadable files raise RenderError naming the file and
        ``background.image``.
        """
        # One decode serves every platform: large enough for the biggest canvas (a 9:16 story
        # crop of a landscape photo uses its full height). The cache keeps the few most recent
        # photos only; a build renders one variant's platforms together, and a decoded photo
        # is tens of megabytes.
        side = max(min_w, min_h, PHOTO_DECODE_SIDE)
        st = path.stat() if path.exists() else None
        key = (path, side, st.st_mtime_ns if st else 0)
        img = self._photos.pop(key, None)
        if img is None:
            img = P.load_photo(path, source, side, side)
        self._photos[key] = img  # (re)insert as most recent
        while len(self._photos) > PHOTO_CACHE_SIZE:
            self._photos.pop(next(iter(self._photos)))
        return img

    def mark_metrics(self, font_path: Path, glyph: str) -> tuple[int, float]:
        """(reference size, ink height / size) of the quote-mark glyph in a font."""
        key = (font_path, ord(glyph[0]))
        m = self._marks.get(key)
        if m is None:
            m = (1000, P.glyph_ink(ImageFont.truetype(str(font_path), 1000), glyph).height / 1000)
            self._marks[key] = m
        return m

    def mark_layer(self, font_path: Path, glyph: str, size: int) -> Image.Image:
        """The quote-mark glyph's coverage mask at ``size``, cropped to its ink (read-only)."""
        key = (font_path, glyph, size)
        layer = self._mark_layers.get(key)
        if layer is None:
            if len(self._mark_layers) > 256:
                self._mark_layers.clear()
            layer = P.glyph_ink(ImageFont.truetype(str(font_path), size), glyph)
            self._mark_layers[key] = layer
        return layer
