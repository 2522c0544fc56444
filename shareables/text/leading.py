"""Vertical metrics: the leading of a block and of each of its lines.

Leading is `line_height` × size, scaled by how much taller than the stack's first font the
fonts setting the text are (Naskh needs ~25 % more room than Latin for its marks and
descenders). The fitting search counts with one estimate for the whole text (`vertical`); the
laid-out block spaces each line by the fonts actually on that line (`line_lead`), so one Arabic
name in an English statement loosens only the lines around it, if any.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .block import TextStyle

if TYPE_CHECKING:
    from .setting import Para, Prepared

_REF = 100


def _factor(prep: Prepared, fonts: Iterable[int]) -> float:
    """How much taller than the stack's first font the tallest of `fonts` is (>= 1)."""
    a0, d0 = prep.stack.metrics(0, _REF)
    return max([1.0] + [sum(prep.stack.metrics(i, _REF)) / (a0 + d0) for i in sorted(fonts)])


def vertical(prep: Prepared, style: TextStyle, size: int) -> tuple[int, int, int, int]:
    """(ascent, descent, line advance, paragraph gap) in px at `size`, for the whole text.

    Leading is `line_height` times the size, scaled up by how much taller the tallest text
    font setting a good share (a fifth) of the letters is than the first font of the stack:
    Naskh Arabic needs ~25 % more room than Latin for its marks and descenders, so a mixed stack
    keeps one `line_height` setting. This is the estimate the fitting search counts with;
    `build_block` then spaces each line by the fonts actually on it (`line_lead`).
    """
    fonts = sorted(prep.fonts) or [0]
    asc = max(prep.stack.metrics(i, size)[0] for i in fonts)
    desc = max(prep.stack.metrics(i, size)[1] for i in fonts)
    lead = round(size * style.line_height * _factor(prep, prep.leading_fonts))
    gap = round(size * style.paragraph_spacing)
    return math.ceil(asc), math.ceil(desc), lead, gap


def line_fonts(prep: Prepared, p: Para, start: int, end: int) -> tuple[set[int], set[int]]:
    """(text fonts on line [start, end), those setting at least a third of its letters)."""
    on = {f for f in p.font[start:end] if not prep.stack.is_color(f)}
    letters = Counter(f for f, ch in zip(p.font[start:end], p.text[start:end], strict=True)
                      if ch.isalpha() and not prep.stack.is_color(f))
    total = sum(letters.values())
    return on or {0}, {f for f, n in letters.items() if n * 3 >= total}


def line_lead(prep: Prepared, style: TextStyle, size: int, leading: set[int]) -> int:
    """One line's leading: `line_height` × size, scaled for the fonts that set that line."""
    return round(size * style.line_height * _factor(prep, leading))
