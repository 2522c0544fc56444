"""Splitting long text into carousel slides that all share one type size.

Split points are paragraph breaks first, then sentence ends; a sentence is cut only when it
cannot fit on a slide by itself at the floor size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .text import TextBlock, TextStyle


@dataclass(frozen=True)
class Split:
    """Slides for one box: `slides[i] + separators[i] + slides[i+1] …` is the source text.

    `blocks[i]` is slide i laid out at the common `size` (typography and highlight applied),
    ready for text.draw.
    """

    size: int
    slides: list[str]
    separators: list[str]  # len(slides) - 1 strings removed between slides (whitespace)
    blocks: list[TextBlock]


def split_text(
    text: str,
    style: TextStyle,
    box_w: int,
    box_h: int,
    *,
    highlight: Sequence[str] = (),
) -> Split:
    """Split `text` into the fewest slides that fit `box_w`×`box_h` at one common size.

    Slide text is raw source text; each slide is measured as
    `parse_markup(smart_typography(slide, style.lang), highlight)`. Among splits with the fewest
    slides, the one with the largest common size wins, then the most even one. Raises
    TextDoesNotFit only when a single word cannot fit a slide at the floor. The caller checks
    the slide count against each platform's carousel limit.
    """
    raise NotImplementedError
