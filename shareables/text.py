"""Typography: smart quotes, markup spans, bidi, line breaking, fitting and drawing text blocks.

No canvas decisions live here (no backgrounds, no boxes beyond the one given): the renderer asks
`fit` for the largest block that fits a box, then `draw`s it where the layout says.

Usage::

    spans = parse_markup(smart_typography(text, lang), highlight)
    style = TextStyle(font_stack(paths), max_size=96, min_size=30, lang=lang)
    block = fit(spans, style, box.w, box.h)       # raises TextDoesNotFit
    ink = draw(image, block, box.x, box.y, fill="#fff", accent_fill="#f2b134")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import RenderError
from .fonts import FontStack

if TYPE_CHECKING:
    from PIL import Image


class TextDoesNotFit(RenderError):
    """Text too long for its box even at the legibility floor.

    `needed_chars_to_cut` estimates how many characters must go for the text to fit at
    `min_size`; the renderer adds file, field and platform to the message.
    """

    def __init__(
        self,
        needed_chars_to_cut: int,
        *,
        min_size: int,
        box: tuple[int, int],
        message: str | None = None,
        **kwargs: object,
    ) -> None:
        self.needed_chars_to_cut = needed_chars_to_cut
        self.min_size = min_size
        self.box = box
        super().__init__(
            message
            or f"text does not fit in {box[0]}×{box[1]} px even at the minimum size "
            f"({min_size} px)",
            hint=kwargs.pop("hint", None)  # type: ignore[arg-type]
            or f"cut about {needed_chars_to_cut} characters",
            **kwargs,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Span:
    """A piece of text, drawn in the accent colour when `accent` is true."""

    text: str
    accent: bool = False


@dataclass(frozen=True)
class TextStyle:
    """How to set a block of text: fonts, size range, leading, language and alignment.

    `direction` None means: from `lang` (model.direction_of), or from the first strong character
    when `lang` is empty or "und". `align` 'start' is left for LTR and right for RTL.
    `paragraph_spacing` is extra space after a hard paragraph break, in multiples of the size.
    """

    fonts: FontStack
    max_size: int
    min_size: int
    line_height: float = 1.25
    lang: str = "en"
    direction: str | None = None
    align: str = "start"  # start | center | end
    paragraph_spacing: float = 0.5


@dataclass(frozen=True)
class Run:
    """Text drawn with one font in one direction; `x` is its left edge within the line."""

    text: str  # logical (storage) order; the shaper orders glyphs within the run
    font_index: int
    rtl: bool
    accent: bool
    x: float
    width: float


@dataclass(frozen=True)
class Line:
    """One line: runs in visual order (left to right), placed relative to the block origin."""

    runs: tuple[Run, ...]
    x: float  # left edge of the line (alignment applied within the block width)
    baseline: float  # from the block top
    width: float
    text: str  # logical text of the line (for tests and alt text checks)


@dataclass(frozen=True)
class TextBlock:
    """A laid-out block of text at one size, ready to draw.

    Coordinates are relative to the block origin (top-left of the box it was fitted to).
    `width` is the box width the lines are aligned in; `height` is the height the block
    occupies (nominal line metrics, grown to the ink when glyphs reach further); `ink` is the
    union of the glyphs' extents (l, t, r, b) and lies within (0, 0, width, height).
    """

    size: int
    lines: tuple[Line, ...]
    width: int
    height: int
    ink: tuple[int, int, int, int]
    direction: str
    style: TextStyle

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def content_width(self) -> float:
        """Width of the longest line (for shrink-wrapping a block)."""
        return max((line.width for line in self.lines), default=0.0)


def smart_typography(text: str, lang: str) -> str:
    """Curly quotes and apostrophes, en/em dashes and ellipses as `lang` writes them."""
    raise NotImplementedError


def parse_markup(text: str, highlight: Sequence[str] = ()) -> list[Span]:
    """Split text into spans; `**inline**` markup and `highlight` phrases become accent spans.

    Highlight phrases match case-insensitively; the `**` markers are removed.
    """
    raise NotImplementedError


def layout(spans: Sequence[Span] | str, style: TextStyle, size: int, box_w: int) -> TextBlock:
    """Set the text at exactly `size` px with balanced lines no wider than `box_w`.

    The block may be taller than any box: callers check `block.height` (see `fit`).
    """
    raise NotImplementedError


def fit(spans: Sequence[Span] | str, style: TextStyle, box_w: int, box_h: int) -> TextBlock:
    """The block at the largest integer size in [min_size, max_size] that fits the box.

    Fits means: every line within `box_w` and the ink and line boxes within `box_h`.
    Raises TextDoesNotFit (with an estimate of the characters to cut) when even `min_size`
    does not fit.
    """
    raise NotImplementedError


def draw(
    image: Image.Image,
    block: TextBlock,
    x: int,
    y: int,
    fill: str | tuple[int, ...],
    accent_fill: str | tuple[int, ...] | None = None,
) -> tuple[int, int, int, int]:
    """Draw the block with its origin at (x, y); returns the ink bbox in image coordinates.

    Accent spans use `accent_fill` (default `fill`); emoji are drawn in colour. The image must
    be RGB or RGBA.
    """
    raise NotImplementedError
