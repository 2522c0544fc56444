"""Splitting long text into carousel slides that all share one type size.

Split points are paragraph breaks first, then sentence ends; a sentence is cut (between words)
only when it cannot fit on a slide by itself at the floor size. The split uses as few slides as
keep the type at a comfortable target size, then the largest size that keeps that count, then
the most even grouping (see split_text).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .. import text as T
from ..text.block import TextBlock, TextDoesNotFit, TextStyle
from ..text.fit import try_size
from ..text.setting import Prepared, count_lines, nominal_height, prepare, style_rtl


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

    def joined(self) -> str:
        """The source text again (for checks: nothing lost or duplicated)."""
        out = self.slides[0] if self.slides else ""
        for sep, slide in zip(self.separators, self.slides[1:], strict=True):
            out += sep + slide
        return out


# Words whose trailing period does not end a sentence (compared case-insensitively).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st sr jr gen col lt sgt rev hon gov sen rep pres vs etc e.g i.e
    approx dept est inc ltd corp jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Ordinary words too ("said no."), so abbreviations only before a number ("No. 5", "p. 12").
_NUMBER_ABBREVIATIONS = frozenset("no nos p pp art ch fig vol para sec op".split())
_TERMINAL = ".!?…؟۔"
_CLOSERS = "\"'”’»)]}״"
MAX_LINES = 10
"""Default cap on lines per content slide (see split_text)."""
# Penalties when choosing among splits with the same slide count and size: a slide should
# end at a paragraph; a sentence break costs as much as two lines of imbalance.
_COST = {"para": 0.0, "sentence": 4.0, "word": 100.0, "opener": 6.0}
# A slide that opens with one of these ("It does this by …", "But …") only makes sense after
# the previous sentence: starting a slide there costs more than a sentence break
# (cost "opener"), so the split moves one sentence earlier or later when it can.
_OPENERS = frozenset("""it its this these that those they them their he she his her such
but and so yet or nor also then thus however therefore moreover instead still""".split())


def _opener(piece: str) -> bool:
    m = re.match(r"\W*(\w+)", piece)
    return m is not None and m.group(1).lower() in _OPENERS


def _sentence_ends(par: str) -> list[tuple[int, int]]:
    """(end of sentence, start of next) positions inside one paragraph."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"[" + re.escape(_TERMINAL) + r"]+[" + re.escape(_CLOSERS) + r"]*(\s+)",
                         par):
        end, nxt = m.start(1), m.end(1)
        if nxt >= len(par):
            continue
        following = par[nxt]
        if following.islower():  # "… the U.S. government" continues the sentence
            continue
        if par[m.start()] == ".":
            word = re.search(r"(\S+)$", par[: m.start()])
            token = word.group(1).lower() if word else ""
            token = token.lstrip("(\"'“‘«")
            if (
                token in _ABBREVIATIONS
                or token in _NUMBER_ABBREVIATIONS and following.isdigit()
                or len(token) == 1 and token.isalpha()  # an initial: "J. Smith"
                or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token)  # U.S., U.N., e.g
            ):
                continue
        out.append((end, nxt))
    return out


def _atoms(text: str) -> tuple[list[str], list[str], list[str]]:
    """Text cut at paragraph and sentence boundaries: (pieces, separators, boundary kinds).

    pieces[0] + separators[0] + pieces[1] + … == text; kinds[i] says what separators[i] is.
    Leading and trailing whitespace stay attached to the first and last piece.
    """
    pieces: list[str] = []
    seps: list[str] = []
    kinds: list[str] = []
    body_start = len(text) - len(text.lstrip())
    body_end = len(text.rstrip())
    pos = body_start
    para_breaks = [
        (m.start(), m.end()) for m in re.finditer(r"[ \t]*\n\s*", text[body_start:body_end])
    ]
    bounds: list[tuple[int, int, str]] = []
    cursor = 0
    for a, b in [*para_breaks, (body_end - body_start, body_end - body_start)]:
        par = text[body_start + cursor : body_start + a]
        for e, n in _sentence_ends(par):
            bounds.append((body_start + cursor + e, body_start + cursor + n, "sentence"))
        if b > a:
            bounds.append((body_start + a, body_start + b, "para"))
        cursor = b
    for end, nxt, kind in bounds:
        pieces.append(text[pos:end])
        seps.append(text[end:nxt])
        kinds.append(kind)
        pos = nxt
    pieces.append(text[pos:body_end])
    pieces[0] = text[:body_start] + pieces[0]
    pieces[-1] = pieces[-1] + text[body_end:]
    return pieces, seps, kinds


