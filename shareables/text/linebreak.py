"""Line breaking: balanced breaks over measured items (no Pillow).

An Item is an unbreakable piece of a paragraph between two break opportunities (UAX #14 and
the hard rules: `breakrules`) with its advance per pixel of type size, so one measurement
serves every size the fitting search tries. `merge_bound` joins what the rules bind at a given
size. `balanced` is a small Knuth–Plass: dynamic programming over break
points, minimising squared slack on every line (the last one too, so lines come out even),
with penalties that prefer breaks after sentences and clauses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .breakrules import FREE, GROUP, WORD


@dataclass
class Item:
    """An unbreakable piece of a paragraph with the breakable spaces after it."""

    start: int
    end: int  # end of the visible text
    gend: int  # end including the spaces after it (dropped at a line end)
    w: float  # advance per px of size
    g: float  # spaces' advance per px of size
    space: bool  # a word boundary follows (spaces), not a break inside a word
    penalty: float = 0.0  # cost of a line break after this item, in box widths squared
    bind: int = FREE  # a hard rule forbids the break after it (breakrules: GROUP, WORD)
    inner: int = 0  # word boundaries inside (items merged by `merge_bound`)


# Breaking after a sentence or clause keeps phrases whole on a line; ending a line on the first
# word of a new sentence ("… Palestine. Its|") leaves it dangling. Weights are in box widths
# squared: a sentence-end break is worth ~17 % of slack on a line.
_PENALTY_SENTENCE_END = -0.03
_PENALTY_CLAUSE_END = -0.01
_PENALTY_DANGLING_START = 0.03
_PENALTY_BEFORE_NUMBER = 0.01
_SHORT_NUMBER = re.compile(r"^[\d٠-٩۰-۹]{1,4}[.,]?$")
_SENTENCE_END = re.compile(r"[.!?…؟۔][\"'”’»)\]״]*$")
_CLAUSE_END = re.compile(r"[,;:،؛—–][\"'”’»)\]]*$")


def penalty(prev: str, word: str, nxt: str = "") -> float:
    """Cost of breaking the line after `word` (`prev` before, `nxt` after): a preference.

    Negative after a sentence or clause; positive when the break would leave a new
    sentence's first word dangling, or part a word from the short number after it
    ("October | 7"). What must never break (a phrase, a number and the word after it, a URL's
    slug) is bound by `breakrules` instead.
    """
    if _SENTENCE_END.search(word):
        return _PENALTY_SENTENCE_END
    if _CLAUSE_END.search(word):
        return _PENALTY_CLAUSE_END
    cost = _PENALTY_DANGLING_START if _SENTENCE_END.search(prev) else 0.0
    if _SHORT_NUMBER.match(nxt):
        cost += _PENALTY_BEFORE_NUMBER
    return cost


def _merge(items: Sequence[Item]) -> Item:
    """One unbreakable item spanning `items` (consecutive, in order)."""
    last = items[-1]
    return replace(
        last,
        start=items[0].start,
        w=sum(it.w + it.g for it in items[:-1]) + last.w,
        inner=sum(it.inner + (1 if it.space else 0) for it in items[:-1]) + last.inner,
    )


def _merge_words(items: Sequence[Item], size: int, box_w: float) -> list[Item]:
    """WORD binds, left to right: a bound pair joins while the joined item fits the line."""
    out: list[Item] = []
    for it in items:
        if out and out[-1].bind >= WORD:
            joined = _merge([out[-1], it])
            if joined.w * size <= box_w:
                out[-1] = joined
                continue
        out.append(it)
    return out


def _merge_groups(items: Sequence[Item], size: int, box_w: float) -> list[Item]:
    """GROUP binds: a whole phrase or URL joins if it fits the line, else stays open."""
    out: list[Item] = []
    i, n = 0, len(items)
    while i < n:
        j = i
        while j < n - 1 and items[j].bind >= GROUP:
            j += 1
        group = items[i : j + 1]
        merged = _merge(group) if len(group) > 1 else None
        if merged is not None and merged.w * size <= box_w:
            out.append(merged)
        else:
            out.extend(group)
        i = j + 1
    return out


def merge_bound(items: Sequence[Item], size: int, box_w: float) -> list[Item]:
    """Join the items the hard rules bind, at this size and width, into unbreakable items.

    Word binds first (a number and its word), then groups (a phrase, a URL) around them. A
    bound run that alone is wider than the line is left open: the line may break inside it.
    """
    if all(it.bind == FREE for it in items):
        return list(items)
    return _merge_groups(_merge_words(items, size, box_w), size, box_w)


def greedy(items: Sequence[Item], size: int, box_w: float) -> list[tuple[int, int]]:
    """First-fit lines as (first item, last item + 1): fewest lines, ragged."""
    lines: list[tuple[int, int]] = []
    i = 0
    n = len(items)
    while i < n:
        width = items[i].w * size
        j = i + 1
        while j < n and width + (items[j - 1].g + items[j].w) * size <= box_w:
            width += (items[j - 1].g + items[j].w) * size
            j += 1
        lines.append((i, j))
        i = j
    return lines


class _Para:
    """Prefix sums over one paragraph's items at one size (shared by the count and the DP)."""

    def __init__(self, items: Sequence[Item], size: int, box_w: float, words: int,
                 allow_widow: bool) -> None:
        self.items, self.box_w, self.n = items, box_w, len(items)
        self.prefix = [0.0]  # advance of items[:k] with the spaces after each
        self.glue = []
        for it in items:
            self.prefix.append(self.prefix[-1] + (it.w + it.g) * size)
            self.glue.append(it.g * size)
        self.bounds = [0]  # word boundaries among items[:k] (inside merged items too)
        for it in items:
            self.bounds.append(self.bounds[-1] + it.inner + (1 if it.space else 0))
        self.need_two = words >= 4 and not allow_widow
        self.first_fit = greedy(items, size, box_w)

    def width(self, i: int, j: int) -> float:
        """Advance of items[i:j] set on one line."""
        return self.prefix[j] - self.prefix[i] - self.glue[j - 1]

    def widow(self, i: int) -> bool:
        """items[i:] is one whole word: no word boundary inside, and it starts after a space
        (the tail of a URL or hyphenated word cut to fit is a fragment, not a widow)."""
        return self.bounds[self.n - 1] - self.bounds[i] < 1 and (
            i == 0 or self.items[i - 1].space
        )

    def last_line_starts(self) -> list[int]:
        """Where the last line may start: it fits, and is no widow when that matters."""
        out = []
        for s in range(self.n - 1, -1, -1):
            if self.width(s, self.n) > self.box_w:
                break
            if not (self.need_two and self.widow(s)):
                out.append(s)
        return out

    def count(self) -> int | None:
        """Lines `balanced` will use: the greedy count, or up to two more for the widow rule."""
        fewest = len(self.first_fit)
        if not self.need_two or fewest == 1:
            return fewest
        line_of = [0] * self.n  # greedy line of each item: greedy is prefix-consistent
        for k, (a, b) in enumerate(self.first_fit):
            line_of[a:b] = [k] * (b - a)
        # items[:s] takes line_of[s - 1] + 1 lines at best, then the last line
        best = min(
            (line_of[s - 1] + 2 for s in self.last_line_starts() if s > 0), default=None
        )
        if best is None or best > fewest + 2:
            return None
        return best


