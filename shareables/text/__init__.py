"""Text stage: typesetting without a canvas.

Takes: text (with `**inline**` markup and highlight phrases), a `TextStyle` (font stack, size
range, language, direction, alignment) and a box.
Gives: a `TextBlock` — lines of shaped runs in visual order, at the largest size whose real ink
fits the box — or `TextDoesNotFit` with how many characters to cut.

Modules: `fonts` (per-glyph fallback, Raqm fonts, emoji), `typography` (smart quotes, markup →
`Span`s), `bidi` (paragraph direction, UAX #9 levels, visual order), `linebreak` (break
opportunities, balanced breaking), `block` (the result types), `setting` (preparing and
laying out a paragraph at one size), `fit` (the largest size that fits). No drawing here: the
render stage draws blocks.
"""

from .bidi import base_direction, bidi_levels
from .block import Line, Run, TextBlock, TextDoesNotFit, TextStyle
from .fit import fit, lines_at
from .setting import layout
from .typography import Span, parse_markup, quote_marks, smart_typography, unquote

__all__ = [
    "Line", "Run", "Span", "TextBlock", "TextDoesNotFit", "TextStyle", "base_direction",
    "bidi_levels", "fit", "layout", "lines_at", "parse_markup", "quote_marks",
    "smart_typography", "unquote",
]
