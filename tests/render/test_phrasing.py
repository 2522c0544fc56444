"""Phrase-by-phrase setting of short texts (render/phrasing.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from shareables import text as T
from shareables.render import phrasing
from shareables.text.fonts import font_stack

FONTS = Path(__file__).resolve().parents[2] / "fonts"

TEXTS = [
    "It was called Palestine. Its name became Palestine.",
    "Peace cannot coexist with or grow from occupation. End it now.",
    "We mourn. We organize. We will not be silent about what we have seen.",
    "Justice for survivors. Accountability for perpetrators of gender persecution.",
    "كانت تسمى فلسطين. صارت تسمى فلسطين.",
    "Our solidarity crosses borders. Their courage does too.",
    "Stand with us. Share their words.",
    "Ceasefire now. Let aid in. Free them all.",
    "She survived. She testified. The court listened.",
    "Women lead. We follow their lead.",
    "End the siege. Protect civilians in Gaza now.",
]


BOXES = [(w, h) for w in range(420, 1001, 40) for h in (260, 420, 700)]


def _style(text: str) -> T.TextStyle:
    arabic = any("\u0600" <= c <= "\u06ff" for c in text)
    font = "NotoNaskhArabic-Bold.ttf" if arabic else "NotoSerif-Bold.ttf"
    return T.TextStyle(font_stack([FONTS / font]), max_size=140, min_size=28,
                       lang="ar" if arabic else "en")


def _setting(text: str, box: tuple[int, int], calls: list[int]) -> tuple[int, list[str]]:
    def fit(spans, st, w, h, role):  # the card's fit, counted
        calls.append(1)
        return T.fit(spans, st, w, h)

    sys.modules["shareables.text.fit"]._MEMO.clear()  # every call really fits
    block = phrasing.phrase_fit(fit, [T.Span(text)], _style(text), *box, "text")
    return block.size, [line.text for line in block.lines]


def test_sizes_skipped_by_the_cheap_count_change_nothing(monkeypatch) -> None:
    """The search for one line per sentence skips the sizes at which the cheap widths already
    break a sentence; it must land where trying every size, one `fit` each, landed."""
    fast_calls: list[int] = []
    fast = {(t, b): _setting(t, b, fast_calls) for t in TEXTS for b in BOXES}
    # Without the skip: the cheap count always says "a line a sentence", no size passed over.
    monkeypatch.setattr(phrasing.T, "lines_at",
                        lambda spans, *a: "".join(s.text for s in spans).count("\n") + 1)
    slow_calls: list[int] = []
    slow = {(t, b): _setting(t, b, slow_calls) for t in TEXTS for b in BOXES}
    assert fast == slow
    assert len(fast_calls) < len(slow_calls)  # and the skip did skip


def test_lines_at_counts_what_fit_sets() -> None:
    st = _style("")
    text = "It was called Palestine.\nIts name became Palestine."
    block = T.fit(text, st, 900, 600)
    assert T.lines_at(text, st, block.size, 900) == len(block.lines)
    assert T.lines_at(text, st, 28, 4000) == 2  # one line a paragraph when it is wide enough
    assert (T.lines_at(text, st, 70, 500) or 0) > 2
    assert T.lines_at("", st, 40, 900) == 0
