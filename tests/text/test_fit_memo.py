"""text.fit is memoised per process: a repeated call returns the block the first computed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shareables.text import Span, TextStyle, fit
from shareables.text.block import TextDoesNotFit
from shareables.text.fit import fit_uncached
from shareables.text.fonts import font_stack

fit_module = sys.modules["shareables.text.fit"]  # the package's `fit` is the function

FONTS = Path(__file__).resolve().parents[2] / "fonts"
TEXT = "MADRE and its supporters saved my life and the lives of my children."


def _style() -> TextStyle:
    return TextStyle(font_stack([FONTS / "NotoSans-Regular.ttf"]), max_size=120, min_size=30)


def test_a_repeated_fit_is_the_same_block_as_the_uncached_one() -> None:
    st = _style()
    spans = (Span("MADRE and its supporters "), Span("saved my life", accent=True),
             Span(" and the lives of my children."))
    first = fit(spans, st, 900, 500)
    assert fit(list(spans), st, 900, 500) is first  # a list of the same spans: a hit
    assert first == fit_uncached(spans, st, 900, 500)
    other = fit(spans, st, 600, 500)  # another box: computed, not the first block
    assert other == fit_uncached(spans, st, 600, 500) and other.size < first.size


def test_a_repeated_miss_raises_again_with_the_same_estimate() -> None:
    st = _style()
    with pytest.raises(TextDoesNotFit) as first:
        fit(TEXT * 20, st, 400, 200)
    with pytest.raises(TextDoesNotFit) as again:
        fit(TEXT * 20, st, 400, 200)
    assert again.value is not first.value  # a fresh exception each time
    assert again.value.needed_chars_to_cut == first.value.needed_chars_to_cut > 0
    assert again.value.box == (400, 200) and again.value.min_size == 30


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fit_module, "MEMO_SIZE", 3)
    monkeypatch.setattr(fit_module, "_MEMO", {})
    st = _style()
    for w in range(600, 610):
        fit(TEXT, st, w, 500)
        assert len(fit_module._MEMO) <= 3
