"""The results of typesetting: styles, runs, lines and blocks (data only)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import RenderError
from .fonts import FontStack


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
            or f"cut about {needed_chars_to_cut} character"
            + ("" if needed_chars_to_cut == 1 else "s"),
            **kwargs,  # type: ignore[arg-type]
        )


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
    start: int = 0  # the run's characters are line.text[start:end] (`text` may add a ZWJ)
    end: int = 0


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
    union of the glyphs' extents (l, t, r, b): within (0, height) vertically, and sideways
    within (0, width) give or take the overhang allowance of fit.py (the apex of an "A").
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