def line_count(
    items: Sequence[Item], size: int, box_w: float, words: int, allow_widow: bool
) -> int | None:
    """How many lines `balanced` sets these items in (None: the widow rule cannot be met).

    Cheap (greedy plus one scan): what the fitting search needs at every probed size.
    """
    if not items:
        return 0
    return _Para(items, size, box_w, words, allow_widow).count()


def balanced(
    items: Sequence[Item], size: int, box_w: float, words: int, allow_widow: bool
) -> list[tuple[int, int]] | None:
    """Breaks minimising the squared slack of every line (the last one too, so lines balance).

    Uses the greedy (minimal) line count, or up to two more lines when that avoids a
    single-word last line in a paragraph of four or more words. None when the widow rule
    cannot be met and `allow_widow` is false. Break penalties (see `penalty`) are added in
    units of the box width squared.
    """
    n = len(items)
    if n == 0:
        return []
    para = _Para(items, size, box_w, words, allow_widow)
    k = para.count()
    if k is None:
        return None
    if k == 1:
        return para.first_fit
    prefix, glue, inf = para.prefix, para.glue, float("inf")
    scale = box_w * box_w
    pens = [it.penalty * scale for it in items]
    # cost[l][j]: best cost of items[:j] set in l lines; back[l][j]: where line l starts
    cost = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    cost[0][0] = 0.0
    for lines in range(1, k):
        prev_row, row, brow = cost[lines - 1], cost[lines], back[lines]
        for j in range(lines, n - (k - lines) + 1):
            end = prefix[j] - glue[j - 1]
            best, arg = inf, -1
            i = j - 1
            while i >= lines - 1:
                w = end - prefix[i]
                if w > box_w and i < j - 1:
                    break
                c = prev_row[i]
                if c < inf:
                    c += (box_w - w) ** 2
                    if c < best:
                        best, arg = c, i
                i -= 1
            row[j], brow[j] = best + pens[j - 1], arg
    # the last line: among the allowed starts, the one that completes the cheapest set
    prev_row = cost[k - 1]
    starts = [s for s in para.last_line_starts() if prev_row[s] < inf]
    if not starts:  # the count said this cannot happen; be safe and take first fit
        return para.first_fit if allow_widow or not para.need_two else None
    i = min(starts, key=lambda s: prev_row[s] + (box_w - para.width(s, n)) ** 2)
    result = [(i, n)]
    j = i
    for lines in range(k - 1, 0, -1):
        i = back[lines][j]
        result.append((i, j))
        j = i
    return result[::-1]
