"""Drawing a laid-out `TextBlock` onto an image (the only place text meets pixels)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..text.block import TextBlock

if TYPE_CHECKING:
    from PIL import Image


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
            d.text(
                (rx, ry),
                run.text,
                fill=accent_fill if (run.accent and accent_fill is not None) else fill,
                font=stack.font(run.font_index, block.size),
                anchor="ls",
                direction="rtl" if run.rtl else "ltr",
                language=lang,
            )
    left, top, right, bottom = block.ink
    return (x + left, y + top, x + right, y + bottom)