class _Measure:
    """Fit checks for candidate slide texts at one size, cached by text and size."""

    def __init__(self, style: TextStyle, box_w: int, box_h: int, highlight: Sequence[str],
                 max_lines: int | None):
        self.style, self.box_w, self.box_h = style, box_w, box_h
        self.max_lines = max_lines
        self.highlight = tuple(highlight)
        self._fits = functools.lru_cache(maxsize=4096)(self._fits_uncached)

    def spans(self, text: str, markup: bool = False) -> tuple[T.Span, ...]:
        """Typography and highlight applied. `**` markers are dropped when only measuring:
        colour does not change widths, and a candidate slide may hold half a marked phrase."""
        if not markup:
            text = text.replace("**", "")
        return tuple(T.parse_markup(T.smart_typography(text, self.style.lang), self.highlight))

    def prep(self, text: str, markup: bool = False) -> Prepared:
        spans = self.spans(text, markup)
        joined = "".join(s.text for s in spans)
        return prepare(spans, self.style.fonts, self.style.lang,
                       style_rtl(self.style, joined))

    def _fits_uncached(self, text: str, size: int) -> tuple[bool, int]:
        """(fits?, number of lines) at `size` (widow rule relaxed only at the floor)."""
        prep = self.prep(text)
        for allow_widow in (False, True) if size == self.style.min_size else (False,):
            lines = count_lines(prep, size, self.box_w, allow_widow, self.style.min_size)
            if lines is None:
                continue
            if self.max_lines is not None and lines > self.max_lines:
                continue
            if nominal_height(prep, self.style, size, lines) <= self.box_h:
                return True, lines
        return False, 0

    def fits(self, text: str, size: int) -> bool:
        return self._fits(text, size)[0]

    def lines(self, text: str, size: int) -> int:
        return self._fits(text, size)[1]

    def block(self, text: str, size: int) -> TextBlock | None:
        """The slide laid out at `size` (`text` has balanced `**` markup), None if it overflows."""
        prep = self.prep(text, markup=True)
        for allow_widow in (False, True) if size == self.style.min_size else (False,):
            block = try_size(prep, self.style, size, self.box_w, self.box_h, allow_widow)
            if block is not None:
                return block
        return None


def _with_markup(text: str, open_before: bool, open_after: bool) -> str:
    """Slide text with `**` added where a marked phrase continues from or into a neighbour."""
    return ("**" if open_before else "") + text + ("**" if open_after else "")


def _join(pieces: list[str], seps: list[str], i: int, j: int) -> str:
    """pieces[i..j) with the separators between them."""
    out = pieces[i]
    for k in range(i + 1, j):
        out += seps[k - 1] + pieces[k]
    return out


def _cut_sentence(m: _Measure, piece: str) -> tuple[list[str], list[str]]:
    """A sentence too long for one slide at the floor, cut between words (greedy)."""
    words = list(re.finditer(r"\S+", piece))
    parts: list[str] = []
    seps: list[str] = []
    start = 0  # index into words
    while start < len(words):
        end = start + 1
        while end < len(words):
            candidate = piece[words[start].start() : words[end].end()]
            if not m.fits(candidate, m.style.min_size):
                break
            end += 1
        if not m.fits(piece[words[start].start() : words[end - 1].end()], m.style.min_size):
            raise TextDoesNotFit(
                len(words[start].group()), min_size=m.style.min_size, box=(m.box_w, m.box_h),
                message=f"the word {words[start].group()!r} does not fit a slide even at the "
                f"minimum size ({m.style.min_size} px)",
            )
        a = 0 if start == 0 else words[start].start()
        b = len(piece) if end == len(words) else words[end - 1].end()
        parts.append(piece[a:b])
        if end < len(words):
            seps.append(piece[b : words[end].start()])
        start = end
    return parts, seps


