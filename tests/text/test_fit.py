"""Fitting judges side overhang inside text.fit (the allowance lives here, not in the cards)."""

from __future__ import annotations

from pathlib import Path

from shareables.text import TextStyle, fit, layout
from shareables.text.fit import overhang_allowance
from shareables.text.fonts import font_stack

FONTS = Path(__file__).resolve().parents[2] / "fonts"


def test_side_overhang_within_the_allowance_does_not_cost_size() -> None:
    """"Jump" in Noto Serif Bold: the ink of the last letter reaches ~7 px past its advance at
    300 px. In a box as wide as the advance the word keeps its size instead of shrinking."""
    st = TextStyle(font_stack([FONTS / "NotoSerif-Bold.ttf"]), max_size=300, min_size=30)
    probe = layout("Jump", st, 300, 4000)
    advance = round(probe.content_width + 0.5)
    overhang = probe.ink[2] - advance
    assert 0 < overhang <= overhang_allowance(300)  # the case really overhangs
    block = fit("Jump", st, advance, 1000)
    assert block.size == 300
    assert block.ink[2] > block.width  # drawn past the box, by less than the allowance
    assert block.ink[2] - block.width <= overhang_allowance(block.size)


def test_advance_never_exceeds_the_box() -> None:
    """The allowance is for ink only: a line's advance is never wider than the box."""
    st = TextStyle(font_stack([FONTS / "NotoSerif-Bold.ttf"]), max_size=300, min_size=30)
    probe = layout("Jump", st, 300, 4000)
    narrow = int(probe.content_width) - 1
    block = fit("Jump", st, narrow, 1000)
    assert block.size < 300
    assert all(line.width <= narrow for line in block.lines)


def test_ink_beyond_the_allowance_is_refused() -> None:
    st = TextStyle(font_stack([FONTS / "NotoSerif-Bold.ttf"]), max_size=300, min_size=30)
    for width in (300, 900, 2000):
        block = fit("Jump Wave", st, width, 2000)
        assert block.ink[0] >= -overhang_allowance(block.size)
        assert block.ink[2] <= block.width + overhang_allowance(block.size)
