"""Unicode's line and paragraph separators (U+2028, U+2029) in a text are line breaks.

They pass the content checks (they are not control characters) and reach the text as typed:
a raw one in a YAML block scalar is kept by the YAML reader, ``"\\P"`` and ``"\\L"`` are its
escapes, and text pasted from a layout program or a PDF carries them. Before, U+2029 made Raqm
fail on every card ("internal error while rendering ... please report this") and U+2028 was
drawn as a wide blank in the middle of the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from shareables.render.textpaint import draw
from shareables.text import Span, TextStyle, fit, layout
from shareables.text.fonts import font_stack

FONTS = Path(__file__).resolve().parents[2] / "fonts"
BG = (15, 61, 46)


def _style(lang: str = "en") -> TextStyle:
    return TextStyle(font_stack([FONTS / n for n in (
        "NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "NotoColorEmoji.ttf")]),
        max_size=90, min_size=20, lang=lang)


def _pixels(text: str, lang: str = "en") -> bytes:
    block = fit(text, _style(lang), 900, 600)
    im = Image.new("RGB", (900, 600), BG)
    draw(im, block, 0, 0, (255, 255, 255), (228, 49, 43))
    return im.tobytes()


@pytest.mark.parametrize("sep", ["\u2029", "\u2028"])
@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Ceasefire now.{}We stand with the women of Gaza."),
    ("ar", "كانت تسمى فلسطين.{}صارت تسمى فلسطين."),
])
def test_a_separator_breaks_the_line_like_a_newline(sep: str, lang: str, text: str) -> None:
    with_sep, with_newline = text.format(sep), text.format("\n")
    block = fit(with_sep, _style(lang), 900, 600)
    assert [ln.text for ln in block.lines] == [ln.text for ln in
                                              fit(with_newline, _style(lang), 900, 600).lines]
    assert _pixels(with_sep, lang) == _pixels(with_newline, lang)


def test_a_separator_inside_a_highlight_keeps_the_colours() -> None:
    spans = (Span("We "), Span("stand\u2029with", accent=True), Span(" you"))
    same = (Span("We "), Span("stand\nwith", accent=True), Span(" you"))
    got = layout(spans, _style(), 60, 900)
    want = layout(same, _style(), 60, 900)
    assert [[(r.text, r.accent) for r in ln.runs] for ln in got.lines] == \
        [[(r.text, r.accent) for r in ln.runs] for ln in want.lines]


def test_the_blank_is_gone() -> None:
    """U+2028 drew as a blank as wide as a word: the first line is now just "Hello"."""
    block = fit("Hello\u2028world, and a long line follows here", _style(), 900, 500)
    assert block.lines[0].text == "Hello"
    im = Image.new("RGB", (900, 500), BG)
    draw(im, block, 0, 0, (255, 255, 255))
    assert ImageChops.difference(im, Image.new("RGB", im.size, BG)).getbbox() is not None
