"""The largest size at which a text fits its box, judged on real ink.

Side overhang: a letter whose ink reaches past its advance (the apex of an "A", a "W", an
italic f) may poke out of the box sideways by up to `OVERHANG` of the size (at least 2 px) as
long as every line's advance fits: the design frame's padding absorbs it well inside the
safe area, and refusing it would shrink or re-break good text for a pixel of ink.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .block import TextBlock, TextDoesNotFit, TextStyle
from .setting import (
    Prepared,
    as_spans,
    break_all,
    build_block,
    count_lines,
    nominal_height,
    prepare,
    style_rtl,
    vertical,
)
from .typography import Span

OVERHANG = 0.08
"""Side ink allowed past the box, as a fraction of the size (at least `MIN_OVERHANG_PX`)."""
MIN_OVERHANG_PX = 2.0


def overhang_allowance(size: int) -> float:
    return max(MIN_OVERHANG_PX, OVERHANG * size)


def _inside(block: TextBlock, box_w: int, box_h: int) -> bool:
    """Fits: every line's advance within the box, ink within it vertically, and sideways
    within the overhang allowance."""
    left, top, right, bottom = block.ink
    slack = overhang_allowance(block.size)
    return (top >= 0 and bottom <= box_h and block.height <= box_h
            and left >= -slack and right <= box_w + slack
            and all(line.width <= box_w for line in block.lines))


def try_size(
    prep: Prepared, style: TextStyle, size: int, box_w: int, box_h: int, allow_widow: bool
) -> TextBlock | None:
    """The block at `size` when it fits the box exactly (real ink), else None."""
    broken = break_all(prep, size, box_w, allow_widow, style.min_size)
    if broken is None:
        return None
    n_lines = sum(len(lines) for lines in broken)
    if nominal_height(prep, style, size, n_lines) > box_h:
        return None
    block = build_block(prep, style, size, box_w, broken)
    if _inside(block, box_w, box_h):
        return block
    over = max(block.ink[2] - box_w, -block.ink[0]) - overhang_allowance(size)
    if over > 0 and block.height <= box_h:
        # Ink beyond the allowance (a long swash) pokes out sideways: re-break narrower.
        narrower = box_w - math.ceil(over) - 1
        broken = break_all(prep, size, narrower, allow_widow, style.min_size)
        if broken is not None:
            block = build_block(prep, style, size, box_w, broken)
            if _inside(block, box_w, box_h):
                return block
    return None


def fits_fast(
    prep: Prepared, style: TextStyle, size: int, box_w: int, box_h: int, allow_widow: bool
) -> bool:
    """Line count x leading within the box, from cached per-px widths (no shaping)."""
    n_lines = count_lines(prep, size, box_w, allow_widow, style.min_size)
    return n_lines is not None and nominal_height(prep, style, size, n_lines) <= box_h


def lines_at(spans: Sequence[Span] | str, style: TextStyle, size: int, box_w: int) -> int | None:
    """How many lines the text takes at `size` in a box `box_w` wide, from the cheap per-px
    widths (no shaping, no ink; None when a word is wider than the box even when split).
    What `fits_fast` counts: a quick way to rule sizes out before asking `fit` for real."""
    sp = as_spans(spans)
    prep = prepare(sp, style.fonts, style.lang, style_rtl(style, "".join(s.text for s in sp)))
    return count_lines(prep, size, box_w, True, style.min_size) if prep.paras else 0


_MEMO: dict[tuple[object, ...], TextBlock | int] = {}
"""fit() results in this process: a block, or the characters to cut when nothing fits."""
MEMO_SIZE = 4096


def fit(spans: Sequence[Span] | str, style: TextStyle, box_w: int, box_h: int) -> TextBlock:
    """`fit_uncached`, remembered per process: one variant asks the same question for each
    platform with the same canvas and again for the carousel splitter's final slides.

    Blocks are frozen and the style's FontStack is hashed by identity (one per Resources),
    so a hit is exactly the block the same call computed before. Misses past `MEMO_SIZE`
    entries start the memo afresh (a worker renders thousands of designs).
    """
    key = (spans if isinstance(spans, str) else tuple(spans), style, box_w, box_h)
    hit = _MEMO.get(key)
    if hit is None:
        try:
            hit = fit_uncached(spans, style, box_w, box_h)
        except TextDoesNotFit as e:
            hit = e.needed_chars_to_cut
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = hit
    if isinstance(hit, int):
        raise TextDoesNotFit(hit, min_size=style.min_size, box=(box_w, box_h))
    return hit


def fit_uncached(spans: Sequence[Span] | str, style: TextStyle, box_w: int, box_h: int
                 ) -> TextBlock:
    """The block at the largest integer size in [min_size, max_size] that fits the box.

    Fits means: every line within `box_w`, and the ink and line boxes within `box_h`.
    Binary search on cheap widths first, then the answer is checked (and corrected by a step
    if needed) with real shaping and ink. Raises TextDoesNotFit (with an estimate of the
    characters to cut) when even `min_size` does not fit.
    """
    sp = as_spans(spans)
    text = "".join(s.text for s in sp)
    prep = prepare(sp, style.fonts, style.lang, style_rtl(style, text))
    lo, hi = style.min_size, style.max_size
    if not prep.paras:
        return build_block(prep, style, hi, box_w, [])
    for allow_widow in (False, True):
        if not fits_fast(prep, style, lo, box_w, box_h, allow_widow):
            continue
        a, b = lo, hi  # invariant: a fits (fast check); find the largest
        while a < b:
            mid = (a + b + 1) // 2
            if fits_fast(prep, style, mid, box_w, box_h, allow_widow):
                a = mid
            else:
                b = mid - 1
        size = a
        block = try_size(prep, style, size, box_w, box_h, allow_widow)
        while block is None and size > lo:
            size -= 1
            block = try_size(prep, style, size, box_w, box_h, allow_widow)
        if block is not None:
            while size < hi:  # the cheap check can be a pixel pessimistic
                bigger = try_size(prep, style, size + 1, box_w, box_h, allow_widow)
                if bigger is None:
                    break
                block, size = bigger, size + 1
            return block
    raise TextDoesNotFit(
        _chars_to_cut(sp, style, box_w, box_h), min_size=lo, box=(box_w, box_h)
    )


def _chars_to_cut(spans: tuple[Span, ...], style: TextStyle, box_w: int, box_h: int) -> int:
    """How many characters to remove (from the end, at a word boundary) to fit at the floor.

    Starts from the share of lines that overflow at the floor size, then narrows it down by
    bisection with the cheap fit check, so the number is close to what is really needed.
    """
    text = "".join(s.text for s in spans)
    total = len(text)
    rtl = style_rtl(style, text)

    def fits_after(cut: int) -> bool:
        keep = text[: max(0, total - cut)]
        if 0 < cut < total and not text[total - cut].isspace() and " " in keep:
            keep = keep[: keep.rfind(" ")]  # never leave half a word
        if not keep.strip():
            return True
        trial = prepare((Span(keep),), style.fonts, style.lang, rtl)
        return fits_fast(trial, style, style.min_size, box_w, box_h, True)

    prep = prepare(spans, style.fonts, style.lang, rtl)
    n_lines = count_lines(prep, style.min_size, box_w, True, style.min_size) or 0
    asc, desc, lead, _gap = vertical(prep, style, style.min_size)
    room = max(1, (box_h - asc - desc) // max(1, lead) + 1)
    guess = max(1, round(total * (1 - room / max(n_lines, 1))))
    bad, good = 0, min(total, guess)  # cutting `bad` is not enough; cutting `good` may be
    while not fits_after(good) and good < total:
        bad, good = good, min(total, good * 2)
    while good - bad > 1:
        mid = (bad + good) // 2
        if fits_after(mid):
            good = mid
        else:
            bad = mid
    return max(1, good)