def _count(m: _Measure, pieces: list[str], seps: list[str], size: int) -> int:
    """Fewest slides at `size` (greedy packing is optimal for contiguous groups)."""
    n, i, slides = len(pieces), 0, 0
    while i < n:
        j = i + 1
        if not m.fits(pieces[i], size):
            return 10**9
        while j < n and m.fits(_join(pieces, seps, i, j + 1), size):
            j += 1
        slides += 1
        i = j
    return slides


def _best_grouping(
    m: _Measure, pieces: list[str], seps: list[str], kinds: list[str], size: int, count: int
) -> list[tuple[int, int]] | None:
    """`count` groups fitting at `size` with the most even line counts and fewest
    non-paragraph breaks (dynamic programming over break points)."""
    n = len(pieces)
    fits: dict[tuple[int, int], int] = {}
    for i in range(n):
        for j in range(i + 1, n + 1):
            t = _join(pieces, seps, i, j)
            if not m.fits(t, size):
                break
            fits[(i, j)] = m.lines(t, size)
    total = sum(fits.get((i, i + 1), 0) for i in range(n))
    mean = total / count
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(count + 1)]
    back = [[-1] * (n + 1) for _ in range(count + 1)]
    cost[0][0] = 0.0
    for g in range(1, count + 1):
        for j in range(1, n + 1):
            for i in range(j):
                if (i, j) not in fits or cost[g - 1][i] == inf:
                    continue
                c = cost[g - 1][i] + (fits[(i, j)] - mean) ** 2
                if j < n:
                    c += _COST[kinds[j - 1]]
                    if kinds[j - 1] != "word" and _opener(pieces[j]):
                        c += _COST["opener"]
                if c < cost[g][j]:
                    cost[g][j], back[g][j] = c, i
    if cost[count][n] == inf:
        return None
    groups: list[tuple[int, int]] = []
    j = n
    for g in range(count, 0, -1):
        i = back[g][j]
        groups.append((i, j))
        j = i
    return groups[::-1]


