"""Vertical metrics: the leading of a block and of each of its lines.

Leading is `line_height` × size, scaled by how much taller than the stack's first font the
fonts setting the text are (Naskh needs ~25 % more room than Latin for its marks and
descenders). The fitting search counts with one estimate for the whole text (`vertical`); the
laid-out block spaces each line by the fonts actually on that line (`line_lead`), so one Arabic
name in an English statement loosens only the lines around it, if any.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .block import TextStyle

if TYPE_CHECKING:
    from .setting import Para, Prepared

_REF = 100


# Ascent + descent of Noto Sans / Noto Serif per em as FreeType rounds them at 100 px
# (107 + 30): the extent `line_height` is written for.
_REF_EXTENT = 1.37
CLEARANCE = 0.08
"""Least gap between the ink of two lines, in multiples of the size."""


def _factor(prep: Prepared, fonts: Iterable[int]) -> float:
    """How much taller than a Latin face (Noto's ascent + descent) the tallest of `fonts` is,
    at least 1: Naskh 1.43 (scaled ×1.15), Nastaliq 1.82 — whatever face the stack starts with."""
    return max([1.0] + [sum(prep.stack.metrics(i, _REF)) / (_REF * _REF_EXTENT)
                        for i in sorted(fonts)])


def vertical(prep: Prepared, style: TextStyle, size: int) -> tuple[int, int, int, int]:
    """(ascent, descent, line advance, paragraph gap) in px at `size`, for the whole text.

    Leading is `line_height` times the size, scaled up by how much taller than Latin the
    tallest text font setting a good share (a fifth) of the letters is: Naskh Arabic needs
    ~25 % more room for its marks and descenders, Nastaliq ~85 %, so one `line_height` setting
    serves every script, while one Arabic name in an English statement does not loosen it.
    `build_block` then opens a gap only where two lines' glyphs would come too close
    (`line_advance`).
    """
    key = (size, style.line_height, style.paragraph_spacing)
    hit = prep.verticals.get(key)
    if hit is not None:
        return hit
    fonts = sorted(prep.fonts) or [0]
    asc = max(prep.stack.metrics(i, size)[0] for i in fonts)
    desc = max(prep.stack.metrics(i, size)[1] for i in fonts)
    lead = round(size * style.line_height * _factor(prep, prep.leading_fonts))
    gap = round(size * style.paragraph_spacing)
    out = (math.ceil(asc), math.ceil(desc), lead, gap)
    prep.verticals[key] = out
    return out


def line_fonts(prep: Prepared, p: Para, start: int, end: int) -> set[int]:
    """The text fonts on line [start, end) of paragraph `p`."""
    return {f for f in p.font[start:end] if not prep.stack.is_color(f)} or {0}


Ink = tuple[float, float, float, float]


def line_advance(lead: int, size: int, above: Ink | None, below: Ink | None) -> int:
    """Baseline to baseline from one line to the next: the block's leading, or more where
    the glyphs actually on these two lines (a Naskh descender over a line of marks) would come
    closer than `CLEARANCE`. Computed per pair of lines, so it never loosens the rest."""
    if above is None or below is None:
        return lead
    need = above[3] - below[1] + CLEARANCE * size
    return max(lead, math.ceil(need))
