"""What reveals where: word, line and highlight boxes computed from the placed, shaped text.

The still card's text is shaped once. A reveal never re-shapes a partial line: it uncovers
the drawn line through boxes whose edges fall between words — at the middle of the space
that separates them, measured with the same Raqm advances the layout used — so a joined
Arabic word, a letter with its harakat and an emoji sequence are always uncovered whole.
Units come in *logical* (reading) order: right to left across an Arabic or Hebrew line,
with any embedded left-to-right run (a handle, a number) read left to right within it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..render.compose import TextItem
from ..text.block import Line, Run, TextBlock
from ..text.fonts import clusters

Box = tuple[int, int, int, int]
PAD = 6
"""Pixels a unit's box reaches past the block's outer edges (side bearings, swashes)."""


@dataclass(frozen=True)
class Unit:
    """One thing that appears at once: a word, a line, a highlighted phrase, a whole item."""

    item: int  # index into the slide's text items
    line: int
    text: str
    boxes: tuple[Box, ...]  # image coordinates, (l, t, r, b)

    @property
    def left(self) -> int:
        return min(b[0] for b in self.boxes)

    @property
    def right(self) -> int:
        return max(b[2] for b in self.boxes)


def bands(block: TextBlock) -> list[tuple[int, int]]:
    """(top, bottom) of each line relative to the block, touching but not overlapping.

    Neighbouring lines split a third of the way down from one baseline to the next: below the
    descenders of the upper line, above the marks of the lower one (Naskh included).
    """
    lines = block.lines
    if not lines:
        return []
    cuts = [round(a.baseline + 0.34 * (b.baseline - a.baseline))
            for a, b in zip(lines, lines[1:], strict=False)]
    top = min(0, block.ink[1]) - PAD
    bottom = max(block.height, block.ink[3]) + PAD
    edges = [top, *cuts, bottom]
    return list(zip(edges, edges[1:], strict=False))


def logical_runs(line: Line, direction: str) -> list[Run]:
    """The line's runs (stored left to right) in reading order.

    Runs are ordered visually by the bidi algorithm; for the two embedding levels text on a
    card has (the paragraph's direction, and runs of the other one inside it) reading order
    is: reverse the runs of an RTL paragraph, then restore the order of each group of LTR
    runs inside it (and, mirrored, reverse each group of RTL runs inside an LTR paragraph).
    """
    runs = list(line.runs)
    rtl = direction == "rtl"
    if rtl:
        runs.reverse()
    out: list[Run] = []
    group: list[Run] = []
    for r in runs:
        if r.rtl == rtl:  # the paragraph's own direction
            out.extend(reversed(group))
            group = []
            out.append(r)
        else:
            group.append(r)
    out.extend(reversed(group))
    return out


@dataclass(frozen=True)
class _Word:
    text: str
    x0: float  # on the line, relative to the line's left edge
    x1: float
    open_start: bool  # touches the run's logical start with no space (may continue a word)
    open_end: bool  # touches the run's logical end with no space


def _words(block: TextBlock, run: Run) -> list[_Word]:
    """The words of a run in logical order, each spanning to the middle of its spaces.

    Words are split only at whitespace grapheme clusters; the first and last reach the run's
    edges, so a line's boxes tile it without gaps.
    """
    stack, size, lang = block.style.fonts, block.size, block.style.lang

    def adv(text: str) -> float:
        return stack.advance(run.font_index, size, text, run.rtl, lang) if text else 0.0

    groups: list[tuple[bool, int, int]] = []  # (is space, start, end) in logical offsets
    pos = 0
    for c in clusters(run.text):
        space = c.isspace()
        if groups and groups[-1][0] == space:
            groups[-1] = (space, groups[-1][1], pos + len(c))
        else:
            groups.append((space, pos, pos + len(c)))
        pos += len(c)
    total = adv(run.text) or 1.0
    scale = run.width / total
    out: list[_Word] = []
    for i, (space, a, b) in enumerate(groups):
        if space:
            continue
        lo = 0.0 if i <= 1 else (adv(run.text[:groups[i - 1][1]]) + adv(run.text[:a])) / 2
        last = i == len(groups) - 1
        hi = total if (last or i == len(groups) - 2) else (
            adv(run.text[:b]) + adv(run.text[:groups[i + 1][2]])) / 2
        if i == len(groups) - 2:  # only a trailing space after it: reach the run's end
            hi = total
        lo, hi = lo * scale, hi * scale
        if run.rtl:  # the first logical character is drawn at the run's right end
            lo, hi = run.width - hi, run.width - lo
        out.append(_Word(run.text[a:b], run.x + lo, run.x + hi, i == 0, last))
    return out


def word_units(items: Sequence[TextItem], index: int) -> list[list[Unit]]:
    """The words of item ``index``, line by line, each line in reading order.

    A word split across runs (a font change inside it) is one unit with several boxes.
    """
    it = items[index]
    block = it.block
    assert block is not None
    ox, oy = it.origin
    out: list[list[Unit]] = []
    for li, (line, (top, bottom)) in enumerate(zip(block.lines, bands(block), strict=True)):
        words: list[tuple[str, list[tuple[float, float]]]] = []
        glue = False  # the previous run ended inside a word
        for run in logical_runs(line, block.direction):
            ws = _words(block, run)
            for w in ws:
                if glue and w.open_start and words:
                    words[-1] = (words[-1][0] + w.text, [*words[-1][1], (w.x0, w.x1)])
                else:
                    words.append((w.text, [(w.x0, w.x1)]))
            glue = bool(ws) and ws[-1].open_end
        units = []
        lx = line.x
        for text, spans in words:
            boxes = tuple((ox + round(lx + a), oy + top, ox + round(lx + b), oy + bottom)
                          for a, b in spans)
            units.append(Unit(index, li, text, boxes))
        out.append(_reach_edges(units, ox, block, oy + top, oy + bottom))
    return out


def _reach_edges(units: list[Unit], ox: int, block: TextBlock, top: int,
                 bottom: int) -> list[Unit]:
    """Stretch the visually outermost boxes of a line to the block's edges (plus PAD)."""
    if not units:
        return units
    left = ox + min(0, block.ink[0]) - PAD
    right = ox + max(block.width, block.ink[2]) + PAD
    lo = min(units, key=lambda u: u.left)
    hi = max(units, key=lambda u: u.right)
    out = []
    for u in units:
        boxes = list(u.boxes)
        if u is lo:
            i = min(range(len(boxes)), key=lambda j: boxes[j][0])
            boxes[i] = (left, top, boxes[i][2], bottom)
        if u is hi:
            i = max(range(len(boxes)), key=lambda j: boxes[j][2])
            boxes[i] = (boxes[i][0], top, right, bottom)
        out.append(Unit(u.item, u.line, u.text, tuple(boxes)))
    return out


def line_units(items: Sequence[TextItem], index: int) -> list[Unit]:
    """Each line of item ``index`` as one unit spanning the block's width."""
    it = items[index]
    block = it.block
    assert block is not None
    ox, oy = it.origin
    left = ox + min(0, block.ink[0]) - PAD
    right = ox + max(block.width, block.ink[2]) + PAD
    return [Unit(index, i, line.text, ((left, oy + t, right, oy + b),))
            for i, (line, (t, b)) in enumerate(zip(block.lines, bands(block), strict=True))]


def item_unit(items: Sequence[TextItem], index: int) -> Unit:
    """A whole item (a name, a handle) as one unit."""
    it = items[index]
    block = it.block
    assert block is not None
    (t, _), (_, b) = bands(block)[0], bands(block)[-1]
    ox, oy = it.origin
    return Unit(index, 0, block.text, ((ox + min(0, block.ink[0]) - PAD, oy + t,
                                        ox + max(block.width, block.ink[2]) + PAD, oy + b),))


def accent_units(items: Sequence[TextItem], index: int) -> list[tuple[Unit, bool]]:
    """Highlighted runs of item ``index`` in reading order, with their direction (True: RTL)."""
    it = items[index]
    block = it.block
    assert block is not None
    ox, oy = it.origin
    out = []
    for li, (line, (t, b)) in enumerate(zip(block.lines, bands(block), strict=True)):
        for run in logical_runs(line, block.direction):
            if run.accent and run.text.strip():
                x0 = ox + round(line.x + run.x)
                x1 = ox + round(line.x + run.x + run.width)
                out.append((Unit(index, li, run.text, ((x0, oy + t, x1, oy + b),)), run.rtl))
    return out
