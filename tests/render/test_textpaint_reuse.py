"""Reused glyph masks (the handle drawn on every card) give exactly the pixels of Pillow's own
`ImageDraw.text`, at any sub-pixel position, in both directions, on RGB and RGBA images."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from shareables.render import textpaint

FONTS = Path(__file__).resolve().parents[2] / "fonts"
CASES = [
    ("NotoSans-Regular.ttf", "@madrespeaks", "ltr", "en", 31),
    ("NotoSans-Bold.ttf", "3/7", "ltr", None, 24),
    ("NotoNaskhArabic-Regular.ttf", "مادري", "rtl", "ar", 40),
    ("NotoSansHebrew-Regular.ttf", "שלום עולם", "rtl", "he", 28),
]
POSITIONS = [(40.0, 60.0), (40.37, 60.0), (41.5, 61.75), (12.999, 80.2)]


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize(("name", "text", "direction", "lang", "size"), CASES)
def test_kept_masks_draw_pillows_pixels(mode, name, text, direction, lang, size) -> None:
    font = ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.RAQM)
    for xy in POSITIONS:
        for _ in range(2):  # the first draw keeps the mask, the second reuses it
            ours = Image.new(mode, (400, 120), (91, 31, 107, 255)[: len(mode)])
            theirs = ours.copy()
            assert textpaint._draw_kept(ImageDraw.Draw(ours), xy, text, "#f2b134", font,
                                        direction, lang)
            ImageDraw.Draw(theirs).text(xy, text, fill="#f2b134", font=font, anchor="ls",
                                        direction=direction, language=lang)
            assert ImageChops.difference(ours, theirs).getbbox() is None, (text, xy)
            assert ours.getbbox() is not None


def test_negative_positions_take_pillows_own_path() -> None:
    font = ImageFont.truetype(str(FONTS / "NotoSans-Regular.ttf"), 20)
    img = Image.new("RGB", (50, 50))
    assert not textpaint._draw_kept(ImageDraw.Draw(img), (-3.5, 20.0), "x", "#fff", font,
                                    "ltr", None)


def test_kept_masks_stay_within_their_budget(monkeypatch) -> None:
    """Every line's mask is kept now, not just the handle's: a process that draws thousands
    of distinct lines keeps at most MASKS_BUDGET bytes of them, and still draws them right."""
    monkeypatch.setattr(textpaint, "MASKS_BUDGET", 200_000)
    textpaint._MASKS.clear()
    textpaint._MASKS_BYTES[0] = 0
    font = ImageFont.truetype(str(FONTS / "NotoSans-Bold.ttf"), 60,
                              layout_engine=ImageFont.Layout.RAQM)
    peak = 0
    for i in range(120):
        text = f"Line {i} of solidarity"
        ours = Image.new("RGB", (900, 100), "#123")
        theirs = ours.copy()
        assert textpaint._draw_kept(ImageDraw.Draw(ours), (10.0, 70.0), text, "#fff", font,
                                    "ltr", "en")
        ImageDraw.Draw(theirs).text((10.0, 70.0), text, fill="#fff", font=font, anchor="ls",
                                    language="en")
        assert ImageChops.difference(ours, theirs).getbbox() is None
        kept = sum(m.size[0] * m.size[1] for m, _ in textpaint._MASKS.values())
        assert kept == textpaint._MASKS_BYTES[0]
        peak = max(peak, kept)
    assert 0 < peak <= 200_000
    assert len(textpaint._MASKS) < 120  # some were dropped on the way