def split_text(
    text: str,
    style: TextStyle,
    box_w: int,
    box_h: int,
    *,
    highlight: Sequence[str] = (),
    max_lines: int | None = MAX_LINES,
    target_size: int | None = None,
    max_slides: int | None = None,
) -> Split:
    """Split `text` into the fewest slides that fit `box_w`×`box_h` at one common size.

    Slide text is raw source text; each slide is measured as
    `parse_markup(smart_typography(slide, style.lang), highlight)`. Among splits with the fewest
    slides, the one with the largest common size wins, then the most even one (paragraph
    breaks preferred to sentence breaks). Raises TextDoesNotFit only when a single word cannot
    fit a slide at the floor. The caller checks the slide count against each platform's
    carousel limit.

    Legible means more than "not below the floor": a slide is read in the seconds before a
    swipe. So the fewest slides are counted at `target_size` (default 80 % of
    `style.max_size`, lowered only as far as needed for every sentence to fit a slide alone),
    never more than `max_lines` lines per slide; then the size grows as far as that slide
    count allows. Packing everything at the floor would give one wall of twenty small lines.
    `max_slides` (a platform's limit minus cover and closing slides) lowers the target
    towards the floor until the text fits in that many slides; if even the floor needs more,
    the split is returned anyway and the caller reports it for that platform.
    """
    m = _Measure(style, box_w, box_h, highlight, max_lines)
    pieces, seps, kinds = _atoms(text)
    # A sentence that cannot fit alone at the floor is the only thing cut mid-sentence.
    k = 0
    while k < len(pieces):
        if m.fits(pieces[k], style.min_size):
            k += 1
            continue
        parts, inner = _cut_sentence(m, pieces[k])
        pieces[k : k + 1] = parts
        seps[k:k] = inner
        kinds[k:k] = ["word"] * len(inner)
        k += len(parts)
    # `**markup**` may span a slide break: note where a marked phrase is open, so each slide
    # is drawn with its share of the accent colour.
    open_at = [False]
    for k, piece in enumerate(pieces):
        open_at.append(open_at[-1] ^ (piece.count("**") % 2 == 1))
        if k < len(seps) and seps[k].count("**") % 2:
            open_at[-1] = not open_at[-1]
    lo, hi = style.min_size, style.max_size
    target = max(lo, min(hi, target_size or round(0.8 * hi)))
    while target > lo and not all(m.fits(p, target) for p in pieces):
        target -= 1
    fewest = _count(m, pieces, seps, target)
    if max_slides is not None and fewest > max_slides:
        # The platform's image limit outranks the comfort cap on lines: fill the box, at
        # the largest size that count allows.
        m = _Measure(style, box_w, box_h, highlight, None)
        target = _largest(lo, target, lambda s: _count(m, pieces, seps, s) <= max_slides)
        fewest = _count(m, pieces, seps, target)
    size = _largest(target, hi, lambda s: _count(m, pieces, seps, s) <= fewest)
    while True:
        groups = _best_grouping(m, pieces, seps, kinds, size, fewest)
        blocks: list[TextBlock | None] = []
        if groups is not None:
            slides = [_join(pieces, seps, i, j) for i, j in groups]
            blocks = [m.block(_with_markup(text_, open_at[i], open_at[j]), size)
                      for text_, (i, j) in zip(slides, groups, strict=True)]
        if groups is not None and all(b is not None for b in blocks):
            return Split(
                size,
                slides,
                [seps[j - 1] for _, j in groups[:-1]],
                [b for b in blocks if b is not None],
            )
        if size > lo:  # the cheap estimate accepted a slide that real ink rejects
            size -= 1
            continue
        fewest += 1  # even the floor needs one more slide
        if fewest > len(pieces):
            raise TextDoesNotFit(1, min_size=lo, box=(box_w, box_h))
        size = _largest(lo, hi, functools.partial(_needs_at_most, m, pieces, seps, fewest))


def refit(slides: Sequence[str], style: TextStyle, box_w: int, box_h: int, *,
          highlight: Sequence[str] = ()) -> list[TextBlock] | None:
    """The same slide texts (a split made for another box) at the largest common size that
    fits this box, or None when one does not fit even at the floor. `**markup**` open across
    a slide break is carried as split_text carries it."""
    m = _Measure(style, box_w, box_h, highlight, None)
    opened, flags = False, []
    for t in slides:
        before = opened
        opened ^= t.count("**") % 2 == 1
        flags.append((before, opened))
    lo = style.min_size
    if not all(m.fits(t, lo) for t in slides):
        return None
    size = _largest(lo, style.max_size, lambda s: all(m.fits(t, s) for t in slides))
    while size >= lo:
        blocks = [m.block(_with_markup(t, a, b), size) for t, (a, b) in zip(slides, flags,
                                                                             strict=True)]
        if all(b is not None for b in blocks):
            return [b for b in blocks if b is not None]
        size -= 1
    return None


def _needs_at_most(m: _Measure, pieces: list[str], seps: list[str], slides: int,
                   size: int) -> bool:
    return _count(m, pieces, seps, size) <= slides


def _largest(lo: int, hi: int, ok: Callable[[int], bool]) -> int:
    """The largest size in [lo, hi] for which `ok` holds (monotone), or lo."""
    a, b = lo, hi
    while a < b:
        mid = (a + b + 1) // 2
        if ok(mid):
            a = mid
        else:
            b = mid - 1
    return a
