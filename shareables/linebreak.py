"""Line breaking: break opportunities and balanced breaks over measured items (no Pillow).

An Item is an unbreakable piece of a paragraph (a word, or part of one after a hyphen or
slash) with its advance per pixel of type size, so one measurement serves every size the
fitting search tries. `balanced` is a small Knuth–Plass: dynamic programming over break
points, minimising squared slack on every line (the last one too, so lines come out even),
with penalties that prefer breaks after sentences and clauses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

BREAKABLE_SPACES = frozenset(" \t\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008"
                             "\u2009\u200a\u205f\u3000\u200b")


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


# Breaking after a sentence or clause keeps phrases whole on a line; ending a line on the first
# word of a new sentence ("… Palestine. Its|") leaves it dangling. Weights are in box widths
# squared: a sentence-end break is worth ~17 % of slack on a line.
_PENALTY_SENTENCE_END = -0.03
_PENALTY_CLAUSE_END = -0.01
_PENALTY_DANGLING_START = 0.03
_PENALTY_TIGHT = 0.01  # inside a highlighted phrase, or between a number and its word
_SENTENCE_END = re.compile(r"[.!?…؟۔][\"'”’»)\]״]*$")
_CLAUSE_END = re.compile(r"[,;:،؛—–][\"'”’»)\]]*$")
_NUMBER = re.compile(r"^[$€£#(]?[\d٠-٩۰-۹][\d٠-٩۰-۹.,٫٬%]*$")


def penalty(prev: str, word: str, nxt: str = "", in_phrase: bool = False) -> float:
    """Cost of breaking the line after `word` (`prev` before it, `nxt` after it).

    Negative after a sentence or clause; positive when the break would leave a new
    sentence's first word dangling, split a highlighted phrase ("$10 million | per day"),
    or part a number from its word ("October | 7", "10 | million").
    """
    if _SENTENCE_END.search(word):
        return _PENALTY_SENTENCE_END
    if _CLAUSE_END.search(word):
        return _PENALTY_CLAUSE_END
    cost = 0.0
    if _SENTENCE_END.search(prev):
        cost += _PENALTY_DANGLING_START
    if in_phrase:
        cost += _PENALTY_TIGHT
    if _NUMBER.match(word) or (_NUMBER.match(nxt) and len(nxt) <= 4):
        cost += _PENALTY_TIGHT
    return cost


def break_opportunities(text: str) -> list[tuple[int, int, bool]]:
    """Items as (start, end, gend-is-space) boundaries: UAX #14-style opportunities in short.

    Breaks after runs of breakable spaces (not no-break spaces), after hyphens, dashes and
    an ellipsis between letters ("children…Thank"), after slashes inside words, and at
    zero-width spaces.
    """
    out: list[tuple[int, int, bool]] = []
    n = len(text)
    start = i = 0
    while i < n:
        ch = text[i]
        if ch in BREAKABLE_SPACES or ch == "\u200b":
            j = i
            while j < n and (text[j] in BREAKABLE_SPACES or text[j] == "\u200b"):
                j += 1
            if i > start:
                out.append((start, i, True))
            elif out:  # spaces after spaces: extend the previous item's glue
                out[-1] = (out[-1][0], out[-1][1], True)
            start = i = j
            continue
        if (
            ch in "-\u2010\u2013\u2014/\u2026"
            and i > start
            and i + 1 < n
            and text[i + 1] not in BREAKABLE_SPACES
            and text[i - 1].isalnum()
            and (text[i + 1].isalnum() or ch == "/")
        ):
            out.append((start, i + 1, False))
            start = i + 1
        i += 1
    if start < n:
        out.append((start, n, False))
    return out


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


def balanced(
    items: Sequence[Item], size: int, box_w: float, words: int, allow_widow: bool
) -> list[tuple[int, int]] | None:
    """Breaks minimising the squared slack of every line (the last one too, so lines balance).

    Uses the greedy (minimal) line count, or up to two more lines when that avoids a
    single-word last line in a paragraph of four or more words. None when the widow rule
    cannot be met and `allow_widow` is false.
    """
    n = len(items)
    if n == 0:
        return []
    first_fit = greedy(items, size, box_w)
    if len(first_fit) == 1:
        return first_fit
    # prefix[k] = advance of items[:k] with the spaces after each
    prefix = [0.0]
    for it in items:
        prefix.append(prefix[-1] + (it.w + it.g) * size)

    def width(i: int, j: int) -> float:  # items[i:j] on one line
        return prefix[j] - prefix[i] - items[j - 1].g * size

    # space_before[k]: number of word boundaries among items[:k]; a last line items[i:n] has
    # two or more words when a word boundary falls inside it.
    bounds = [0]
    for it in items:
        bounds.append(bounds[-1] + (1 if it.space else 0))
    need_two = words >= 4 and not allow_widow

    def widow(i: int) -> bool:
        # items[i:] is one whole word: no word boundary inside, and it starts after a space
        # (a tail of a URL or hyphenated word cut to fit is a fragment, not a widow)
        return bounds[n - 1] - bounds[i] < 1 and (i == 0 or items[i - 1].space)
    inf = float("inf")
    for k in range(len(first_fit), min(len(first_fit) + 2, n) + 1):
        # cost[l][j]: best cost of items[:j] set in l lines; back[l][j]: start of line l
        cost = [[inf] * (n + 1) for _ in range(k + 1)]
        back = [[0] * (n + 1) for _ in range(k + 1)]
        cost[0][0] = 0.0
        for lines in range(1, k + 1):
            prev_row, row, brow = cost[lines - 1], cost[lines], back[lines]
            for j in range(lines, n + 1):
                i = j - 1
                best, arg = inf, -1
                while i >= lines - 1:
                    w = width(i, j)
                    if w > box_w and i < j - 1:
                        break
                    if prev_row[i] < inf:
                        c = prev_row[i] + (box_w - w) ** 2
                        if j < n:
                            c += items[j - 1].penalty * box_w * box_w
                        if c < best:
                            best, arg = c, i
                    i -= 1
                row[j], brow[j] = best, arg
        if cost[k][n] == inf:
            continue
        # pick the last line's start honouring the widow rule
        result: list[tuple[int, int]] = []
        j = n
        i = back[k][n]
        if need_two and widow(i):
            candidates = [
                s for s in range(k - 1, n)
                if not widow(s) and width(s, n) <= box_w and cost[k - 1][s] < inf
            ]
            if not candidates:
                continue
            i = min(candidates, key=lambda s: cost[k - 1][s] + (box_w - width(s, n)) ** 2)
        result.append((i, j))
        lines_left = k - 1
        j = i
        while lines_left > 0:
            i = back[lines_left][j]
            result.append((i, j))
            j = i
            lines_left -= 1
        return result[::-1]
    if allow_widow or not need_two:
        return first_fit
    return None
