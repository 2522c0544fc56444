"""Drawing a laid-out `TextBlock` onto an image (the only place text meets pixels)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..text.block import TextBlock

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

_MASKS: dict[tuple[Any, ...], tuple[Any, tuple[int, int]]] = {}
_MASKS_BYTES = [0]
MASKS_BUDGET = 16 * 2**20
"""Bytes of glyph coverage masks kept in a process (8-bit: width x height each); past it the
kept masks are dropped and kept afresh."""


def draw(
    image: Image.Image,
    block: TextBlock,
    x: int,
    y: int,
    fill: str | tuple[int, ...],
    accent_fill: str | tuple[int, ...] | None = None,
) -> tuple[int, int, int, int]:
    """Draw the block with its origin at (x, y); returns the ink bbox in image coordinates.

    Accent spans use `accent_fill` (default `fill`); emoji are drawn in colour, rendered at
    the emoji font's bitmap size and scaled down with LANCZOS. The image must be RGB or RGBA.
    Each run's glyph coverage mask is kept for the next card that draws the same run at the
    same size and sub-pixel position: the handle on every card, and a variant's lines on
    every canvas that sets them alike (a square and a portrait card often do; a third of the
    lines of a build are such repeats). The same pixels, rasterised once.
    """
    from PIL import ImageDraw

    stack = block.style.fonts
    lang = block.style.lang or None
    d = ImageDraw.Draw(image)
    for line in block.lines:
        for run in line.runs:
            rx = x + line.x + run.x
            ry = y + line.baseline
            if stack.is_color(run.font_index):
                if not run.text.strip():
                    continue
                img, ox, oy = stack.emoji_image(run.font_index, run.text, block.size)
                pos = (round(rx) + ox, round(ry) + oy)
                if image.mode == "RGBA":
                    image.alpha_composite(img, pos)
                else:
                    image.paste(img, pos, img)
                continue
            color = accent_fill if (run.accent and accent_fill is not None) else fill
            font = stack.font(run.font_index, block.size)
            direction = "rtl" if run.rtl else "ltr"
            if _draw_kept(d, (rx, ry), run.text, color, font, direction, lang):
                continue
            d.text((rx, ry), run.text, fill=color, font=font, anchor="ls",
                   direction=direction, language=lang)
    left, top, right, bottom = block.ink
    return (x + left, y + top, x + right, y + bottom)


def _draw_kept(d: ImageDraw.ImageDraw, xy: tuple[float, float], text: str,
               fill: str | tuple[int, ...], font: ImageFont.FreeTypeFont, direction: str,
               lang: str | None) -> bool:
    """`d.text(xy, text, …, anchor="ls")` for one line, with the coverage mask Pillow draws
    remembered by everything it depends on (font, text, direction, language, ink and the
    sub-pixel start). Returns False (draw it the usual way) where this Pillow's ImageDraw
    lacks the parts `text()` itself uses; tests compare the pixels with `d.text`'s."""
    core = getattr(d, "draw", None)
    getink = getattr(d, "_getink", None)
    x, y = xy
    if core is None or getink is None or getattr(d, "fontmode", None) != "L" or x < 0 or y < 0:
        return False
    ink = getink(fill)[0]
    start = (math.modf(x)[0], math.modf(y)[0])
    key = (font, text, direction, lang, ink, start)
    kept = _MASKS.get(key)
    if kept is None:
        kept = font.getmask2(text, "L", direction, None, lang, 0, "ls", ink, start,
                             stroke_filled=True)
        size = kept[0].size[0] * kept[0].size[1]
        if _MASKS_BYTES[0] + size > MASKS_BUDGET:
            _MASKS.clear()
            _MASKS_BYTES[0] = 0
        _MASKS[key] = kept
        _MASKS_BYTES[0] += size
    mask, (ox, oy) = kept
    core.draw_bitmap((int(x) + ox, int(y) + oy), mask, ink)
    return True
